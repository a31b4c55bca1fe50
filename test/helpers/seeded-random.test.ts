import { SeededRandom, seedFromEnv } from "./seeded-random";

describe("SeededRandom", () => {
  it("draws the same sequence from the same seed, and another from another seed", () => {
    const draw = (seed: number): number[] => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 20 }, () => random.int(1, 1000));
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it("keeps int() within its bounds and reaches both ends", () => {
    const random = new SeededRandom(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2_000; i++) {
      const n = random.int(1, 5);
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(5);
      seen.add(n);
    }
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it("samples distinct items", () => {
    const random = new SeededRandom(1);
    for (let i = 0; i < 100; i++) {
      const sample = random.sample(["a", "b", "c", "d"], 3);
      expect(new Set(sample).size).toBe(3);
    }
  });

  it("refuses impossible draws", () => {
    const random = new SeededRandom(1);
    expect(() => random.int(3, 2)).toThrow(/not a range/);
    expect(() => random.pick([])).toThrow(/empty/);
    expect(() => random.sample([1], 2)).toThrow(/sample of 2/);
  });
});

describe("seedFromEnv", () => {
  it("takes RRGW_SEED when set, else draws one", () => {
    expect(seedFromEnv({ RRGW_SEED: "12345" })).toBe(12345);
    expect(Number.isInteger(seedFromEnv({}))).toBe(true);
    expect(() => seedFromEnv({ RRGW_SEED: "abc" })).toThrow(/whole number/);
  });
});
