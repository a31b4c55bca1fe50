import { formatDuration, parseDuration } from "./duration";

describe("parseDuration", () => {
  it.each([
    ["0", 0],
    ["250ms", 250],
    ["2s", 2_000],
    ["1.5s", 1_500],
    ["1m30s", 90_000],
    ["1h", 3_600_000],
    [" 3s ", 3_000],
  ])("reads %p as %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "2", "2 s", "s", "-1s", "1d", "2s junk", "manual", "1.s"])("rejects %p", text => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0ms"],
    [250, "250ms"],
    [2_000, "2s"],
    [90_000, "1m30s"],
    [3_600_000, "1h"],
    [3_601_500, "1h1s500ms"],
  ])("writes %i ms as %p", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
