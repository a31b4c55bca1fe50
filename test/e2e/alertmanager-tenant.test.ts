import type { RemediationRequest } from "../../src/model/remediation-request";
import { scrapeSum } from "../helpers/metrics";
import { loopbackTls } from "../helpers/test-pki";
import { kubeconfigPath, kubectl } from "../integration/helpers/controlplane";
import { TestEnvironment } from "../integration/helpers/environment";
import { GatewayProcess, startGatewayProcess } from "../integration/helpers/gateway-process";
import { signalSenderAccount } from "../integration/helpers/rbac";
import { RunningAlertmanager, startAlertmanager } from "./helpers/alertmanager";
import { eventuallyShowing } from "./helpers/eventually";

/**
 * End to end, tenant-scoped senders (GATEWAY_AUTH_SCOPE=namespace): a team's
 * real Alertmanager, with the README's receiver block and a token for the
 * audience rr-gateway of a service account bound to rr-signal-sender in the
 * team's namespace only, over HTTPS. Its alerts for its own namespace become
 * RRs; its alerts for another team's namespace are refused (403, which
 * Alertmanager does not retry) and create nothing.
 */
const env = new TestEnvironment();
let rrNamespace: string;
let teamA: string;
let teamB: string;
let gateway: GatewayProcess;
let alertmanager: RunningAlertmanager | undefined;

beforeAll(async () => {
  [rrNamespace, teamA, teamB] = await Promise.all([env.freshNamespace("e2e-tenant"), env.freshNamespace("e2e-team-a"), env.freshNamespace("e2e-team-b")]);
  gateway = await startGatewayProcess(
    rrNamespace,
    { GATEWAY_AUTH: "kubernetes", GATEWAY_AUTH_AUDIENCES: "rr-gateway", GATEWAY_AUTH_SCOPE: "namespace", LOG_LEVEL: "warn" },
    { tls: loopbackTls() },
  );
}, 600_000);

afterAll(async () => {
  await alertmanager?.stop();
  await gateway?.kill();
  await env.close();
});

function rrs(signalName: string): RemediationRequest[] {
  const list = JSON.parse(kubectl("admin", ["get", "rr", "-n", rrNamespace, "-o", "json"])) as { items: RemediationRequest[] };
  return list.items.filter(rr => rr.spec.signalName === signalName);
}

const eventually = eventuallyShowing(() => ({ gateway, ...(alertmanager ? { "team A's Alertmanager": alertmanager } : {}) }), { timeoutMs: 30_000, intervalMs: 250 });

it("turns a team's alerts for its own namespace into RRs and refuses those for another team's namespace", async () => {
  const token = (await signalSenderAccount(await env.kube("admin"), kubeconfigPath("admin"), teamA, "alertmanager"))("rr-gateway");
  alertmanager = await startAlertmanager({ webhookUrl: `${gateway.url}/api/v1/signals/prometheus`, caFile: loopbackTls().caFile, token, groupWait: "1s", groupInterval: "2s", repeatInterval: "1h" });
  await alertmanager.postAlerts([
    { labels: { alertname: "E2ETenantOwn", severity: "critical", namespace: teamA, pod: "api-1" } },
    { labels: { alertname: "E2ETenantOther", severity: "critical", namespace: teamB, pod: "api-1" } },
  ]);

  const [rr] = await eventually("an RR for team A's alert", () => (rrs("E2ETenantOwn").length > 0 ? rrs("E2ETenantOwn") : undefined));
  expect(rr.spec.targetResource).toMatchObject({ kind: "Pod", name: "api-1", namespace: teamA });

  // Alertmanager groups by namespace: team B's group is a payload of its own, answered 403 and not retried.
  await eventually("Alertmanager to record the refused notification", async () => (await alertmanager!.metric("alertmanager_notifications_failed_total", /integration="webhook"/)) >= 1);
  expect(alertmanager.output()).toMatch(/unexpected status code 403/);
  expect(await scrapeSum(gateway.url, "rr_gateway_signals_forbidden_total", 'scope="namespace"', gateway.dispatcher)).toBeGreaterThanOrEqual(1);
  expect(rrs("E2ETenantOther")).toEqual([]);
}, 120_000);
