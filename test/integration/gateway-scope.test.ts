import { randomBytes } from "node:crypto";
import type { KubeClient } from "../../src/k8s/kube-client";
import type { RemediationRequestClient } from "../../src/k8s/rr-client";
import { scrapeSum } from "../helpers/metrics";
import { alert, EVENT_PATH, post, PROMETHEUS_PATH, uniqueNames, warningEvent, webhook, type SignalReply } from "../helpers/signals";
import { TestEnvironment } from "./helpers/environment";
import { startTestGateway, type TestGateway } from "./helpers/gateway";
import { waitFor } from "./helpers/wait";

/**
 * GATEWAY_SCOPE=managed-label against the real API server: kubernaut's
 * kubernaut.ai/managed rule, read from watches (no request per signal), and
 * label changes seen within seconds.
 */
const env = new TestEnvironment();
const LABEL = "kubernaut.ai/managed";
let admin: KubeClient;
let rrNamespace: string;
let rrs: RemediationRequestClient;
let gw: TestGateway;
/** Target namespaces: labelled true, labelled false, and unlabelled. */
let managed: string, unmanaged: string, unlabelled: string;
const freshName = uniqueNames("scope");
const suffix = randomBytes(3).toString("hex");

beforeAll(async () => {
  admin = await env.kube("admin");
  rrNamespace = await env.freshNamespace("scope-rrs");
  rrs = await env.rrClient("admin", rrNamespace);
  [managed, unmanaged, unlabelled] = await Promise.all([env.freshNamespace("managed"), env.freshNamespace("unmanaged"), env.freshNamespace("unlabelled")]);
  await Promise.all([labelNamespace(managed, "true"), labelNamespace(unmanaged, "false")]);
  gw = await startTestGateway(rrNamespace, { GATEWAY_SCOPE: "managed-label" });
});
afterAll(async () => {
  await gw?.stop();
  await env.close();
});

/** Sets (a value) or removes (null) the scope label of an object, as the admin. */
async function setLabel(path: string, value: string | null): Promise<void> {
  await admin.request({ method: "PATCH", path, contentType: "application/merge-patch+json", body: { metadata: { labels: { [LABEL]: value } } }, what: `label ${path}` });
}
const labelNamespace = (name: string, value: string | null): Promise<void> => setLabel(`/api/v1/namespaces/${name}`, value);

async function createDeployment(namespace: string, name: string, value?: string): Promise<void> {
  const labels = value === undefined ? {} : { [LABEL]: value };
  const template = { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image: "example.com/app:1" }] } };
  await admin.request({
    method: "POST",
    path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
    body: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name, labels }, spec: { selector: { matchLabels: { app: name } }, template } },
    what: `create Deployment ${namespace}/${name}`,
  });
}

async function createNode(name: string, value?: string): Promise<void> {
  const labels = value === undefined ? {} : { [LABEL]: value };
  await admin.request({ method: "POST", path: "/api/v1/nodes", body: { apiVersion: "v1", kind: "Node", metadata: { name, labels } }, what: `create Node ${name}` });
}

const firePod = (namespace: string, pod = freshName()): Promise<SignalReply> => post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname: "PodCrashLooping", pod, namespace })]));
const fireDeployment = (namespace: string, deployment: string): Promise<SignalReply> => post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname: "DeploymentDown", deployment, namespace })]));
const fireNode = (node: string): Promise<SignalReply> => post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname: "NodeNotReady", labels: { node } })]));

/** The RRs whose target is this object. */
async function rrsFor(name: string): Promise<number> {
  return (await rrs.list()).items.filter(rr => rr.spec.targetResource.name === name).length;
}

