import { parseKubernetesEvent } from "./kubernetes-event";

const event = (extra: Record<string, unknown> = {}) => ({
  type: "Warning",
  reason: "BackOff",
  message: "Back-off restarting failed container",
  involvedObject: { kind: "Pod", name: "api-7", namespace: "prod", apiVersion: "v1" },
  source: { component: "kubelet" },
  firstTimestamp: "2026-11-28T07:00:00Z",
  metadata: { uid: "u1", namespace: "prod" },
  count: 3,
  ...extra,
});

describe("parseKubernetesEvent", () => {
  it("turns a Warning event into a signal named after its reason", () => {
    expect(parseKubernetesEvent(event())).toMatchObject({
      source: "kubernetes-event",
      name: "BackOff",
      severity: "Warning",
      status: "firing",
      target: { kind: "Pod", name: "api-7", namespace: "prod", apiVersion: "v1" },
      origin: "kubelet",
      annotations: { message: "Back-off restarting failed container" },
      firingTime: "2026-11-28T07:00:00.000Z",
    });
  });

  it("reads events.k8s.io/v1 events (regarding, note, reportingComponent)", () => {
    const signal = parseKubernetesEvent({ type: "Warning", reason: "FailedMount", regarding: { kind: "Pod", name: "db-0", namespace: "data" }, note: "timeout", reportingComponent: "kubelet" });
    expect(signal).toMatchObject({ target: { kind: "Pod", name: "db-0", namespace: "data" }, annotations: { message: "timeout" }, origin: "kubelet" });
  });

  it("takes Error events too, with the event's type as severity (as kubernaut's gateway passes it on)", () => {
    expect(parseKubernetesEvent(event({ type: "Error" }))).toMatchObject({ name: "BackOff", severity: "Error" });
  });

  it.each([
    ["a Normal event", event({ type: "Normal" }), "type: normal events are not processed"],
    ["no type", event({ type: undefined }), 'type: must be "Warning" or "Error", got null'],
    ["no reason", event({ reason: "" }), "reason: is required"],
    ["no involved object", event({ involvedObject: undefined }), "involvedObject: is required"],
    ["an involved object without name", event({ involvedObject: { kind: "Pod" } }), "involvedObject.name: is required"],
    ["not an object", "event", "body: must be a JSON object (a core/v1 Event), got a string"],
  ])("rejects %s", (_what, body, message) => {
    expect(() => parseKubernetesEvent(body)).toThrow(message);
  });
});
