import { filteredOut } from "./filter";
import type { EventObject } from "./occurrences";

const event = (over: Partial<EventObject> = {}): EventObject => ({ type: "Warning", reason: "BackOff", metadata: { namespace: "shop" }, involvedObject: { kind: "Pod", name: "web-1", namespace: "shop" }, ...over });
const ALL = { reasons: undefined, excludeReasons: new Set<string>(), namespaces: undefined, kinds: undefined };

describe("filteredOut: the EVENT_SOURCE_* filters", () => {
  it.each([
    ["passes everything with no filter", event(), ALL, undefined],
    ["drops a Normal event", event({ type: "Normal" }), ALL, "not_warning"],
    ["drops a reason not in the include list", event({ reason: "FailedKillPod" }), { ...ALL, reasons: new Set(["BackOff"]) }, "reason"],
    ["drops an excluded reason, even with every reason included", event(), { ...ALL, excludeReasons: new Set(["BackOff"]) }, "reason"],
    ["drops another namespace", event(), { ...ALL, namespaces: new Set(["prod"]) }, "namespace"],
    ["keeps a listed namespace", event(), { ...ALL, namespaces: new Set(["shop"]) }, undefined],
    ["drops another kind", event(), { ...ALL, kinds: new Set(["Node"]) }, "kind"],
  ] as const)("%s", (_title, e, config, expected) => {
    expect(filteredOut(e, config)).toBe(expected);
  });
});
