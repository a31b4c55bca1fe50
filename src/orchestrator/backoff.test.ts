import { backoffMs } from "./backoff";

describe("backoffMs (kubernaut's min(base × 2^(count-1), max), without jitter)", () => {
  const config = { baseMs: 60_000, maxMs: 600_000 };
  it.each([
    [0, 0],
    [1, 60_000],
    [2, 120_000],
    [3, 240_000],
    [4, 480_000],
    [5, 600_000],
    [40, 600_000],
  ])("%i failures → %i ms", (count, ms) => {
    expect(backoffMs(count, config)).toBe(ms);
  });

  it("is off with a base of 0", () => {
    expect(backoffMs(2, { baseMs: 0, maxMs: 600_000 })).toBe(0);
  });
});
