import { readFileSync } from "node:fs";
import type { RemediationRequest } from "../../src/model/remediation-request";
import { scrapeSum } from "../helpers/metrics";
import { loopbackTls } from "../helpers/test-pki";
import type { Identity } from "../integration/helpers/controlplane";
import { TestEnvironment } from "../integration/helpers/environment";
import { GatewayProcess, startGatewayProcess } from "../integration/helpers/gateway-process";
import { PrivateControlPlane } from "../integration/helpers/private-controlplane";
import { RunningAlertmanager, startAlertmanager } from "./helpers/alertmanager";
import { eventuallyShowing } from "./helpers/eventually";

/**
 * End to end, through an API server outage: a real Alertmanager delivers to
 * the gateway while the API server is down for 30 s. The gateway answers 503,
 * Alertmanager retries, and after the API server is back every alert is
 * recorded, each on one RR, none counted twice and none twice as a new RR.
 * On a control plane of its own (slot 6): this test stops its API server.
 */

const OUTAGE_MS = 30_000;
const plane = new PrivateControlPlane("e2e-outage", 6);
const env = new TestEnvironment(identity => plane.kubeconfig(identity));
let namespace: string;
let gateway: GatewayProcess;
let alertmanager: RunningAlertmanager;

/** The bearer token of an identity of this control plane. */
function tokenOn(identity: Identity): string {
  return /token: (\S+)/.exec(readFileSync(plane.kubeconfig(identity), "utf8"))![1];
}

beforeAll(async () => {
  plane.up();
  namespace = await env.freshNamespace("am-outage");
  gateway = await startGatewayProcess(namespace, { KUBECONFIG: plane.kubeconfig("gateway"), GATEWAY_AUTH: "kubernetes", GATEWAY_RETRY_AFTER_SECONDS: "2", LOG_LEVEL: "warn" }, { tls: loopbackTls() });
  // A long repeat interval: a notification that got a 2xx is not sent again, so every count below is exact.
  alertmanager = await startAlertmanager({ webhookUrl: `${gateway.url}/api/v1/signals/prometheus`, caFile: loopbackTls().caFile, token: tokenOn("alertmanager"), groupWait: "1s", groupInterval: "2s", repeatInterval: "1h" });
}, 600_000);

afterAll(async () => {
  await alertmanager?.stop();
  await gateway?.kill();
  await env.close();
  plane.down();
}, 120_000);

async function rrs(): Promise<RemediationRequest[]> {
  return (await (await env.rrClient("admin", namespace)).list()).items;
}

const byPod = (all: RemediationRequest[], pod: string): RemediationRequest[] => all.filter(rr => rr.spec.targetResource?.name === pod);

const gatewayMetric = (name: string, labels: RegExp): Promise<number> => scrapeSum(gateway.url, name, labels, gateway.dispatcher);

const eventually = eventuallyShowing(() => ({ Alertmanager: alertmanager, gateway }), { timeoutMs: 60_000, intervalMs: 500 });

it("records every alert Alertmanager could not deliver during a 30 s API server outage once it is back, none twice", async () => {
  const firing = (alertname: string, pod: string) => ({ labels: { alertname, severity: "critical", namespace: "prod", pod } });

  // Before the outage: one alert, delivered and recorded.
  await alertmanager.postAlerts([firing("E2EOutageBefore", "before-0")]);
  const before = await eventually("the first RR", async () => byPod(await rrs(), "before-0").find(rr => rr.status?.deduplication?.occurrenceCount === 1), 60_000);

  plane.stopApiserver();
  const down = Date.now();
  const failedBefore = await alertmanager.metric("alertmanager_notifications_failed_total", /integration="webhook"/);
  try {
    // New problems, and a new alert in the group of the old one (so the old one is delivered again with it).
    const pods = ["during-0", "during-1", "during-2", "during-3", "during-4"];
    await alertmanager.postAlerts([...pods.map(pod => firing("E2EOutage", pod)), firing("E2EOutageBefore", "before-1")]);
    await eventually("Alertmanager to see its notifications fail", async () => (await alertmanager.metric("alertmanager_notifications_failed_total", /integration="webhook"/)) > failedBefore, 30_000);
    expect(await gatewayMetric("rr_gateway_signals_rejected_total", /reason="unavailable"/)).toBeGreaterThan(0);
    await new Promise(r => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - down))));
  } finally {
    plane.startApiserver();
  }

  // Alertmanager retries until the gateway answers 2xx: then every alert is on exactly one RR.
  const pods = ["during-0", "during-1", "during-2", "during-3", "during-4", "before-1"];
  const all = await eventually(
    "every alert recorded after the outage",
    async () => {
      const list = await rrs();
      return pods.every(pod => byPod(list, pod).some(rr => (rr.status?.deduplication?.occurrenceCount ?? 0) >= 1)) && byPod(list, "before-0")[0]?.status?.deduplication?.occurrenceCount === 2 ? list : undefined;
    },
    120_000,
  );
  expect(all).toHaveLength(pods.length + 1);
  for (const pod of pods) {
    const mine = byPod(all, pod);
    expect(mine).toHaveLength(1);
    expect(mine[0].status?.deduplication?.occurrenceCount).toBe(1);
  }
  // The old problem's alert, delivered again with the new one: counted on its RR, not a new RR.
  expect(byPod(all, "before-0").map(rr => rr.metadata.name)).toEqual([before.metadata.name]);
  expect(new Set(all.map(rr => rr.spec.signalFingerprint)).size).toBe(all.length);
  expect(await alertmanager.metric("alertmanager_notifications_failed_total", /integration="webhook"/)).toBeGreaterThan(failedBefore);
}, 400_000);
