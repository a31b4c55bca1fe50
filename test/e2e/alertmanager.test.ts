import type { RemediationRequest } from "../../src/model/remediation-request";
import { scrapeSum } from "../helpers/metrics";
import { loopbackTls } from "../helpers/test-pki";
import { kubectl, tokenOf } from "../integration/helpers/controlplane";
import { TestEnvironment } from "../integration/helpers/environment";
import { GatewayProcess, startGatewayProcess } from "../integration/helpers/gateway-process";
import { killAllOrchestrators, OrchestratorProcess } from "../integration/helpers/orchestrator-process";
import { RunningAlertmanager, startAlertmanager } from "./helpers/alertmanager";
import { eventuallyShowing } from "./helpers/eventually";

/**
 * End to end: a real Prometheus Alertmanager (Debian package) delivers to the
 * gateway through the README's receiver block, over HTTPS (a test CA's
 * certificate for 127.0.0.1, the CA in tls_config.ca_file), authenticating
 * with a bearer token the gateway checks by TokenReview + SubjectAccessReview
 * (GATEWAY_AUTH=kubernetes); the mock orchestrator runs beside it with
 * hour-long phases so RRs stay active. Results are read back with kubectl.
 */
const env = new TestEnvironment();
let namespace: string;
let gateway: GatewayProcess;
let alertmanager: RunningAlertmanager;

beforeAll(async () => {
  namespace = await env.freshNamespace("e2e");
  gateway = await startGatewayProcess(namespace, { GATEWAY_AUTH: "kubernetes", LOG_LEVEL: "warn" }, { tls: loopbackTls() });
  await OrchestratorProcess.start({ namespace, identity: "e2e-orchestrator", env: { ORCHESTRATOR_PHASE_DURATION: "1h", ORCHESTRATOR_LOG_LEVEL: "info" } });
  alertmanager = await startAlertmanager({
    webhookUrl: `${gateway.url}/api/v1/signals/prometheus`,
    caFile: loopbackTls().caFile,
    token: tokenOf("alertmanager"),
    groupWait: "1s",
    groupInterval: "2s",
    repeatInterval: "3s",
  });
}, 600_000);

afterAll(async () => {
  await alertmanager?.stop();
  await killAllOrchestrators();
  await gateway?.kill();
  await env.close();
});

function rrs(signalName: string): RemediationRequest[] {
  const list = JSON.parse(kubectl("admin", ["get", "rr", "-n", namespace, "-o", "json"])) as { items: RemediationRequest[] };
  return list.items.filter(rr => rr.spec.signalName === signalName);
}

const gatewayMetric = (name: string, labels: RegExp): Promise<number> => scrapeSum(gateway.url, name, labels, gateway.dispatcher);

const eventually = eventuallyShowing(() => ({ Alertmanager: alertmanager, gateway }), { timeoutMs: 30_000, intervalMs: 250 });

it("delivers alerts posted to Alertmanager's API as RRs, with the bearer token of its http_config.authorization", async () => {
  await alertmanager.postAlerts([{ labels: { alertname: "E2EPodCrashLooping", severity: "critical", namespace: "prod", pod: "api-7d9f8-x2x4k" }, annotations: { summary: "crash looping" } }]);
  const [rr] = await eventually(`an RR for E2EPodCrashLooping`, () => (rrs("E2EPodCrashLooping").length > 0 ? rrs("E2EPodCrashLooping") : undefined), 30_000);
  expect(rr.spec.targetResource).toMatchObject({ kind: "Pod", name: "api-7d9f8-x2x4k", namespace: "prod" });
  expect(rr.spec).toMatchObject({ signalType: "alert", signalSource: "prometheus", targetType: "kubernetes" });
  expect(rr.spec.firingTime).toMatch(/^\d{4}-/);
  expect(await alertmanager.metric("alertmanager_notifications_failed_total", /integration="webhook"/)).toBe(0);
}, 90_000);

it("counts Alertmanager's repeats of a firing alert on the same RR instead of creating more", async () => {
  await alertmanager.postAlerts([{ labels: { alertname: "E2EDiskFilling", severity: "warning", namespace: "prod", pod: "db-0" } }]);
  const counted = await eventually(
    `3 deliveries of E2EDiskFilling counted`,
    () => {
      const found = rrs("E2EDiskFilling");
      return found.length > 0 && (found[0].status?.deduplication?.occurrenceCount ?? 0) >= 3 ? found : undefined;
    },
    45_000,
  );
  expect(counted).toHaveLength(1);
  const [rr] = counted;
  expect(rr.status?.overallPhase).toBe("Pending"); // still active: the orchestrator's phases last an hour
  expect(rr.status!.deduplication!.lastSeenAt! > rr.status!.deduplication!.firstSeenAt!).toBe(true);
}, 90_000);

