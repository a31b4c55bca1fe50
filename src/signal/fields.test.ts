import { optionalString, optionalTimestamp, readStringMap } from "./fields";
import { clip, preview, wellFormed } from "./text";
import { SignalValidationError } from "./validation-error";

describe("readStringMap", () => {
  const limits = { maxEntries: 3, maxValueLength: 10 };

  it("keeps __proto__ and constructor as plain data, without touching the prototype", () => {
    const map = readStringMap(JSON.parse('{"__proto__":"a","constructor":"b"}'), "labels", limits);
    expect(Object.keys(map)).toEqual(["__proto__", "constructor"]);
    expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });

  it.each([
    [{ a: "1", b: "2", c: "3", d: "4" }, "labels: has 4 entries, more than the limit of 3"],
    [{ ["k".repeat(318)]: "v" }, `labels: has a key of 318 characters (1 to 317 allowed): "${"k".repeat(63)}…`],
    [{ "": "v" }, 'labels: has a key of 0 characters (1 to 317 allowed): ""'],
    [{ a: 1 }, "labels.a: must be a string, got a number"],
    [{ a: "x".repeat(11) }, "labels.a: is 11 characters long, more than the limit of 10"],
    [["a"], "labels: must be an object of string values, got an array"],
  ])("refuses %o", (value, message) => {
    expect(() => readStringMap(value, "labels", limits)).toThrow(SignalValidationError);
    expect(() => readStringMap(value, "labels", limits)).toThrow(message);
  });

  it("truncates with a marker when asked, within the limit", () => {
    const map = readStringMap({ d: "x".repeat(50) }, "annotations", { maxEntries: 3, maxValueLength: 20, truncate: true });
    expect(map.d).toBe("xxxxxxxx…[truncated]");
    expect(map.d.length).toBe(20);
  });
});

describe("clip and wellFormed", () => {
  it("never cuts a surrogate pair in two", () => {
    expect(clip("ab🔥", 3)).toBe("ab");
    expect(clip("ab🔥", 4)).toBe("ab🔥");
    expect(clip("abc", 2)).toBe("ab");
  });

  it("replaces lone surrogates with U+FFFD and keeps pairs", () => {
    expect(wellFormed("a\ud800b\udc00c🔥")).toBe("a\ufffdb\ufffdc🔥");
  });

  it("reads strings well-formed", () => {
    expect(optionalString("x\ud800", "f", 10)).toBe("x\ufffd");
  });
});

describe("optionalTimestamp", () => {
  it.each([
    ["2026-11-28T07:00:00Z", "2026-11-28T07:00:00.000Z"],
    ["2026-11-28T07:00:00.123456789Z", "2026-11-28T07:00:00.123Z"],
    ["2026-11-28T07:00:00+05:30", "2026-11-28T01:30:00.000Z"],
    ["0001-01-01T00:00:00Z", undefined],
    ["", undefined],
  ])("reads %s as %s", (text, iso) => {
    expect(optionalTimestamp(text, "startsAt")).toBe(iso);
  });

  it.each(["yesterday", "2026-11-28", "1795849200000", "9999-12-31T23:00:00-05:00", "2026-13-01T00:00:00Z", "+002026-11-28T07:00:00Z"])("refuses %s", text => {
    expect(() => optionalTimestamp(text, "startsAt")).toThrow(/^startsAt: is not an RFC 3339 timestamp/);
  });
});

describe("preview", () => {
  it("shows short values whole and cuts long ones", () => {
    expect(preview("short")).toBe('"short"');
    expect(preview({ a: 1 })).toBe('{"a":1}');
    expect(preview("x".repeat(1_000))).toHaveLength(65);
  });
});
