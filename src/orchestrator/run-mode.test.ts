import { shouldStartInPepr } from "./run-mode";

describe("shouldStartInPepr", () => {
  it.each<[Record<string, string>, boolean]>([
    [{ PEPR_WATCH_MODE: "true" }, true],
    [{ PEPR_MODE: "dev" }, true],
    [{ PEPR_MODE: "dev", PEPR_WATCH_MODE: "false" }, true],
    [{ PEPR_WATCH_MODE: "false" }, true],
    [{}, true],
    [{ PEPR_MODE: "build" }, false],
    [{ PEPR_MODE: "build", PEPR_WATCH_MODE: "true" }, false],
    [{ PEPR_WATCH_MODE: "true", ORCHESTRATOR_ENABLED: "false" }, false],
    [{ PEPR_MODE: "dev", ORCHESTRATOR_ENABLED: "0" }, false],
    [{ PEPR_WATCH_MODE: "true", ORCHESTRATOR_ENABLED: "true" }, true],
  ])("%o → %p", (env, start) => {
    expect(shouldStartInPepr(env)).toBe(start);
  });
});
