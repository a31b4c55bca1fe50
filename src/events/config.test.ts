import { DEFAULT_EVENT_REASONS, loadEventSourceConfig } from "./config";

function load(env: Record<string, string>): { config: ReturnType<typeof loadEventSourceConfig>; problems: string[] } {
  const problems: string[] = [];
  return { config: loadEventSourceConfig(env, problems), problems };
}

describe("EVENT_SOURCE_* settings", () => {
  it("default: on, the default reasons, every namespace and kind, one signal per second per problem", () => {
    const { config, problems } = load({});
    expect(problems).toEqual([]);
    expect(config).toEqual({ enabled: true, reasons: new Set(DEFAULT_EVENT_REASONS), excludeReasons: new Set(), namespaces: undefined, kinds: undefined, maxSignalsPerSecond: 1 });
  });

  it("reads lists, * for every reason, and fractions of a signal per second", () => {
    const { config, problems } = load({ EVENT_SOURCE_REASONS: "*", EVENT_SOURCE_EXCLUDE_REASONS: "FailedKillPod, Unhealthy", EVENT_SOURCE_NAMESPACES: "prod,shop", EVENT_SOURCE_KINDS: "Pod,Node", EVENT_SOURCE_MAX_SIGNALS_PER_SECOND: "0.5", EVENT_SOURCE_ENABLED: "false" });
    expect(problems).toEqual([]);
    expect(config).toEqual({ enabled: false, reasons: undefined, excludeReasons: new Set(["FailedKillPod", "Unhealthy"]), namespaces: new Set(["prod", "shop"]), kinds: new Set(["Pod", "Node"]), maxSignalsPerSecond: 0.5 });
  });

  it("names every bad setting at once", () => {
    const { problems } = load({ EVENT_SOURCE_ENABLED: "yes", EVENT_SOURCE_REASONS: " , ", EVENT_SOURCE_NAMESPACES: "Prod_1", EVENT_SOURCE_KINDS: "pods/v1", EVENT_SOURCE_MAX_SIGNALS_PER_SECOND: "0" });
    expect(problems).toEqual([
      'EVENT_SOURCE_ENABLED="yes": must be true or false',
      'EVENT_SOURCE_MAX_SIGNALS_PER_SECOND="0": must be a number from 0.01 to 1000',
      "EVENT_SOURCE_REASONS is empty: name the reasons to record, or * for every reason (EVENT_SOURCE_ENABLED=false turns the source off)",
      'EVENT_SOURCE_NAMESPACES: "Prod_1" is not a namespace name',
      'EVENT_SOURCE_KINDS: "pods/v1" is not a kind (e.g. Pod, Node)',
    ]);
  });
});
