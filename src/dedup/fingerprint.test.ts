import { parseAlertmanagerWebhook } from "./alertmanager";
import { fingerprintLabelValue, ownerFingerprint, resourceFingerprint } from "./fingerprint";
import { parseKubernetesEvent } from "./kubernetes-event";

const fromAlert = (labels: Record<string, string>): string => {
  const [parsed] = parseAlertmanagerWebhook({ alerts: [{ labels }] }).alerts;
  if (!parsed.ok) throw parsed.error;
  return resourceFingerprint(parsed.signal);
};

describe("fingerprints: sha256 of alertname:namespace:kind:name, fixed vectors", () => {
  it.each([
    ["a pod alert", { alertname: "HighMemory", pod: "web-1", namespace: "prod" }, "34def028850601b3e27076e2b39c2306d90c0e457dba195a50f07bb5becc0211"],
    ["the pod wins over its deployment", { alertname: "HighMemory", pod: "web-1", deployment: "web", namespace: "prod" }, "34def028850601b3e27076e2b39c2306d90c0e457dba195a50f07bb5becc0211"],
    ["labels that do not name the target do not change it", { alertname: "HighMemory", pod: "web-1", namespace: "prod", severity: "info", team: "x" }, "34def028850601b3e27076e2b39c2306d90c0e457dba195a50f07bb5becc0211"],
    ["a cluster-scoped node, empty namespace", { alertname: "NodeNotReady", node: "worker-3", namespace: "ignored" }, "afa22f7ad904b063e7398bfe9cce7318d003406c508d8302ec17dc408b9031f3"],
  ])("%s", (_what, labels, expected) => {
    expect(fromAlert(labels)).toBe(expected);
  });

  it("fingerprints a Warning event by reason and involved object", () => {
    const signal = parseKubernetesEvent({ type: "Warning", reason: "BackOff", involvedObject: { kind: "Pod", name: "api-7", namespace: "prod" } });
    expect(resourceFingerprint(signal)).toBe("9a10ef5813fce0442181773574e5780433fa481b1049f2b9418034c9a40250a6");
  });

  it("fingerprints the top-level owner as namespace:kind:name for the owner strategy", () => {
    expect(ownerFingerprint({ namespace: "prod", kind: "Deployment", name: "web" })).toBe("aac6dc6d374e005de76422a29d761ca644361e2f3ea8e13094ecfc6908cbb8e2");
  });

  it("fits the fingerprint into a 63-character label value", () => {
    const fp = "34def028850601b3e27076e2b39c2306d90c0e457dba195a50f07bb5becc0211";
    expect(fingerprintLabelValue(fp)).toBe(fp.slice(0, 63));
    expect(fingerprintLabelValue(fp)).toHaveLength(63);
  });
});
