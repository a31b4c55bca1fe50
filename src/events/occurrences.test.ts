import { lastOccurredAt, occurrencesOf } from "./occurrences";

describe("occurrencesOf: an Event's occurrences so far", () => {
  it.each([
    ["a new core/v1 Event (count 1)", { count: 1 }, 1],
    ["a repeated core/v1 Event", { count: 7 }, 7],
    ["an events.k8s.io/v1 Event without a series (count absent)", {}, 1],
    ["an events.k8s.io/v1 series", { count: 0, series: { count: 5 } }, 5],
    ["the larger of the two when both are set", { count: 3, series: { count: 9 } }, 9],
  ] as const)("%s", (_title, event, expected) => {
    expect(occurrencesOf(event)).toBe(expected);
  });
});

describe("lastOccurredAt", () => {
  it("prefers series.lastObservedTime, then lastTimestamp, eventTime, firstTimestamp, creation", () => {
    expect(lastOccurredAt({ series: { lastObservedTime: "2026-12-02T10:00:05.000000Z" }, lastTimestamp: "2026-12-02T10:00:00Z" })).toBe(Date.parse("2026-12-02T10:00:05Z"));
    expect(lastOccurredAt({ lastTimestamp: null, eventTime: "2026-12-02T10:00:01.000000Z" })).toBe(Date.parse("2026-12-02T10:00:01Z"));
    expect(lastOccurredAt({ metadata: { creationTimestamp: "2026-12-02T10:00:02Z" } })).toBe(Date.parse("2026-12-02T10:00:02Z"));
    expect(lastOccurredAt({})).toBeNaN();
  });
});
