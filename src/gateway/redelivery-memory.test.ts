import { RedeliveryMemory } from "./redelivery-memory";

describe("RedeliveryMemory", () => {
  it("answers a redelivery once with the remembered result", () => {
    const m = new RedeliveryMemory<string>(1_000);
    m.remember("k", "counted as 3", 0);
    expect(m.take("k", 10)).toBe("counted as 3");
    expect(m.take("k", 20)).toBeUndefined();
  });

  it("forgets after the TTL", () => {
    const m = new RedeliveryMemory<string>(1_000);
    m.remember("k", "r", 0);
    expect(m.take("k", 1_001)).toBeUndefined();
  });

  it("stays within its size bound", () => {
    const m = new RedeliveryMemory<number>(1_000, 3);
    for (let i = 0; i < 10; i++) m.remember(`k${i}`, i, 0);
    expect(m.size).toBe(3);
    expect(m.take("k9", 1)).toBe(9);
  });

  it("remembers nothing when disabled (TTL 0)", () => {
    const m = new RedeliveryMemory<number>(0);
    m.remember("k", 1, 0);
    expect(m.size).toBe(0);
  });
});