describe("GATEWAY_SCOPE=managed-label (kubernaut's rule)", () => {
  it("accepts a target whose namespace is labelled kubernaut.ai/managed=true (201, an RR)", async () => {
    const reply = await firePod(managed);
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ status: "created" });
  });

  it("answers a target in a namespace labelled false, unlabelled or missing with 200 and kubernaut's rejection, writes nothing, and counts it", async () => {
    const before = await scrapeSum(gw.url, "rr_gateway_signals_rejected_total", 'reason="unmanaged_resource"');
    for (const namespace of [unmanaged, unlabelled, `missing-${suffix}`]) {
      const pod = freshName();
      const reply = await firePod(namespace, pod);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        status: "rejected",
        duplicate: false,
        message: `Signal rejected: resource ${namespace}:Pod:${pod} is not managed by Kubernaut`,
        rejection: {
          status: "rejected",
          reason: "unmanaged_resource",
          message: `Resource ${namespace}:Pod:${pod} is not in Kubernaut's management scope`,
          resource: `${namespace}:Pod:${pod}`,
          action: `To manage this resource, add the label: kubectl label -n ${namespace} pod ${pod} kubernaut.ai/managed=true`,
        },
      });
      expect(await rrsFor(pod)).toBe(0);
    }
    expect(await scrapeSum(gw.url, "rr_gateway_signals_rejected_total", 'reason="unmanaged_resource"')).toBe(before + 3);
  });

  it("lets the resource's own label override its namespace's: true over false, false over true", async () => {
    const optedIn = freshName();
    const optedOut = freshName();
    await createDeployment(unmanaged, optedIn, "true");
    await createDeployment(managed, optedOut, "false");
    expect((await fireDeployment(unmanaged, optedIn)).status).toBe(201);
    const reply = await fireDeployment(managed, optedOut);
    expect(reply.status).toBe(200);
    expect(reply.body.rejection).toMatchObject({ resource: `${managed}:Deployment:${optedOut}` });
  });

  it("needs a cluster-scoped Node's own label: no namespace can opt it in", async () => {
    const [labelled, plain] = [`scope-node-${suffix}-in`, `scope-node-${suffix}-out`];
    await Promise.all([createNode(labelled, "true"), createNode(plain)]);
    expect((await fireNode(labelled)).status).toBe(201);
    const reply = await fireNode(plain);
    expect(reply.status).toBe(200);
    expect(reply.body.rejection).toMatchObject({ resource: `Node:${plain}`, action: `To manage this resource, add the label: kubectl label node ${plain} kubernaut.ai/managed=true` });
  });

  it("filters Kubernetes events the same way", async () => {
    const event = (namespace: string): unknown => warningEvent("BackOff", { kind: "Pod", name: freshName(), namespace });
    expect((await post(gw.url, EVENT_PATH, event(managed))).status).toBe(201);
    const reply = await post(gw.url, EVENT_PATH, event(unmanaged));
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ status: "rejected", rejection: { reason: "unmanaged_resource" } });
  });

  it("answers each alert of a payload on its own: kubernaut's rejection inside the 207", async () => {
    const [inScope, outOfScope] = [freshName(), freshName()];
    const reply = await post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname: "Mixed", pod: inScope, namespace: managed }), alert({ alertname: "Mixed", pod: outOfScope, namespace: unmanaged })]));
    expect(reply.status).toBe(207);
    expect(reply.body.results[0]).toMatchObject({ status: "created" });
    expect(reply.body.results[1]).toMatchObject({ status: "rejected", rejection: { reason: "unmanaged_resource", resource: `${unmanaged}:Pod:${outOfScope}` } });
    expect(reply.body.summary).toMatchObject({ total: 2, created: 1, rejected: 1 });
    expect(await rrsFor(outOfScope)).toBe(0);
  });
});

