import { parseAlertmanagerWebhook } from "../signal/alertmanager";
import { fingerprintLabelValue, kubernautFingerprint, ownerFingerprint, resourceFingerprint } from "./fingerprint";
import { sha256Hex } from "../signal/sha256";
import { parseKubernetesEvent } from "../signal/kubernetes-event";

const fromAlert = (labels: Record<string, string>): string => {
  const [parsed] = parseAlertmanagerWebhook({ alerts: [{ labels }] }).alerts;
  if (!parsed.ok) throw parsed.error;
  return resourceFingerprint(parsed.signal);
};

describe("fingerprints: sha256 of alertname:namespace:kind:name, fixed vectors", () => {
  it.each([
    ["a pod alert", { alertname: "HighMemory", pod: "web-1", namespace: "prod" }, "34def028850601b3e27076e2b39c2306d90c0e457dba195a50f07bb5becc0211"],
    ["the deployment wins over a pod (workload controllers first)", { alertname: "HighMemory", pod: "web-1", deployment: "web", namespace: "prod" }, sha256Hex("HighMemory:prod:Deployment:web")],
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

  it("tells apart alerts that name no resource by their identifying labels (not severity, not the namespace twice)", () => {
    const burn = (long: string, severity: string): string => fromAlert({ alertname: "KubeAPIErrorBudgetBurn", long, short: "5m", severity });
    expect(burn("1h", "critical")).not.toBe(burn("6h", "critical"));
    expect(burn("1h", "critical")).toBe(burn("1h", "warning"));
    expect(burn("1h", "critical")).toBe(sha256Hex('KubeAPIErrorBudgetBurn::Unknown:unknown:[["long","1h"],["short","5m"]]'));
    const operator = (controller: string): string => fromAlert({ alertname: "PrometheusOperatorReconcileErrors", namespace: "monitoring", controller });
    expect(operator("alertmanager")).not.toBe(operator("prometheus"));
  });

  it.each([
    // Vectors computed with Go's crypto/sha256 over kubernaut's documented formula (pkg/gateway/types/fingerprint.go).
    ["a Deployment", { namespace: "prod", kind: "Deployment", name: "payment-api" }, "", "91fce8d5c4949766458bd4bd58859a4fb2e8470ef64ef438c22903744799a9b1"],
    ["a Node (cluster-scoped: empty namespace)", { namespace: "", kind: "Node", name: "worker-node-1" }, "", "54010c454af195aadec824d25dba6fa52adfcc717f0b3f0430e4111acddfe728"],
    ["with a cluster", { namespace: "prod", kind: "Deployment", name: "payment-api" }, "eu-1", "25b1ae809f00d840b31940401c530f0d17fedb157b43bc82905839e87dd21741"],
    // kubernaut puts a target with no namespace label in "default" unless its kind is cluster-scoped (Unknown is not).
    ["an Unknown target outside any namespace", { namespace: "", kind: "Unknown", name: "unknown" }, "", "97ccafeaa7a177fc2e715cf159aa32813fa3eaf037d62d2c44f405601058ca7c"],
  ])("reproduces kubernaut's fingerprint ([cluster:]namespace:kind:name of the top-level owner): %s", (_what, owner, cluster, expected) => {
    expect(kubernautFingerprint(owner, cluster)).toBe(expected);
  });

  it("fits the fingerprint into a 63-character label value", () => {
    const fp = "34def028850601b3e27076e2b39c2306d90c0e457dba195a50f07bb5becc0211";
    expect(fingerprintLabelValue(fp)).toBe(fp.slice(0, 63));
    expect(fingerprintLabelValue(fp)).toHaveLength(63);
  });
});
