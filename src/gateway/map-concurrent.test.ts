import { mapConcurrent } from "./map-concurrent";

describe("mapConcurrent", () => {
  it("keeps the order of the results and never runs more than the limit at once", async () => {
    let running = 0;
    let most = 0;
    const results = await mapConcurrent([5, 1, 4, 2, 3, 0], 2, async n => {
      running++;
      most = Math.max(most, running);
      await new Promise(resolve => setTimeout(resolve, n));
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0]);
    expect(most).toBe(2);
  });

  it("handles no items", async () => {
    expect(await mapConcurrent([], 4, async () => 1)).toEqual([]);
  });
});
