import { gatewayRunsHere, peprPort } from "./placement";

describe("gatewayRunsHere", () => {
  it.each([
    ["the admission pods", { PEPR_WATCH_MODE: "false" }, true],
    ["the watcher pod", { PEPR_WATCH_MODE: "true" }, false],
    ["pepr dev (one process for both)", { PEPR_MODE: "dev", PEPR_WATCH_MODE: "true" }, true],
    ["pepr build", { PEPR_MODE: "build" }, false],
    ["pepr build, even with watch mode off", { PEPR_MODE: "build", PEPR_WATCH_MODE: "false" }, false],
    ["no Pepr variables (admission is Pepr's default)", {}, true],
    ["turned off", { PEPR_WATCH_MODE: "false", GATEWAY_ENABLED: "false" }, false],
    ["turned off, any case", { PEPR_MODE: "dev", GATEWAY_ENABLED: " OFF " }, false],
    ["explicitly on", { PEPR_WATCH_MODE: "false", GATEWAY_ENABLED: "true" }, true],
  ])("%s", (_what, env, expected) => {
    expect(gatewayRunsHere(env)).toBe(expected);
  });
});

describe("peprPort", () => {
  it("is 3000 unless PEPR_PORT says otherwise", () => {
    expect(peprPort({})).toBe(3000);
    expect(peprPort({ PEPR_PORT: "" })).toBe(3000);
    expect(peprPort({ PEPR_PORT: "3443" })).toBe(3443);
  });
  it.each(["0", "70000", "abc", "-1", "3.5"])("rejects %s", raw => {
    expect(() => peprPort({ PEPR_PORT: raw })).toThrow(/PEPR_PORT/);
  });
});