it("records a resolved alert without creating an RR for it, also when it arrives beside a firing one", async () => {
  const before = await gatewayMetric("rr_gateway_signals_resolved_total", /recorded="false"/);
  const now = Date.now();
  await alertmanager.postAlerts([
    { labels: { alertname: "E2EHighLatency", severity: "warning", namespace: "prod", pod: "web-1" } },
    // Already over when it reaches Alertmanager: it goes out in the same notification, as resolved.
    { labels: { alertname: "E2EHighLatency", severity: "warning", namespace: "prod", pod: "web-2" }, startsAt: new Date(now - 600_000).toISOString(), endsAt: new Date(now - 60_000).toISOString() },
  ]);
  await eventually(`the resolved alert to reach the gateway`, async () => (await gatewayMetric("rr_gateway_signals_resolved_total", /recorded="false"/)) > before, 30_000);
  const found = rrs("E2EHighLatency");
  expect(found.map(rr => rr.spec.targetResource?.name)).toEqual(["web-1"]);

  // The firing one resolves: recorded on its RR (resolvedCount), still no new RR.
  await alertmanager.postAlerts([{ labels: { alertname: "E2EHighLatency", severity: "warning", namespace: "prod", pod: "web-1" }, endsAt: new Date().toISOString() }]);
  const [resolved] = await eventually(
    `the resolution of web-1 on its RR`,
    () => {
      const list = rrs("E2EHighLatency");
      return (list[0]?.status?.deduplication?.resolvedCount ?? 0) >= 1 ? list : undefined;
    },
    30_000,
  );
  expect(resolved.metadata.name).toBe(found[0].metadata.name);
  expect(rrs("E2EHighLatency")).toHaveLength(1);
}, 90_000);

it("turns the same alert for two workloads into two RRs", async () => {
  await alertmanager.postAlerts([
    { labels: { alertname: "E2EMemoryHigh", severity: "critical", namespace: "shop", deployment: "payments" } },
    { labels: { alertname: "E2EMemoryHigh", severity: "critical", namespace: "shop", deployment: "inventory" } },
  ]);
  const two = await eventually(`two RRs for E2EMemoryHigh`, () => (rrs("E2EMemoryHigh").length >= 2 ? rrs("E2EMemoryHigh") : undefined), 30_000);
  expect(two).toHaveLength(2);
  expect(two.map(rr => rr.spec.targetResource?.name).sort()).toEqual(["inventory", "payments"]);
  expect(new Set(two.map(rr => rr.spec.signalFingerprint)).size).toBe(2);

  // Each problem's RRs are found by its fingerprint.
  for (const rr of two) {
    const names = kubectl("admin", ["get", "rr", "-n", namespace, "--field-selector", `spec.signalFingerprint=${rr.spec.signalFingerprint}`, "-o", "name"]).trim().split("\n");
    expect(names).toEqual([`remediationrequest.kubernaut.ai/${rr.metadata.name}`]);
  }
}, 90_000);

it("shows the RRs with kubectl get rr: kubernaut's columns plus Occurrences and Storm", async () => {
  await eventually("two RRs for E2EMemoryHigh", () => rrs("E2EMemoryHigh").length >= 2, 30_000);
  const rows = table(kubectl("admin", ["get", "rr", "-n", namespace]));
  expect(Object.keys(rows[0])).toEqual(["NAME", "PHASE", "OUTCOME", "ALERT", "RCA TARGET", "WORKFLOW", "CONFIDENCE", "OCCURRENCES", "STORM", "AGE"]);
  const memory = rows.filter(row => row.ALERT === "E2EMemoryHigh");
  expect(memory).toHaveLength(2);
  for (const row of memory) {
    expect(row.NAME).toMatch(/^rr-[0-9a-f]{12}-[0-9a-f]{8}$/);
    expect(row.PHASE).toBe("Pending");
    expect(Number(row.OCCURRENCES)).toBeGreaterThanOrEqual(1);
    expect(row.AGE).toMatch(/^\d+[sm]/);
  }
}, 90_000);

/** kubectl's table output as rows keyed by column header (cells may be blank; headers may hold one space). */
function table(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trimEnd().split("\n");
  const columns = [...header.matchAll(/\S+(?: \S+)*/g)].map(m => ({ name: m[0], start: m.index }));
  return lines.map(line => Object.fromEntries(columns.map((c, i) => [c.name, line.slice(c.start, columns[i + 1]?.start ?? line.length).trim()])));
}

it("runs with the README's receiver block, over HTTPS with the gateway's CA, on loopback only, with clustering off", () => {
  expect(alertmanager.config).toMatch(/webhook_configs:\n {6}- url: https:\/\/127\.0\.0\.1:\d+\/api\/v1\/signals\/prometheus\n/);
  expect(alertmanager.config).toMatch(/authorization:\n {12}type: Bearer\n {12}credentials_file: \//);
  expect(alertmanager.config).toContain(`tls_config:\n            ca_file: ${loopbackTls().caFile}\n`);
  expect(alertmanager.config).toMatch(/send_resolved: true/);
  expect(alertmanager.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
}, 90_000);

it("refuses an Alertmanager whose token may not send signals (403, not retried): no RR", async () => {
  const intruder = await startAlertmanager({ webhookUrl: `${gateway.url}/api/v1/signals/prometheus`, caFile: loopbackTls().caFile, token: tokenOf("nobody"), groupWait: "1s", groupInterval: "2s", repeatInterval: "1h" });
  try {
    const before = await gatewayMetric("rr_gateway_signals_rejected_total", /reason="forbidden"/);
    await intruder.postAlerts([{ labels: { alertname: "E2EIntruder", severity: "critical", namespace: "prod", pod: "x-1" } }]);
    await eventually("Alertmanager to record the failed notification", async () => (await intruder.metric("alertmanager_notifications_failed_total", /integration="webhook"/)) >= 1, 30_000);
    expect(await gatewayMetric("rr_gateway_signals_rejected_total", /reason="forbidden"/)).toBeGreaterThan(before);
    expect(intruder.output()).toMatch(/unexpected status code 403/);
    expect(rrs("E2EIntruder")).toEqual([]);
  } finally {
    await intruder.stop();
  }
}, 90_000);
