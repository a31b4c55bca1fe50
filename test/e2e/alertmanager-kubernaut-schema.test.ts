import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { RemediationRequest } from "../../src/model/remediation-request";
import { kubernautCrd } from "../helpers/kubernaut-schema";
import { scrapeSum } from "../helpers/metrics";
import { loopbackTls } from "../helpers/test-pki";
import { kubectlBinary, type Identity } from "../integration/helpers/controlplane";
import { TestEnvironment } from "../integration/helpers/environment";
import { GatewayProcess, startGatewayProcess } from "../integration/helpers/gateway-process";
import { killAllOrchestrators, OrchestratorProcess } from "../integration/helpers/orchestrator-process";
import { PrivateControlPlane } from "../integration/helpers/private-controlplane";
import { RunningAlertmanager, startAlertmanager } from "./helpers/alertmanager";
import { eventuallyShowing } from "./helpers/eventually";

/**
 * End to end beside kubernaut: the control plane (slot 9) has kubernaut's
 * RemediationRequest schema (our CRD minus our additions), senders are let in
 * by kubernaut's sender RBAC (create on the Service gateway-service,
 * GATEWAY_AUTH_PRESET=kubernaut), and a real Alertmanager delivers through the
 * README's receiver block. Every notification succeeds (no 4xx, no 5xx), the
 * RRs carry kubernaut's spec, and the mock orchestrator drives them to
 * Completed under kubernaut's status schema.
 */

const plane = new PrivateControlPlane("e2e-kubernaut", 9);
const env = new TestEnvironment(identity => plane.kubeconfig(identity));
let namespace: string;
let gateway: GatewayProcess;
let alertmanager: RunningAlertmanager;

const kubectl = (args: string[], input?: string): string =>
  execFileSync(kubectlBinary(), ["--kubeconfig", plane.kubeconfig("admin"), ...args], { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });

function tokenOn(identity: Identity): string {
  return /token: (\S+)/.exec(readFileSync(plane.kubeconfig(identity), "utf8"))![1];
}

/** kubernaut's sender RBAC, for the alertmanager identity: create the Service gateway-service in the gateway's namespace. */
function grantKubernautSender(ns: string): void {
  const objects = [
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "gateway-sender", namespace: ns }, rules: [{ apiGroups: [""], resources: ["services"], resourceNames: ["gateway-service"], verbs: ["create"] }] },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "gateway-sender", namespace: ns },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "gateway-sender" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "alertmanager" }],
    },
  ];
  kubectl(["apply", "--server-side", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
}

beforeAll(async () => {
  plane.up();
  kubectl(["apply", "--server-side", "--force-conflicts", "-f", "-"], JSON.stringify(kubernautCrd()));
  namespace = await env.freshNamespace("e2e-kubernaut");
  grantKubernautSender(namespace);
  gateway = await startGatewayProcess(namespace, { KUBECONFIG: plane.kubeconfig("gateway"), GATEWAY_AUTH: "kubernetes", GATEWAY_AUTH_PRESET: "kubernaut", LOG_LEVEL: "warn" }, { tls: loopbackTls() });
  await OrchestratorProcess.start({ namespace, identity: "e2e-kubernaut-orchestrator", env: { KUBECONFIG: plane.kubeconfig("orchestrator"), ORCHESTRATOR_PHASE_DURATION: "500ms", ORCHESTRATOR_LOG_LEVEL: "info" } });
  alertmanager = await startAlertmanager({ webhookUrl: `${gateway.url}/api/v1/signals/prometheus`, caFile: loopbackTls().caFile, token: tokenOn("alertmanager"), groupWait: "1s", groupInterval: "2s", repeatInterval: "3s" });
}, 600_000);

afterAll(async () => {
  await alertmanager?.stop();
  await killAllOrchestrators();
  await gateway?.kill();
  await env.close();
  plane.down();
}, 120_000);

async function rrs(signalName: string): Promise<RemediationRequest[]> {
  return (await (await env.rrClient("admin", namespace)).list()).items.filter(rr => rr.spec.signalName === signalName);
}

const eventually = eventuallyShowing(() => ({ Alertmanager: alertmanager, gateway }), { timeoutMs: 45_000, intervalMs: 250 });

it("reports its optional features off: the installed schema is kubernaut's", async () => {
  for (const feature of ["storm-aggregation", "resolved-counts", "duplicate-marking", "event-watermarks"]) expect(await scrapeSum(gateway.url, "rr_gateway_feature_enabled", `feature="${feature}"`, gateway.dispatcher)).toBe(0);
});

it("records Alertmanager's alerts with kubernaut's spec, lets the sender in by kubernaut's RBAC, and the RR runs to Completed", async () => {
  await alertmanager.postAlerts([{ labels: { alertname: "KSCrashLooping", severity: "critical", namespace: "prod", pod: "api-0", cluster: "eu-1" }, annotations: { summary: "crash looping" } }]);
  // Alertmanager repeats the alert every few seconds: after the first RR completes, the next opens a successor.
  const rr = await eventually("the first RR to complete", async () => (await rrs("KSCrashLooping")).find(found => found.status?.overallPhase === "Completed"));
  expect(rr.spec).toMatchObject({ signalType: "alert", signalSource: "prometheus", targetType: "kubernetes", clusterID: "eu-1", targetResource: { kind: "Pod", name: "api-0", namespace: "prod" } });
  expect(rr.status?.completionStatus?.outcome).toBe("Remediated");
  expect(rr.status).not.toHaveProperty("stormAggregation");
});

it("counts repeats and takes resolved notifications without a failed delivery", async () => {
  const now = Date.now();
  await alertmanager.postAlerts([{ labels: { alertname: "KSDiskFilling", severity: "warning", namespace: "prod", pod: "db-0" }, startsAt: new Date(now).toISOString() }]);
  // The orchestrator completes an RR within seconds, and the next notification opens its successor: count over all of them.
  const counted = async (): Promise<number> => (await rrs("KSDiskFilling")).reduce((sum, rr) => sum + (rr.status?.deduplication?.occurrenceCount ?? 0), 0);
  await eventually("3 deliveries counted", async () => (await counted()) >= 3);
  await alertmanager.postAlerts([{ labels: { alertname: "KSDiskFilling", severity: "warning", namespace: "prod", pod: "db-0" }, startsAt: new Date(now).toISOString(), endsAt: new Date().toISOString() }]);
  await eventually("the resolved notification", async () => (await scrapeSum(gateway.url, "rr_gateway_signals_resolved_total", undefined, gateway.dispatcher)) >= 1);
  expect(await alertmanager.metric("alertmanager_notifications_failed_total", /integration="webhook"/)).toBe(0);
  expect(await scrapeSum(gateway.url, "rr_gateway_signals_rejected_total", undefined, gateway.dispatcher)).toBe(0);
}, 90_000);
