import { createLogger, isLogLevel } from "./logger";

describe("createLogger", () => {
  it("writes JSON lines with the logger's name and an ISO timestamp", () => {
    const lines: string[] = [];
    createLogger("gateway", "info", { write: (line: string) => void lines.push(line) }).info("hello");
    expect(JSON.parse(lines[0])).toMatchObject({ name: "gateway", msg: "hello", time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/) });
  });

  it("falls back to info on a level pino does not know, instead of throwing at load (the config loader lists it)", () => {
    expect(createLogger("test", "verbose").level).toBe("info");
    expect(createLogger("test", undefined).level).toBe("info");
    expect(createLogger("test", "debug").level).toBe("debug");
    expect(isLogLevel("warn")).toBe(true);
    expect(isLogLevel("verbose")).toBe(false);
  });
});
