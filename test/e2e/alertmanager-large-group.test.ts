import type { RemediationRequest } from "../../src/model/remediation-request";
import { scrapeSum } from "../helpers/metrics";
import { loopbackTls } from "../helpers/test-pki";
import { tokenOf } from "../integration/helpers/controlplane";
import { TestEnvironment } from "../integration/helpers/environment";
import { GatewayProcess, startGatewayProcess } from "../integration/helpers/gateway-process";
import { RunningAlertmanager, startAlertmanager } from "./helpers/alertmanager";
import { eventuallyShowing } from "./helpers/eventually";

/**
 * No alert lost at the door, end to end: a real Alertmanager with the
 * README's receiver block (max_alerts: 0) sends a group of 5,000 alerts (one
 * node going down) to a gateway with default limits, in one notification, and
 * every alert is on an RR of its own, without a failed notification. Alerts
 * that began hours ago (a long-firing alert's notifications) are taken too.
 * group_interval is 2 minutes: Alertmanager gives a notification that long.
 */

const ALERTS = 5_000;
const env = new TestEnvironment();
let namespace: string;
let gateway: GatewayProcess;
let alertmanager: RunningAlertmanager;

beforeAll(async () => {
  namespace = await env.freshNamespace("e2e-large");
  gateway = await startGatewayProcess(namespace, { GATEWAY_AUTH: "kubernetes", LOG_LEVEL: "warn" }, { tls: loopbackTls() });
  alertmanager = await startAlertmanager({ webhookUrl: `${gateway.url}/api/v1/signals/prometheus`, caFile: loopbackTls().caFile, token: tokenOf("alertmanager"), groupWait: "1s", groupInterval: "2m", repeatInterval: "1h" });
}, 600_000);

afterAll(async () => {
  await alertmanager?.stop();
  await gateway?.kill();
  await env.close();
});

async function rrsNamed(alertname: string): Promise<RemediationRequest[]> {
  return (await (await env.rrClient("admin", namespace)).list()).items.filter(rr => rr.spec.signalName === alertname);
}

const eventually = eventuallyShowing(() => ({ Alertmanager: alertmanager, gateway }), { timeoutMs: 60_000, intervalMs: 1_000 });

it(`delivers a ${ALERTS}-alert group whole, and every alert is on an RR of its own`, async () => {
  const pods = Array.from({ length: ALERTS }, (_, i) => `web-${i.toString(36).padStart(4, "0")}-x${(i * 7919).toString(36).slice(-4)}`);
  await alertmanager.postAlerts(
    pods.map(pod => ({
      labels: { alertname: "E2EKubePodNotReady", severity: "warning", namespace: "prod", pod, job: "kube-state-metrics", service: "kube-state-metrics", container: "kube-rbac-proxy-main", endpoint: "https-main" },
      annotations: { description: `Pod prod/${pod} has been in a non-ready state for longer than 15 minutes.`, runbook_url: "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodnotready" },
    })),
  );
  const rrs = await eventually(`${ALERTS} RRs`, async () => {
    const found = await rrsNamed("E2EKubePodNotReady");
    return found.length >= ALERTS ? found : undefined;
  }, 300_000);
  expect(rrs).toHaveLength(ALERTS);
  expect(new Set(rrs.map(rr => rr.spec.targetResource.name))).toEqual(new Set(pods));
  expect(rrs.every(rr => rr.status?.deduplication?.occurrenceCount === 1)).toBe(true);
  expect(await alertmanager.metric("alertmanager_notifications_failed_total", /integration="webhook"/)).toBe(0);
  expect(await scrapeSum(gateway.url, "rr_gateway_signals_rejected_total", undefined, gateway.dispatcher)).toBe(0);
}, 400_000);

it("takes an alert that began hours ago: replay protection judges startsAt only when it lies ahead", async () => {
  await alertmanager.postAlerts([{ labels: { alertname: "E2ELongFiring", severity: "critical", namespace: "prod", pod: "db-0" }, startsAt: new Date(Date.now() - 6 * 3600_000).toISOString() }]);
  const [rr] = await eventually("an RR for E2ELongFiring", async () => {
    const found = await rrsNamed("E2ELongFiring");
    return found.length > 0 ? found : undefined;
  }, 60_000);
  expect(Date.now() - Date.parse(rr.spec.firingTime)).toBeGreaterThan(5 * 3600_000);
  expect(await alertmanager.metric("alertmanager_notifications_failed_total", /integration="webhook"/)).toBe(0);
}, 90_000);
