import { leaseIsFree, microTime } from "./lease";

describe("microTime", () => {
  it("writes exactly six fractional digits, as the API server parses a MicroTime", () => {
    expect(microTime(Date.UTC(2025, 0, 2, 3, 4, 5, 67))).toBe("2025-01-02T03:04:05.067000Z");
  });
});

describe("leaseIsFree", () => {
  const now = Date.UTC(2025, 0, 1, 0, 1, 0);
  const held = { holderIdentity: "a", leaseDurationSeconds: 10, renewTime: microTime(now - 2_000) };
  it.each([
    ["no spec", undefined, now, true],
    ["no holder (released)", { leaseDurationSeconds: 1 }, now, true],
    ["renewed recently, seen changing recently", held, now - 1_000, false],
    ["not seen changing for the whole duration", held, now - 10_000, true],
    ["renewTime older than the duration", { ...held, renewTime: microTime(now - 11_000) }, now, true],
    ["without leaseDurationSeconds the caller's default (15s) applies", { holderIdentity: "a", renewTime: microTime(now - 11_000) }, now, false],
  ])("%s → %p", (_title, spec, observedAt, free) => {
    expect(leaseIsFree(spec, observedAt, now, 15_000)).toBe(free);
  });
});
