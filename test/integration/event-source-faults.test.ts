import { request } from "undici";
import type { KubeClient } from "../../src/k8s/kube-client";
import type { RemediationRequestClient } from "../../src/k8s/rr-client";
import { scrapeSum } from "../helpers/metrics";
import { TestEnvironment } from "./helpers/environment";
import { createCoreEvent, rrTotalFor, setCoreCount, type CoreEvent } from "./helpers/events";
import { startGatewayProcess, type GatewayProcess } from "./helpers/gateway-process";
import { PrivateControlPlane } from "./helpers/private-controlplane";
import { waitFor } from "./helpers/wait";

/**
 * The event source when its watch expires (410 Gone after etcd compacted
 * its history) and when its leader dies without releasing the Lease: on a
 * control plane of this file's own, with gateways as separate processes.
 * Each RR's count equals its Event's occurrences exactly.
 */
const plane = new PrivateControlPlane("event-source", 10);
const env = new TestEnvironment(identity => plane.kubeconfig(identity));
let admin: KubeClient;
let rrs: RemediationRequestClient;
let rrNamespace: string;
let eventNamespace: string;
const gateways: GatewayProcess[] = [];

async function gatewayProcess(): Promise<GatewayProcess> {
  const gw = await startGatewayProcess(rrNamespace, {
    KUBECONFIG: plane.kubeconfig("gateway"),
    EVENT_SOURCE_ENABLED: "true",
    EVENT_SOURCE_NAMESPACES: eventNamespace,
    EVENT_SOURCE_MAX_SIGNALS_PER_SECOND: "5",
    LOG_LEVEL: "warn",
  });
  gateways.push(gw);
  return gw;
}

const leads = async (gw: GatewayProcess): Promise<boolean> => (await scrapeSum(gw.url, "rr_gateway_event_source_leader").catch(() => 0)) === 1;

/** Events about distinct pods, and their counts so far. */
class Stream {
  readonly pods: string[];
  readonly counts: number[];
  private events: CoreEvent[] = [];
  constructor(prefix: string, size: number) {
    this.pods = Array.from({ length: size }, (_, i) => `${prefix}-${i}`);
    this.counts = this.pods.map(() => 1);
  }
  async create(): Promise<void> {
    for (const pod of this.pods) this.events.push(await createCoreEvent(admin, eventNamespace, pod));
  }
  async bump(rounds: number): Promise<void> {
    for (let r = 0; r < rounds; r++) for (let i = 0; i < this.events.length; i++) await setCoreCount(admin, this.events[i], ++this.counts[i]);
  }
  async expectExact(timeoutMs = 60_000): Promise<void> {
    for (let i = 0; i < this.pods.length; i++) {
      await waitFor(`${this.pods[i]} counted ${this.counts[i]}`, async () => (await rrTotalFor(rrs, this.pods[i])) === this.counts[i], timeoutMs, 250);
    }
    // ...and stays so (no late double count).
    await new Promise(resolve => setTimeout(resolve, 2_000));
    for (let i = 0; i < this.pods.length; i++) expect(await rrTotalFor(rrs, this.pods[i])).toBe(this.counts[i]);
  }
}

/** etcd's JSON gateway: strings are base64. */
async function etcd(path: string, body: unknown): Promise<{ header: { revision: string } }> {
  const res = await request(`${plane.etcdUrl}/v3/${path}`, { method: "POST", body: JSON.stringify(body) });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`etcd ${path}: ${res.statusCode} ${text}`);
  return JSON.parse(text) as { header: { revision: string } };
}

beforeAll(async () => {
  plane.up();
  admin = await env.kube("admin");
  [rrNamespace, eventNamespace] = await Promise.all([env.freshNamespace("evfault-rrs"), env.freshNamespace("evfault-events")]);
  rrs = await env.rrClient("admin", rrNamespace);
}, 180_000);
afterAll(async () => {
  await Promise.all(gateways.map(gw => gw.kill("SIGKILL")));
  await env.close();
  plane.down();
}, 60_000);

it("relists after its watch expired (410 Gone) without counting an occurrence twice", async () => {
  const gw = await gatewayProcess();
  await waitFor("the event source to lead", () => leads(gw), 30_000, 250);
  const stream = new Stream("gone", 4);
  await stream.create();
  await stream.bump(3);
  await stream.expectExact();
  const listsBefore = await scrapeSum(gw.url, "rr_gateway_event_source_lists_total");
  // Drop the watch, move etcd on and compact its history: the watch's resourceVersion no longer exists.
  plane.stopApiserver();
  const key = Buffer.from("/rrgw-events/bump").toString("base64");
  for (let i = 0; i < 5; i++) await etcd("kv/put", { key, value: Buffer.from(String(i)).toString("base64") });
  const { header } = await etcd("kv/range", { key });
  await etcd("kv/compaction", { revision: header.revision, physical: true });
  plane.startApiserver();
  await waitFor("a relist after 410 Gone", async () => (await scrapeSum(gw.url, "rr_gateway_event_source_lists_total").catch(() => 0)) > listsBefore, 60_000, 250);
  await stream.bump(2);
  await stream.expectExact();
  await gw.kill("SIGTERM");
}, 240_000);

it("hands over when the leader dies without releasing the Lease (SIGKILL): nothing lost, nothing doubled", async () => {
  const [a, b] = [await gatewayProcess(), await gatewayProcess()];
  await waitFor("one to lead", async () => (await leads(a)) || (await leads(b)), 30_000, 250);
  const [leader, follower] = (await leads(a)) ? [a, b] : [b, a];
  expect(await leads(follower)).toBe(false);
  const stream = new Stream("killed", 4);
  await stream.create();
  await stream.bump(3);
  await leader.kill("SIGKILL"); // mid-stream: what it had not recorded yet is still in the Events
  await stream.bump(3);
  await waitFor("the follower to lead (after the Lease expires)", () => leads(follower), 45_000, 250);
  await stream.bump(1);
  await stream.expectExact();
  await follower.kill("SIGTERM");
}, 240_000);
