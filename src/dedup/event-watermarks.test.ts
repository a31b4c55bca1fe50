import { allCounted, COUNTED_EVENT_RETENTION_MS, MAX_COUNTED_EVENTS, newOccurrences, prune } from "./event-watermarks";

const NOW = "2026-12-02T12:00:00.000Z";
const EARLIER = "2026-12-02T11:00:00.000Z";

describe("newOccurrences: what a batch adds on top of an RR's watermark", () => {
  it("counts a new Event's occurrences in full (a new Event is 1, a repeated one its count)", () => {
    expect(newOccurrences(undefined, [[{ uid: "a", count: 1 }], [{ uid: "b", count: 4 }]], NOW)).toEqual({
      added: [1, 4],
      next: [
        { uid: "a", count: 1, countedAt: NOW },
        { uid: "b", count: 4, countedAt: NOW },
      ],
    });
  });

  it("adds only the delta of an Event counted before (count 3 → 7 adds 4)", () => {
    const { added, next } = newOccurrences([{ uid: "a", count: 3, countedAt: EARLIER }], [[{ uid: "a", count: 7 }]], NOW);
    expect(added).toEqual([4]);
    expect(next).toEqual([{ uid: "a", count: 7, countedAt: NOW }]);
  });

  it("adds nothing for an Event seen again with the same or a lower count (relist, restart, second watcher, retry)", () => {
    const counted = [{ uid: "a", count: 5, countedAt: EARLIER }];
    expect(newOccurrences(counted, [[{ uid: "a", count: 5 }], [{ uid: "a", count: 2 }]], NOW)).toEqual({ added: [0, 0], next: counted });
  });

  it("counts one Event's occurrences once when it appears twice in a batch", () => {
    expect(newOccurrences(undefined, [[{ uid: "a", count: 2 }], [{ uid: "a", count: 5 }], [{ uid: "a", count: 5 }]], NOW).added).toEqual([2, 3, 0]);
  });

  it("counts a signal without event marks (HTTP) as one occurrence, and keeps the watermark", () => {
    const counted = [{ uid: "a", count: 5, countedAt: EARLIER }];
    expect(newOccurrences(counted, [undefined, undefined], NOW)).toEqual({ added: [1, 1], next: counted });
  });

  it("sums the Events one signal stands for (a coalesced problem with two Event objects)", () => {
    expect(newOccurrences([{ uid: "a", count: 1, countedAt: EARLIER }], [[{ uid: "a", count: 3 }, { uid: "b", count: 2 }]], NOW).added).toEqual([4]);
  });
});

describe("allCounted", () => {
  it("is true only when every mark is within the watermark", () => {
    const counted = [{ uid: "a", count: 5, countedAt: EARLIER }];
    expect(allCounted(counted, [{ uid: "a", count: 5 }])).toBe(true);
    expect(allCounted(counted, [{ uid: "a", count: 6 }])).toBe(false);
    expect(allCounted(counted, [{ uid: "b", count: 1 }])).toBe(false);
    expect(allCounted(undefined, [])).toBe(true);
  });
});

describe("prune", () => {
  it("forgets Events counted longer ago than the retention", () => {
    const old = new Date(Date.parse(NOW) - COUNTED_EVENT_RETENTION_MS - 1).toISOString();
    expect(prune([{ uid: "old", count: 1, countedAt: old }, { uid: "new", count: 1, countedAt: EARLIER }], NOW).map(c => c.uid)).toEqual(["new"]);
  });

  it("keeps the newest MAX_COUNTED_EVENTS", () => {
    const many = Array.from({ length: MAX_COUNTED_EVENTS + 5 }, (_, i) => ({ uid: `u${i}`, count: 1, countedAt: new Date(Date.parse(EARLIER) + i * 1000).toISOString() }));
    const kept = prune(many, NOW);
    expect(kept).toHaveLength(MAX_COUNTED_EVENTS);
    expect(kept.map(c => c.uid)).not.toContain("u0");
    expect(kept[0].uid).toBe(`u${MAX_COUNTED_EVENTS + 4}`);
  });
});
