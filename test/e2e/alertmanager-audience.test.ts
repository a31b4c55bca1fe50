import type { RemediationRequest } from "../../src/model/remediation-request";
import { scrapeSum } from "../helpers/metrics";
import { loopbackTls } from "../helpers/test-pki";
import { kubeconfigPath, kubectl, tokenOf } from "../integration/helpers/controlplane";
import { TestEnvironment } from "../integration/helpers/environment";
import { GatewayProcess, startGatewayProcess } from "../integration/helpers/gateway-process";
import { signalSenderAccount } from "../integration/helpers/rbac";
import { RunningAlertmanager, startAlertmanager } from "./helpers/alertmanager";
import { eventuallyShowing } from "./helpers/eventually";

/**
 * End to end, the deployed install's authentication: a gateway that serves
 * HTTPS and accepts only tokens for the audience rr-gateway
 * (GATEWAY_AUTH_AUDIENCES, as package.json's pepr.env sets it), and real
 * Alertmanagers with the README's receiver block. One sends a TokenRequest
 * token for that audience (what a projected service-account token volume
 * gives its pod) of a service account bound to rr-signal-sender; the other a
 * token the API server accepts but that was not issued for rr-gateway.
 */
const env = new TestEnvironment();
let namespace: string;
let gateway: GatewayProcess;
const alertmanagers: RunningAlertmanager[] = [];

beforeAll(async () => {
  namespace = await env.freshNamespace("e2e-audience");
  gateway = await startGatewayProcess(namespace, { GATEWAY_AUTH: "kubernetes", GATEWAY_AUTH_AUDIENCES: "rr-gateway", LOG_LEVEL: "warn" }, { tls: loopbackTls() });
}, 600_000);

afterAll(async () => {
  await Promise.all(alertmanagers.map(am => am.stop()));
  await gateway?.kill();
  await env.close();
});

/** An Alertmanager with the README's receiver block and this token, delivering to the gateway over HTTPS. */
async function alertmanagerWith(token: string): Promise<RunningAlertmanager> {
  const am = await startAlertmanager({ webhookUrl: `${gateway.url}/api/v1/signals/prometheus`, caFile: loopbackTls().caFile, token, groupWait: "1s", groupInterval: "2s", repeatInterval: "1h" });
  alertmanagers.push(am);
  return am;
}

function rrs(signalName: string): RemediationRequest[] {
  const list = JSON.parse(kubectl("admin", ["get", "rr", "-n", namespace, "-o", "json"])) as { items: RemediationRequest[] };
  return list.items.filter(rr => rr.spec.signalName === signalName);
}

const eventually = eventuallyShowing(() => ({ gateway, ...Object.fromEntries(alertmanagers.map((am, i) => [`Alertmanager ${i + 1}`, am])) }), { timeoutMs: 30_000, intervalMs: 250 });

it("delivers alerts as RRs when Alertmanager sends a token issued for the audience rr-gateway", async () => {
  const token = (await signalSenderAccount(await env.kube("admin"), kubeconfigPath("admin"), namespace, "alertmanager"))("rr-gateway");
  const am = await alertmanagerWith(token);
  await am.postAlerts([{ labels: { alertname: "E2EAudienceBound", severity: "critical", namespace: "prod", pod: "api-1" } }]);
  const [rr] = await eventually("an RR for E2EAudienceBound", () => (rrs("E2EAudienceBound").length > 0 ? rrs("E2EAudienceBound") : undefined));
  expect(rr.spec.targetResource).toMatchObject({ kind: "Pod", name: "api-1", namespace: "prod" });
  expect(await am.metric("alertmanager_notifications_failed_total", /integration="webhook"/)).toBe(0);
}, 90_000);

it("refuses with 401 (not retried) a token valid for the API server but not for the audience rr-gateway: no RR", async () => {
  const am = await alertmanagerWith(tokenOf("alertmanager"));
  const before = await scrapeSum(gateway.url, "rr_gateway_signals_rejected_total", /reason="unauthenticated"/, gateway.dispatcher);
  await am.postAlerts([{ labels: { alertname: "E2EWrongAudience", severity: "critical", namespace: "prod", pod: "api-2" } }]);
  await eventually("Alertmanager to record the failed notification", async () => (await am.metric("alertmanager_notifications_failed_total", /integration="webhook"/)) >= 1);
  expect(am.output()).toMatch(/unexpected status code 401/);
  expect(await scrapeSum(gateway.url, "rr_gateway_signals_rejected_total", /reason="unauthenticated"/, gateway.dispatcher)).toBeGreaterThan(before);
  expect(rrs("E2EWrongAudience")).toEqual([]);
}, 90_000);