describe("label changes", () => {
  it("take effect within seconds when a namespace's label flips", async () => {
    const namespace = await env.freshNamespace("flip");
    expect((await firePod(namespace)).status).toBe(200);
    await labelNamespace(namespace, "true");
    await waitFor("the namespace opted in", async () => (await firePod(namespace)).status === 201, 5_000);
    await labelNamespace(namespace, "false");
    await waitFor("the namespace opted out", async () => (await firePod(namespace)).status === 200, 5_000);
  });

  it("take effect within seconds when a resource's label is set, flipped and removed", async () => {
    const deployment = freshName();
    await createDeployment(managed, deployment);
    const path = `/apis/apps/v1/namespaces/${managed}/deployments/${deployment}`;
    expect((await fireDeployment(managed, deployment)).status).toBe(201);
    await setLabel(path, "false");
    await waitFor("the deployment opted out", async () => (await fireDeployment(managed, deployment)).status === 200, 5_000);
    await setLabel(path, "true");
    await waitFor("the deployment opted in again", async () => (await fireDeployment(managed, deployment)).status === 202, 5_000);
    await setLabel(path, "false");
    await waitFor("the deployment opted out again", async () => (await fireDeployment(managed, deployment)).status === 200, 5_000);
    // Without its label the namespace decides again (the object left the watch's label selector).
    await setLabel(path, null);
    await waitFor("the namespace deciding", async () => (await fireDeployment(managed, deployment)).status === 202, 5_000);
  });
});

describe("cost on the hot path", () => {
  it("sends no API request to judge a signal: the labels come from watches, each kind listed once", async () => {
    // Every kind below has had its first signal (and its one list) in the tests above.
    const lists = await scrapeSum(gw.url, "rr_gateway_scope_label_lists_total");
    const requests = await scrapeSum(gw.url, "rr_gateway_api_requests_total");
    for (let i = 0; i < 10; i++) {
      expect((await firePod(unmanaged)).status).toBe(200);
      expect((await fireDeployment(unlabelled, freshName())).status).toBe(200);
      expect((await fireNode(`scope-node-${suffix}-out`)).status).toBe(200);
    }
    expect(await scrapeSum(gw.url, "rr_gateway_api_requests_total")).toBe(requests);
    expect(await scrapeSum(gw.url, "rr_gateway_scope_label_lists_total")).toBe(lists);
    // Namespaces, then one list per kind on its first signal: Pod, Deployment, Node.
    expect(await scrapeSum(gw.url, "rr_gateway_scope_label_lists_total", 'kind="Namespace"')).toBe(1);
    expect(await scrapeSum(gw.url, "rr_gateway_scope_label_lists_total", 'kind="Deployment"')).toBe(1);
  });

  it("asks nothing more for a managed signal than GATEWAY_SCOPE=all does (the recorder's own requests)", async () => {
    const all = await startTestGateway(rrNamespace, { GATEWAY_SCOPE: "all" });
    try {
      // Not counting the list a create makes when the RR cache is not known fresh (docs/exactly-once.md): that depends on timing, not on scope.
      const requests = async (url: string): Promise<number> =>
        (await scrapeSum(url, "rr_gateway_api_requests_total")) - (await scrapeSum(url, "rr_gateway_create_decisions_total", 'view="api"'));
      const requestsFor5Creates = async (url: string): Promise<number> => {
        const before = await requests(url);
        for (let i = 0; i < 5; i++) expect((await post(url, PROMETHEUS_PATH, webhook([alert({ alertname: "Cost", pod: freshName(), namespace: managed })]))).status).toBe(201);
        return (await requests(url)) - before;
      };
      expect(await requestsFor5Creates(gw.url)).toBe(await requestsFor5Creates(all.url));
    } finally {
      await all.stop();
    }
  });
});

describe("GATEWAY_SCOPE=all", () => {
  it("lets every signal through and watches no label", async () => {
    const all = await startTestGateway(rrNamespace, { GATEWAY_SCOPE: "all" });
    try {
      const reply = await post(all.url, PROMETHEUS_PATH, webhook([alert({ alertname: "AnyScope", pod: freshName(), namespace: unmanaged })]));
      expect(reply.status).toBe(201);
      expect(await scrapeSum(all.url, "rr_gateway_scope_label_lists_total")).toBe(0);
    } finally {
      await all.stop();
    }
  });
});
