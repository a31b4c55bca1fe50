import { BodyAllowance, ByteBudget } from "./byte-budget";

describe("ByteBudget", () => {
  it("lets bodies in while they fit, and refuses the one that would go over, taking nothing for it", () => {
    const budget = new ByteBudget(100);
    expect(budget.take(60)).toBe(true);
    expect(budget.take(50)).toBe(false);
    expect(budget.inUse).toBe(60);
    expect(budget.take(40)).toBe(true);
    budget.release(60);
    expect(budget.take(50)).toBe(true);
  });

  it("gives back everything a request took, once, however many chunks it took it in", () => {
    const budget = new ByteBudget(100);
    const request = new BodyAllowance(budget);
    for (let i = 0; i < 5; i++) expect(request.take(10)).toBe(true);
    expect(budget.inUse).toBe(50);
    request.releaseAll();
    request.releaseAll();
    expect(budget.inUse).toBe(0);
  });
});
