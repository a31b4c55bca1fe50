import { parseAlertmanagerWebhook } from "./alertmanager";
import { DEFAULT_SIGNAL_LIMITS } from "./limits";

const alert = (labels: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ status: "firing", labels, startsAt: "2026-11-28T07:00:00Z", ...extra });
const pod = { alertname: "HighMemory", pod: "web-1", namespace: "prod" };

describe("parseAlertmanagerWebhook", () => {
  it("reads a version 4 payload into one signal per alert", () => {
    const parsed = parseAlertmanagerWebhook({
      version: "4",
      groupKey: "g",
      status: "firing",
      receiver: "team-a",
      alerts: [alert({ ...pod, severity: "critical" }, { annotations: { summary: "s" }, fingerprint: "abc" })],
    });
    expect(parsed.alerts).toHaveLength(1);
    const [first] = parsed.alerts;
    expect(first.ok && first.signal).toMatchObject({
      source: "prometheus",
      name: "HighMemory",
      status: "firing",
      severity: "critical",
      origin: "team-a",
      target: { kind: "Pod", name: "web-1", namespace: "prod" },
      annotations: { summary: "s" },
      firingTime: "2026-11-28T07:00:00.000Z",
    });
  });

  it("fills in an alert's labels and annotations from the group's common ones (the alert's own win)", () => {
    const parsed = parseAlertmanagerWebhook({
      commonLabels: { cluster: "eu-1", severity: "warning" },
      commonAnnotations: { runbook_url: "https://runbooks/x" },
      alerts: [alert({ ...pod, severity: "critical" }, { annotations: { summary: "s" } })],
    });
    expect(parsed.alerts[0].ok && parsed.alerts[0].signal).toMatchObject({
      severity: "critical",
      labels: { ...pod, severity: "critical", cluster: "eu-1" },
      annotations: { summary: "s", runbook_url: "https://runbooks/x" },
    });
  });

  it("tolerates unknown fields (Grafana sends extra ones) and a missing version", () => {
    const parsed = parseAlertmanagerWebhook({ orgId: 1, title: "x", alerts: [alert(pod, { valueString: "v", dashboardURL: "u" })] });
    expect(parsed.alerts[0].ok).toBe(true);
  });

  it("reports truncatedAlerts", () => {
    expect(parseAlertmanagerWebhook({ truncatedAlerts: 3, alerts: [alert(pod)] }).truncatedAlerts).toBe(3);
  });

  it("takes an alert's status over the payload's", () => {
    const parsed = parseAlertmanagerWebhook({ status: "firing", alerts: [alert(pod, { status: "resolved" })] });
    expect(parsed.alerts[0].ok && parsed.alerts[0].signal.status).toBe("resolved");
  });

  it("treats Alertmanager's zero time as absent", () => {
    const parsed = parseAlertmanagerWebhook({ alerts: [alert(pod, { startsAt: "0001-01-01T00:00:00Z" })] });
    expect(parsed.alerts[0].ok && parsed.alerts[0].signal.firingTime).toBeUndefined();
  });

  it("gives the same delivery key to the same alert delivered twice, and another once it resolves", () => {
    const key = (status: string) => {
      const [a] = parseAlertmanagerWebhook({ groupKey: "g", alerts: [alert(pod, { status, fingerprint: "f" })] }).alerts;
      return a.ok ? a.signal.deliveryKey : "";
    };
    expect(key("firing")).toBe(key("firing"));
    expect(key("firing")).not.toBe(key("resolved"));
  });

  it.each([
    ["not an object", [], "body: must be a JSON object (an Alertmanager webhook payload), got an array"],
    ["no alerts", {}, "alerts: is required"],
    ["alerts not an array", { alerts: {} }, "alerts: must be an array, got an object"],
    ["empty alerts", { alerts: [] }, "alerts: is empty: the payload carries no alert"],
    ["too many alerts", { alerts: Array(DEFAULT_SIGNAL_LIMITS.maxAlerts + 1).fill(alert(pod)) }, "alerts: has 30001 alerts, more than the limit of 30000"],
    ["a bad payload status", { status: "pending", alerts: [alert(pod)] }, 'status: must be "firing" or "resolved", got "pending"'],
  ])("rejects a payload with %s", (_what, body, message) => {
    expect(() => parseAlertmanagerWebhook(body)).toThrow(message);
  });

  it.each([
    ["a missing alertname", alert({ pod: "p", namespace: "n" }), "alerts[0].labels.alertname: is required"],
    ["a non-string label", alert({ ...pod, replicas: 3 }), "alerts[0].labels.replicas: must be a string, got a number"],
    ["labels that are not an object", alert("x" as unknown as Record<string, unknown>), "alerts[0].labels: must be an object of string values"],
    ["too many labels", alert({ ...pod, ...Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`l${i}`, "v"])) }), "alerts[0].labels: has 67 entries, more than the limit of 64"],
    ["a label value over the limit", alert({ ...pod, long: "x".repeat(1025) }), "alerts[0].labels.long: is 1025 characters long, more than the limit of 1024"],
    ["an unparseable startsAt", alert(pod, { startsAt: "yesterday" }), 'alerts[0].startsAt: is not an RFC 3339 timestamp: "yesterday"'],
  ])("rejects only the alert with %s, naming the field", (_what, bad, message) => {
    const parsed = parseAlertmanagerWebhook({ alerts: [alert(pod), bad] });
    expect(parsed.alerts[0].ok).toBe(true);
    const rejected = parsed.alerts[1];
    expect(rejected.ok).toBe(false);
    if (!rejected.ok) expect(rejected.error.message).toContain(message.replace("alerts[0]", "alerts[1]"));
  });

  it("records an alert that names no resource, with an Unknown target, instead of rejecting it (Alertmanager would drop it)", () => {
    const [a] = parseAlertmanagerWebhook({ alerts: [alert({ alertname: "KubeCPUOvercommit", cluster: "eu-1" })] }).alerts;
    expect(a.ok && a.signal.target).toEqual({ kind: "Unknown", name: "unknown", namespace: "" });
  });

  it("keeps the payload's common cluster label on each signal, for the kubernaut fingerprint", () => {
    const [a] = parseAlertmanagerWebhook({ commonLabels: { cluster: "eu-1" }, alerts: [alert(pod)] }).alerts;
    expect(a.ok && a.signal.cluster).toBe("eu-1");
    const [b] = parseAlertmanagerWebhook({ alerts: [alert({ ...pod, cluster: "eu-1" })] }).alerts;
    expect(b.ok && b.signal.cluster).toBeUndefined();
  });

  it("truncates long annotations instead of rejecting the alert", () => {
    const [a] = parseAlertmanagerWebhook({ alerts: [alert(pod, { annotations: { description: "d".repeat(10_000) } })] }).alerts;
    expect(a.ok && a.signal.annotations.description.length).toBe(DEFAULT_SIGNAL_LIMITS.maxAnnotationValueLength);
    expect(a.ok && a.signal.annotations.description.endsWith("…[truncated]")).toBe(true);
  });

  it("keeps a __proto__ label as plain data", () => {
    const body = JSON.parse('{"alerts":[{"labels":{"alertname":"X","pod":"p","namespace":"n","__proto__":"polluted"}}]}');
    const [a] = parseAlertmanagerWebhook(body).alerts;
    expect(a.ok && Object.getPrototypeOf(a.signal.labels)).toBe(Object.prototype);
    expect(a.ok && Object.keys(a.signal.labels)).toContain("__proto__");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
