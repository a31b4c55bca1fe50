import { TtlCache } from "./ttl-cache";

describe("TtlCache", () => {
  it("answers a value until its TTL is over", () => {
    const cache = new TtlCache<string>(10);
    cache.set("a", "A", 1_000);
    expect(cache.get("a")).toBe("A");
    expect(cache.get("a", Date.now() + 1_001)).toBeUndefined();
  });

  it("keeps at most maxEntries, evicting the oldest inserted", () => {
    const cache = new TtlCache<number>(2);
    cache.set("a", 1, 1_000);
    cache.set("b", 2, 1_000);
    cache.set("c", 3, 1_000);
    expect(cache.size).toBe(2);
    expect(cache.get("a")).toBeUndefined();
    expect(cache.get("c")).toBe(3);
  });

  it("keeps nothing with a TTL or a size of 0", () => {
    const none = new TtlCache<number>(0);
    none.set("a", 1, 1_000);
    const instant = new TtlCache<number>(5);
    instant.set("a", 1, 0);
    expect([none.size, instant.size]).toEqual([0, 0]);
  });

  it("shares one load between concurrent lookups of a missing key", async () => {
    const cache = new TtlCache<number>(10);
    let loads = 0;
    const load = async (): Promise<number> => {
      loads++;
      await new Promise(resolve => setTimeout(resolve, 5));
      cache.set("k", 42, 1_000);
      return 42;
    };
    expect(await Promise.all([cache.getOrLoad("k", load), cache.getOrLoad("k", load), cache.getOrLoad("k", load)])).toEqual([42, 42, 42]);
    expect(await cache.getOrLoad("k", load)).toBe(42);
    expect(loads).toBe(1);
  });

  it("lets the next lookup load again after a failed load", async () => {
    const cache = new TtlCache<number>(10);
    await expect(cache.getOrLoad("k", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(await cache.getOrLoad("k", async () => 7)).toBe(7);
  });
});
