import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino, { type Logger } from "pino";
import { alert, post, PROMETHEUS_PATH, uniqueNames, webhook } from "../helpers/signals";
import { kubeconfigPath, kubectlBinary, REPO_DIR } from "./helpers/controlplane";
import { TestEnvironment } from "./helpers/environment";
import { signalSenderAccount } from "./helpers/rbac";
import { startTestGateway, type TestGateway } from "./helpers/gateway";
import type { KubeClient } from "../../src/k8s/kube-client";

/**
 * Tenant-scoped senders (GATEWAY_AUTH_SCOPE=namespace) against the real API
 * server: each signal is authorised in its target's namespace, so a team's
 * Alertmanager bound (RoleBinding of rr-signal-sender) in its own namespace
 * opens RemediationRequests there and nowhere else; cluster-scoped targets
 * need a cluster-wide binding; answers are cached per (user, namespace).
 */

const env = new TestEnvironment();
const freshPod = uniqueNames("pod");
const authorized = (token: string) => ({ authorization: `Bearer ${token}` });
const podAlert = (namespace: string) => alert({ alertname: "TenantProbe", pod: freshPod(), namespace });
const nodeAlert = () => alert({ alertname: "TenantNodeProbe", labels: { node: freshPod() } });

/** A logger that keeps every line, for the test to search. */
function capturingLogger(): { logger: Logger; text: () => string } {
  const lines: string[] = [];
  return { logger: pino({ level: "info" }, { write: (line: string) => void lines.push(line) }), text: () => lines.join("") };
}

async function namespaceReviews(gw: TestGateway): Promise<Record<string, number>> {
  const { values } = await gw.gateway.metrics.namespaceReviews.get();
  return Object.fromEntries(values.map(v => [String(v.labels.result), v.value]));
}

/** rr_gateway_signals_forbidden_total by the review's scope (the label never carries the namespace itself: unbounded). */
async function forbiddenBy(gw: TestGateway, scope: "namespace" | "cluster"): Promise<number> {
  const { values } = await gw.gateway.metrics.signalsForbidden.get();
  return values.find(v => v.labels.scope === scope)?.value ?? 0;
}

let admin: KubeClient;
let rrNamespace: string;
let teamA: string;
let teamB: string;
let teamAToken: string;
let platformToken: string;
const platformBinding = `rr-platform-sender-${Date.now().toString(36)}`;

beforeAll(async () => {
  admin = await env.kube("admin");
  [rrNamespace, teamA, teamB] = await Promise.all([env.freshNamespace("tenant-rr"), env.freshNamespace("team-a"), env.freshNamespace("team-b")]);
  // Team A's Alertmanager: rr-signal-sender bound in team A's namespace only.
  teamAToken = (await signalSenderAccount(admin, kubeconfigPath("admin"), teamA, "team-alertmanager"))();
  // The platform's Alertmanager: rr-signal-sender bound cluster-wide.
  await admin.request({ method: "POST", path: `/api/v1/namespaces/${rrNamespace}/serviceaccounts`, body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "platform-alertmanager" } }, what: "create ServiceAccount" });
  await admin.request({
    method: "POST",
    path: "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
    body: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: platformBinding },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "rr-signal-sender" },
      subjects: [{ kind: "ServiceAccount", name: "platform-alertmanager", namespace: rrNamespace }],
    },
    what: "create ClusterRoleBinding",
  });
  platformToken = execFileSync(kubectlBinary(), ["--kubeconfig", kubeconfigPath("admin"), "create", "token", "platform-alertmanager", "-n", rrNamespace, "--duration=1h"], { encoding: "utf8" }).trim();
});

afterAll(async () => {
  await admin?.request({ method: "DELETE", path: `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${platformBinding}`, what: "delete ClusterRoleBinding" }).catch(() => undefined);
  await env.close();
});

describe("GATEWAY_AUTH_SCOPE=namespace", () => {
  let gw: TestGateway;
  const log = capturingLogger();

  beforeAll(async () => {
    gw = await startTestGateway(rrNamespace, { GATEWAY_AUTH: "kubernetes", GATEWAY_AUTH_SCOPE: "namespace" }, { logger: log.logger });
  });
  afterAll(() => gw?.stop());

  it("records a team sender's alerts for its own namespace and refuses, alert by alert, those for another team's, in one payload", async () => {
    const reply = await post(gw.url, PROMETHEUS_PATH, webhook([podAlert(teamA), podAlert(teamB), podAlert(teamA)]), authorized(teamAToken));
    expect(reply.status).toBe(207);
    const { results, summary } = reply.body as { results: Record<string, unknown>[]; summary: Record<string, number> };
    expect(results.map(r => r.status)).toEqual(["created", "rejected", "created"]);
    expect(results[1]).toMatchObject({ forbidden: { scope: "namespace", namespace: teamB }, message: expect.stringContaining(`may not send signals for namespace ${teamB}`) });
    expect(results[1].fingerprint).toBeUndefined();
    expect(summary).toMatchObject({ total: 3, created: 2, rejected: 1 });
    expect(await forbiddenBy(gw, "namespace")).toBe(1);
  });

  it("answers a lone alert for another team's namespace 403, naming the namespace", async () => {
    const reply = await post(gw.url, PROMETHEUS_PATH, webhook([podAlert(teamB)]), authorized(teamAToken));
    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({ code: "GW_FORBIDDEN", forbidden: { scope: "namespace", namespace: teamB } });
  });

  it("asks the API server once per namespace while the answers are cached, however many alerts and payloads", async () => {
    const before = await namespaceReviews(gw);
    for (let i = 0; i < 3; i++) {
      const reply = await post(gw.url, PROMETHEUS_PATH, webhook([podAlert(teamA), podAlert(teamB), podAlert(teamA), podAlert(teamB)]), authorized(teamAToken));
      expect(reply.status).toBe(207);
    }
    expect(await namespaceReviews(gw)).toEqual(before);
  });

  it("authorises a cluster-scoped target (a Node) with a cluster-scoped review: refused to a team's sender, recorded for the platform's", async () => {
    const team = await post(gw.url, PROMETHEUS_PATH, webhook([nodeAlert()]), authorized(teamAToken));
    expect(team.status).toBe(403);
    expect(team.body).toMatchObject({ forbidden: { scope: "cluster" } });
    expect(await forbiddenBy(gw, "cluster")).toBe(1);

    const platform = await post(gw.url, PROMETHEUS_PATH, webhook([nodeAlert(), podAlert(teamB), podAlert(teamA)]), authorized(platformToken));
    expect(platform.status).toBe(207);
    expect((platform.body as { results: { status: string }[] }).results.map(r => r.status)).toEqual(["created", "created", "created"]);
  });

  it("logs the refused namespace and the sender, never the token", () => {
    const text = log.text();
    expect(text).toContain(`"namespace":"${teamB}"`);
    expect(text).toContain(`system:serviceaccount:${teamA}:team-alertmanager`);
    expect(text).not.toContain(teamAToken);
  });
});

