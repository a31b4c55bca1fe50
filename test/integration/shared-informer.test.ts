import { jest } from "@jest/globals";
import { Watch } from "@kubernetes/client-node";
import pino from "pino";
import { loadGatewayConfig } from "../../src/gateway/config";
import { startGateway, type RunningGateway } from "../../src/gateway/index";
import { KubeClient, loadKubeConfig, type KubeRequest } from "../../src/k8s/kube-client";
import { SharedInformers } from "../../src/k8s/shared-informers";
import type { RemediationRequest } from "../../src/model/remediation-request";
import { configFromEnv, defaultIdentity, startOrchestrator, type RunningOrchestrator } from "../../src/orchestrator/index";
import { alert, post, PROMETHEUS_PATH, webhook } from "../helpers/signals";
import { testSpec } from "../helpers/rr-spec";
import { FIELD_MANAGERS } from "../../src/k8s/field-managers";
import { kubeconfigPath } from "./helpers/controlplane";
import { randomFingerprint, TestEnvironment } from "./helpers/environment";
import { waitForPhase } from "./helpers/rr";
import { waitFor } from "./helpers/wait";

/**
 * Issue 16, item 1: one process running the gateway and the mock orchestrator
 * (as the module's admission pod does) opens ONE list and ONE watch of the
 * RemediationRequests, and both components see every change through it.
 * Requests are counted where they leave the process: client-node's Watch
 * (the informer's watch) and our KubeClient (the informer's list).
 */
const env = new TestEnvironment();
const silent = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
let ns: string;
let kube: KubeClient;
let informers: SharedInformers;
let gateway: RunningGateway;
let orchestrator: RunningOrchestrator;
const watches: string[] = [];
const lists: string[] = [];
const watchErrors: string[] = [];

beforeAll(async () => {
  ns = await env.freshNamespace("shared");
  const collection = `/namespaces/${ns}/remediationrequests`;
  const watch = Watch.prototype.watch;
  jest.spyOn(Watch.prototype, "watch").mockImplementation(function (this: Watch, path, ...rest) {
    if (path.endsWith(collection)) watches.push(path);
    return watch.call(this, path, ...rest);
  });
  const request = KubeClient.prototype.request;
  jest.spyOn(KubeClient.prototype, "request").mockImplementation(async function <T>(this: KubeClient, req: KubeRequest): Promise<T> {
    const answer = (await request.call(this, req)) as T;
    // A full list of the namespace's RRs, answered: what an informer does (a fresh API server may refuse the first
    // attempts while the CRD's storage initializes); the gateway's per-problem reads carry a field selector.
    if (req.method === "GET" && req.path.endsWith(collection) && !req.query?.fieldSelector && !req.query?.labelSelector) lists.push(req.path);
    return answer;
  });

  // The module's wiring (src/module/process-context.ts), as one identity allowed both parts' requests.
  kube = await KubeClient.create(loadKubeConfig(kubeconfigPath("admin")), { requestTimeoutMs: 10_000 });
  informers = new SharedInformers(kube);
  informers.remediationRequests(ns).subscribe({ onWatchError: err => watchErrors.push(String(err)) });
  const config = loadGatewayConfig({ GATEWAY_HOST: "127.0.0.1", GATEWAY_PORT: "0", GATEWAY_NAMESPACE: ns, GATEWAY_AUTH: "none", GATEWAY_SCOPE: "all", GATEWAY_SHUTDOWN_GRACE_SECONDS: "2" });
  gateway = await startGateway(config, silent, { kube, informer: informers.remediationRequests(ns) });
  const roConfig = configFromEnv(
    { ORCHESTRATOR_NAMESPACE: ns, ORCHESTRATOR_IDENTITY: "shared-ro", ORCHESTRATOR_PHASE_DURATION: "150ms", ORCHESTRATOR_LEASE_DURATION: "2s" },
    { readFile: () => "", defaultIdentity },
  );
  orchestrator = await startOrchestrator(roConfig, { kube, informer: informers.remediationRequests(ns), log: silent });
  await waitFor("the gateway ready", () => gateway.isReady());
  await waitFor("the orchestrator leading", () => orchestrator.isLeader, 20_000);
}, 60_000);

afterAll(async () => {
  await orchestrator?.stop();
  await gateway?.stop();
  await informers?.stop();
  await kube?.close();
  jest.restoreAllMocks();
  await env.close();
});

const fire = (pod: string) => post(`http://127.0.0.1:${gateway.port}`, PROMETHEUS_PATH, webhook([alert({ alertname: "SharedInformer", pod, namespace: ns })]));

it("the gateway's RRs are driven by the orchestrator, and the gateway sees the orchestrator's phases: after Completed the next signal opens a new RR", async () => {
  const first = await fire("api-0");
  expect(first.status).toBe(201);
  const name: string = first.body.remediationRequestName;
  const admin = await env.rrClient("admin", ns);
  await waitForPhase(admin, name, "Completed");
  const fingerprint: string = first.body.fingerprint;
  // The gateway reads the shared store: the orchestrator's write is there (watched, or put back by the orchestrator).
  await waitFor("the gateway's view of Completed", () => informers.remediationRequests(ns).rrsOf(fingerprint).some(rr => rr.status?.overallPhase === "Completed"));
  const next = await fire("api-0");
  expect(next.status).toBe(201);
  expect(next.body.remediationRequestName).not.toBe(name);
});

it("a change made by someone else reaches both: an RR created, counted and deleted through the API", async () => {
  const admin = await env.rrClient("admin", ns);
  const fingerprint = randomFingerprint();
  const changes: string[] = [];
  const unsubscribe = informers.remediationRequests(ns).subscribe({ onChange: (rr, change) => rr.spec.signalFingerprint === fingerprint && changes.push(`${change.type}:${change.origin}`) });
  try {
    await admin.create({ metadata: { name: "outside" }, spec: testSpec(fingerprint, { signalName: "Outside" }) }, FIELD_MANAGERS.gateway);
    // The orchestrator saw the create: it drives the RR.
    await waitForPhase(admin, "outside", "Completed");
    await admin.applyStatus("outside", { deduplication: { occurrenceCount: 7 } }, { fieldManager: FIELD_MANAGERS.deduplication });
    // The gateway saw the count.
    await waitFor("the count in the gateway's view", () => informers.remediationRequests(ns).get("outside")?.status?.deduplication?.occurrenceCount === 7);
    await admin.delete("outside");
    await waitFor("the delete in the gateway's view", () => gateway.informer.rrsOf(fingerprint).length === 0);
    expect(changes).toContain("upsert:watch");
    expect(changes.at(-1)).toBe("delete:watch");
  } finally {
    unsubscribe();
  }
});

it("one RR list and one RR watch for the whole process; the gateway's metrics count them", async () => {
  // Only the refusals of a fresh API server, if any: the watch never broke.
  expect(watchErrors.filter(e => !/storage is \(re\)initializing/.test(e))).toEqual([]);
  expect(lists).toHaveLength(1);
  expect(watches).toHaveLength(1);
  expect(gateway.informer).toBe(informers.remediationRequests(ns));
  expect((await gateway.metrics.cacheLists.get()).values[0]?.value).toBe(1);
  expect((await gateway.metrics.watchRestarts.get()).values[0]?.value ?? 0).toBe(watchErrors.length);
  const stored: RemediationRequest[] = (await (await env.rrClient("admin", ns)).list()).items;
  expect(gateway.informer.size).toBe(stored.length);
});
