import { jsonDepth } from "./body";

describe("jsonDepth", () => {
  it.each([
    [1, 0],
    [{}, 1],
    [{ a: [1, { b: 2 }] }, 3],
  ])("%o is %i deep", (value, depth) => {
    expect(jsonDepth(value, 100)).toBe(depth);
  });

  it("stops counting past the limit, without recursion, on hostile nesting", () => {
    const deep = JSON.parse("[".repeat(100_000) + "]".repeat(100_000));
    expect(jsonDepth(deep, 32)).toBe(33);
  });
});