describe("GATEWAY_AUTH_SCOPE=namespace, cache expiry", () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway(rrNamespace, { GATEWAY_AUTH: "kubernetes", GATEWAY_AUTH_SCOPE: "namespace", GATEWAY_AUTH_CACHE_SECONDS: "1" });
  });
  afterAll(() => gw?.stop());

  it("asks again once per namespace after the cache TTL", async () => {
    const payload = () => webhook([podAlert(teamA), podAlert(teamA), podAlert(teamB)]);
    await post(gw.url, PROMETHEUS_PATH, payload(), authorized(teamAToken));
    await post(gw.url, PROMETHEUS_PATH, payload(), authorized(teamAToken));
    expect(await namespaceReviews(gw)).toEqual({ allowed: 1, denied: 1 });
    await new Promise(resolve => setTimeout(resolve, 1_200));
    await post(gw.url, PROMETHEUS_PATH, payload(), authorized(teamAToken));
    expect(await namespaceReviews(gw)).toEqual({ allowed: 2, denied: 2 });
  });
});

describe("GATEWAY_AUTH_SCOPE=namespace with a static token", () => {
  let gw: TestGateway;
  const staticToken = `static-${Date.now().toString(36)}-tenant`;

  beforeAll(async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "rrgw-tenant-")), "tokens");
    writeFileSync(file, `${staticToken}\n`);
    gw = await startTestGateway(rrNamespace, { GATEWAY_AUTH: "kubernetes", GATEWAY_AUTH_SCOPE: "namespace", GATEWAY_STATIC_TOKENS_FILE: file });
  });
  afterAll(() => gw?.stop());

  it("lets it send for every namespace (it has no Kubernetes identity: it is the operator's own), asking nothing", async () => {
    const reply = await post(gw.url, PROMETHEUS_PATH, webhook([podAlert(teamA), podAlert(teamB), nodeAlert()]), authorized(staticToken));
    expect((reply.body as { results: { status: string }[] }).results.map(r => r.status)).toEqual(["created", "created", "created"]);
    expect(await namespaceReviews(gw)).toEqual({});
  });
});

describe("GATEWAY_AUTH_SCOPE=namespace with GATEWAY_SCOPE=managed-label", () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway(rrNamespace, { GATEWAY_AUTH: "kubernetes", GATEWAY_AUTH_SCOPE: "namespace", GATEWAY_SCOPE: "managed-label" });
  });
  afterAll(() => gw?.stop());

  it("authorises first, then judges scope: another team's alert is forbidden, an allowed unlabelled one is out of scope", async () => {
    const reply = await post(gw.url, PROMETHEUS_PATH, webhook([podAlert(teamB), podAlert(teamA)]), authorized(teamAToken));
    expect(reply.status).toBe(207);
    const [other, own] = (reply.body as { results: Record<string, unknown>[] }).results;
    expect(other).toMatchObject({ status: "rejected", forbidden: { scope: "namespace", namespace: teamB } });
    expect(own).toMatchObject({ status: "rejected", rejection: { reason: "unmanaged_resource" } });
  });
});

describe("deploy/examples/tenant-senders.yaml", () => {
  it("is accepted by the API server (server-side dry-run)", async () => {
    for (const name of ["team-a", "team-a-staging"]) {
      await admin.request({ method: "POST", path: "/api/v1/namespaces", body: { apiVersion: "v1", kind: "Namespace", metadata: { name } }, what: `create namespace ${name}` }).catch(() => undefined);
    }
    const file = path.join(REPO_DIR, "deploy/examples/tenant-senders.yaml");
    const out = execFileSync(kubectlBinary(), ["--kubeconfig", kubeconfigPath("admin"), "apply", "--dry-run=server", "-f", file], { encoding: "utf8" });
    expect(out.trim().split("\n")).toHaveLength(3);
  });
});

describe("GATEWAY_AUTH_SCOPE=gateway (the default) with the same team token", () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway(rrNamespace, { GATEWAY_AUTH: "kubernetes" });
  });
  afterAll(() => gw?.stop());

  it("refuses it whole (403): it is not bound in the gateway's namespace", async () => {
    expect((await post(gw.url, PROMETHEUS_PATH, webhook([podAlert(teamA)]), authorized(teamAToken))).status).toBe(403);
  });

  it("lets the cluster-wide platform sender send for every namespace", async () => {
    expect((await post(gw.url, PROMETHEUS_PATH, webhook([podAlert(teamB)]), authorized(platformToken))).status).toBe(201);
  });
});
