import { alert, post, PROMETHEUS_PATH, webhook } from "../helpers/signals";
import { TestEnvironment } from "./helpers/environment";
import { startTestGateway, TestGateway } from "./helpers/gateway";

// Workloads created as plain objects: no controller runs here, but ownerReferences are all the resolver reads.
const env = new TestEnvironment();
let gw: TestGateway;
let ns: string;
let workloads: string;

async function create(path: string, body: Record<string, unknown>): Promise<{ metadata: { uid: string; name: string } }> {
  const admin = await env.kube("admin");
  return admin.request({ method: "POST", path, body, what: `create ${String(body.kind)}` });
}

const owner = (kind: string, o: { metadata: { uid: string; name: string } }) => [{ apiVersion: "apps/v1", kind, name: o.metadata.name, uid: o.metadata.uid, controller: true }];
const podSpec = { containers: [{ name: "c", image: "busybox" }] };

beforeAll(async () => {
  ns = await env.freshNamespace("owner");
  workloads = await env.freshNamespace("workloads");
  const labels = { app: "web" };
  const deployment = await create(`/apis/apps/v1/namespaces/${workloads}/deployments`, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } },
  });
  const replicaSet = await create(`/apis/apps/v1/namespaces/${workloads}/replicasets`, {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "web-5d4f", ownerReferences: owner("Deployment", deployment) },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } },
  });
  for (const pod of ["web-5d4f-a", "web-5d4f-b"]) {
    await create(`/api/v1/namespaces/${workloads}/pods`, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: pod, labels, ownerReferences: [{ ...owner("ReplicaSet", replicaSet)[0] }] },
      spec: podSpec,
    });
  }
  gw = await startTestGateway(ns, { GATEWAY_FINGERPRINT_STRATEGY: "owner" });
});
afterAll(async () => {
  await gw?.stop();
  await env.close();
});

describe("the owner fingerprint strategy", () => {
  it("turns alerts about different pods of one Deployment into one RR, recording the strategy", async () => {
    const first = await post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname: "CrashLoop", pod: "web-5d4f-a", namespace: workloads })]));
    const second = await post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname: "HighMemory", pod: "web-5d4f-b", namespace: workloads })]));
    expect(first.status).toBe(201);
    expect(second.status).toBe(202);
    expect(second.body.remediationRequestName).toBe(first.body.remediationRequestName);
    const { createHash } = await import("node:crypto");
    expect(first.body.fingerprint).toBe(createHash("sha256").update(`${workloads}:Deployment:web`).digest("hex"));
    const rr = await (await env.rrClient("admin", ns)).get(first.body.remediationRequestName);
    expect(rr.metadata.labels?.["kubernaut.ai/fingerprint-strategy"]).toBe("owner");
  });

  it("uses the target itself when it no longer exists", async () => {
    const reply = await post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname: "CrashLoop", pod: "gone", namespace: workloads })]));
    expect(reply.status).toBe(201);
    const { createHash } = await import("node:crypto");
    expect(reply.body.fingerprint).toBe(createHash("sha256").update(`${workloads}:Pod:gone`).digest("hex"));
  });
});

describe("the kubernaut fingerprint strategy", () => {
  it("reproduces kubernaut's fingerprint: cluster:namespace:Kind:name of the top-level owner, whatever the alert", async () => {
    const kubernautNs = await env.freshNamespace("kubernaut");
    const kgw = await startTestGateway(kubernautNs, { GATEWAY_FINGERPRINT_STRATEGY: "kubernaut" });
    try {
      const payload = webhook([alert({ alertname: "CrashLoop", pod: "web-5d4f-a", namespace: workloads }), alert({ alertname: "HighMemory", pod: "web-5d4f-b", namespace: workloads })], { commonLabels: { cluster: "eu-1" } });
      const reply = await post(kgw.url, PROMETHEUS_PATH, payload);
      expect(reply.status).toBe(207);
      const { createHash } = await import("node:crypto");
      const expected = createHash("sha256").update(`eu-1:${workloads}:Deployment:web`).digest("hex");
      const results: { fingerprint: string; status: string }[] = reply.body.results;
      expect(results.map(r => r.fingerprint)).toEqual([expected, expected]);
      // The two alerts of one payload race: which one creates the RR is not fixed.
      expect(results.map(r => r.status).sort()).toEqual(["created", "duplicate"]);
    } finally {
      await kgw.stop();
    }
  });
});
