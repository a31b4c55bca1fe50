import { countBatch } from "./counting";

const NOW = "2026-11-28T08:00:00.000Z";

describe("countBatch", () => {
  it("starts a new RR at 1 with firstSeenAt = lastSeenAt = now", () => {
    expect(countBatch(undefined, ["firing"], NOW)).toEqual({ next: { occurrenceCount: 1, firstSeenAt: NOW, lastSeenAt: NOW }, items: [{ status: "firing", count: 1, added: 1 }] });
  });

  it("hands a batch of k firing signals the counts base+1..base+k in order", () => {
    const { next, items } = countBatch({ occurrenceCount: 10, firstSeenAt: "t0", lastSeenAt: "t1" }, ["firing", "firing", "firing"], NOW);
    expect(items.map(i => i.count)).toEqual([11, 12, 13]);
    expect(next).toEqual({ occurrenceCount: 13, firstSeenAt: "t0", lastSeenAt: NOW });
  });

  it("counts resolved signals apart, without moving occurrenceCount or lastSeenAt", () => {
    const { next, items } = countBatch({ occurrenceCount: 2, firstSeenAt: "t0", lastSeenAt: "t1", resolvedCount: 1, lastResolvedAt: "t2" }, ["resolved"], NOW);
    expect(items).toEqual([{ status: "resolved", count: 2, added: 0 }]);
    expect(next).toEqual({ occurrenceCount: 2, firstSeenAt: "t0", lastSeenAt: "t1", resolvedCount: 2, lastResolvedAt: NOW });
  });

  it("always returns every field it owns (an apply that leaves one out gives it up)", () => {
    const { next } = countBatch({ occurrenceCount: 5, firstSeenAt: "t0", lastSeenAt: "t1", resolvedCount: 3, lastResolvedAt: "t2" }, ["firing"], NOW);
    expect(Object.keys(next).sort()).toEqual(["firstSeenAt", "lastResolvedAt", "lastSeenAt", "occurrenceCount", "resolvedCount"]);
  });

  it("keeps duplicateOf, once the duplicate detector has set it", () => {
    const { next } = countBatch({ occurrenceCount: 1, firstSeenAt: "t0", lastSeenAt: "t1", duplicateOf: "rr-older" }, ["firing"], NOW);
    expect(next).toEqual({ occurrenceCount: 2, firstSeenAt: "t0", lastSeenAt: NOW, duplicateOf: "rr-older" });
  });

  it("adds what each item brings when told (event source items: 0 or more occurrences each)", () => {
    const { next, items } = countBatch({ occurrenceCount: 4, firstSeenAt: "t0", lastSeenAt: "t1" }, ["firing", "firing", "firing"], NOW, [3, 0, 1]);
    expect(items).toEqual([
      { status: "firing", count: 7, added: 3 },
      { status: "firing", count: 7, added: 0 },
      { status: "firing", count: 8, added: 1 },
    ]);
    expect(next.occurrenceCount).toBe(8);
  });

  it("leaves lastSeenAt alone when nothing new was added", () => {
    const { next } = countBatch({ occurrenceCount: 4, firstSeenAt: "t0", lastSeenAt: "t1" }, ["firing"], NOW, [0]);
    expect(next).toEqual({ occurrenceCount: 4, firstSeenAt: "t0", lastSeenAt: "t1" });
  });

  it("keeps the event source's watermark (countedEvents) on a write of plain signals", () => {
    const countedEvents = [{ uid: "u1", count: 3, countedAt: "t1" }];
    const { next } = countBatch({ occurrenceCount: 3, firstSeenAt: "t0", lastSeenAt: "t1", countedEvents }, ["firing"], NOW);
    expect(next.countedEvents).toEqual(countedEvents);
  });
});
