import { CacheFreshness } from "./cache-freshness";

describe("CacheFreshness", () => {
  let now = 10_000;
  const clock = (): number => now;
  beforeEach(() => (now = 10_000));

  it("is not fresh before the watch has delivered any of its own writes", () => {
    const f = new CacheFreshness(2_000, clock);
    expect(f.isFresh()).toBe(false);
    f.wrote("100", 9_990);
    expect(f.isFresh()).toBe(false);
  });

  it("is fresh as of a write's sending once the watch delivered its resourceVersion or a later one", () => {
    const f = new CacheFreshness(2_000, clock);
    f.wrote("100", 9_990);
    f.wrote("105", 9_995);
    f.watched("103");
    expect(f.isFresh()).toBe(true);
    now = 9_990 + 2_001;
    expect(f.isFresh()).toBe(false); // only the write of 9 990 is known delivered
    f.watched("105");
    expect(f.isFresh()).toBe(true);
  });

  it("counts a write the watch had already passed when its answer came", () => {
    const f = new CacheFreshness(2_000, clock);
    f.watched("200");
    f.wrote("150", 9_999);
    expect(f.isFresh()).toBe(true);
  });

  it("goes stale when the watch stops delivering (a lagging or stuck watch)", () => {
    const f = new CacheFreshness(2_000, clock);
    f.wrote("1", 10_000);
    f.watched("1");
    for (let i = 2; i < 50; i++) {
      now += 100;
      f.wrote(String(i), now);
    }
    expect(f.isFresh()).toBe(false);
  });

  it("ignores resourceVersions that are not integers", () => {
    const f = new CacheFreshness(2_000, clock);
    f.wrote("abc", 9_999);
    f.watched("abc");
    f.watched(undefined);
    expect(f.isFresh()).toBe(false);
  });
});
