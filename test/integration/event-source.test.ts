import { randomBytes } from "node:crypto";
import type { KubeClient } from "../../src/k8s/kube-client";
import { FIELD_MANAGERS } from "../../src/k8s/field-managers";
import type { RemediationRequestClient } from "../../src/k8s/rr-client";
import { scrapeSum } from "../helpers/metrics";
import { EVENT_PATH, post } from "../helpers/signals";
import { TestEnvironment } from "./helpers/environment";
import { createCoreEvent, createEventsV1, rrCountsFor, rrTotalFor, setCoreCount, setSeries, type CoreEvent } from "./helpers/events";
import { startTestGateway, type TestGateway } from "./helpers/gateway";
import { waitFor } from "./helpers/wait";

/**
 * The built-in Warning-event source against the real API server: events
 * written through both APIs become RRs on the gateway's recording path, their
 * repeats add exactly their new occurrences, and a restart, a second replica
 * or a handover never counts one twice.
 */
const env = new TestEnvironment();
let admin: KubeClient;
let rrNamespace: string;
let eventNamespace: string;
let rrs: RemediationRequestClient;
const gateways: TestGateway[] = [];
const pod = (): string => `web-${randomBytes(4).toString("hex")}`;

/** A gateway whose event source watches only this file's event namespace (other test files write events too). */
async function gateway(extra: Record<string, string> = {}): Promise<TestGateway> {
  const gw = await startTestGateway(rrNamespace, {
    EVENT_SOURCE_ENABLED: "true",
    EVENT_SOURCE_NAMESPACES: eventNamespace,
    EVENT_SOURCE_KINDS: "Pod",
    EVENT_SOURCE_MAX_SIGNALS_PER_SECOND: "5",
    GATEWAY_REPLAY_PROTECTION: "off",
    ...extra,
  });
  gateways.push(gw);
  return gw;
}

async function stopGateway(gw: TestGateway): Promise<void> {
  gateways.splice(gateways.indexOf(gw), 1);
  await gw.stop();
}

const isLeader = (gw: TestGateway): boolean => gw.gateway.eventSource?.isLeader ?? false;

async function expectCount(podName: string, total: number, timeoutMs = 20_000): Promise<void> {
  await waitFor(`${podName}'s RRs to count ${total}`, async () => (await rrTotalFor(rrs, podName)) === total, timeoutMs, 200);
}

beforeAll(async () => {
  admin = await env.kube("admin");
  [rrNamespace, eventNamespace] = await Promise.all([env.freshNamespace("evsrc-rrs"), env.freshNamespace("evsrc-events")]);
  rrs = await env.rrClient("admin", rrNamespace);
});
afterAll(async () => {
  await Promise.all(gateways.map(gw => gw.stop()));
  await env.close();
});

describe("one event source", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await gateway();
    await waitFor("the event source to lead", () => isLeader(gw));
  });
  // It releases the Lease (one per RR namespace): the next tests' gateways can lead.
  afterAll(() => stopGateway(gw));

  it("turns a core/v1 Warning event into an RR, and adds each repeat's delta (count 1 → 4 → 10)", async () => {
    const name = pod();
    const event = await createCoreEvent(admin, eventNamespace, name);
    await expectCount(name, 1);
    const [rr] = (await rrs.list()).items.filter(r => r.spec.targetResource.name === name);
    expect(rr.spec).toMatchObject({ signalName: "BackOff", signalSource: "kubernetes-events", targetResource: { kind: "Pod", name, namespace: eventNamespace } });
    await setCoreCount(admin, event, 4);
    await expectCount(name, 4);
    await setCoreCount(admin, event, 10);
    await expectCount(name, 10);
    expect(await rrCountsFor(rrs, name)).toEqual([10]);
  });

  it("reads events.k8s.io/v1 events and their series the same way (one stream: each event once)", async () => {
    const name = pod();
    const event = await createEventsV1(admin, eventNamespace, name);
    await expectCount(name, 1);
    await setSeries(admin, event, 3);
    await expectCount(name, 3);
    await setSeries(admin, event, 8);
    await expectCount(name, 8);
    expect(await rrCountsFor(rrs, name)).toEqual([8]);
  });

  it("makes an event posted over HTTP and the same event watched one problem (one RR)", async () => {
    const name = pod();
    const event = await createCoreEvent(admin, eventNamespace, name);
    await expectCount(name, 1);
    const object = await admin.request<Record<string, unknown>>({ method: "GET", path: `/api/v1/namespaces/${event.namespace}/events/${event.name}`, what: "get the Event" });
    const reply = await post(gw.url, EVENT_PATH, object);
    expect(reply.status).toBe(202);
    const [rr] = (await rrs.list()).items.filter(r => r.spec.targetResource.name === name);
    expect(reply.body).toMatchObject({ status: "duplicate", remediationRequestName: rr.metadata.name, fingerprint: rr.spec.signalFingerprint });
  });

  it("records only the configured reasons and kinds (EVENT_SOURCE_REASONS, EVENT_SOURCE_KINDS)", async () => {
    const filteredBefore = await scrapeSum(gw.url, "rr_gateway_event_source_events_total", /outcome="filtered_(reason|kind)"/);
    const quiet = pod();
    await createCoreEvent(admin, eventNamespace, quiet, "FailedKillPod"); // not in the default reasons
    await admin.request({
      method: "POST",
      path: `/api/v1/namespaces/${eventNamespace}/events`,
      body: { apiVersion: "v1", kind: "Event", metadata: { name: `deploy.${randomBytes(4).toString("hex")}` }, involvedObject: { apiVersion: "apps/v1", kind: "Deployment", name: quiet, namespace: eventNamespace }, reason: "BackOff", type: "Warning", count: 1 },
      what: "create a Deployment event",
    });
    // Events are watched in order: once a later accepted event is recorded, the filtered ones were seen.
    const sentinel = pod();
    await createCoreEvent(admin, eventNamespace, sentinel);
    await expectCount(sentinel, 1);
    expect(await rrCountsFor(rrs, quiet)).toEqual([]);
    expect(await scrapeSum(gw.url, "rr_gateway_event_source_events_total", /outcome="filtered_(reason|kind)"/)).toBe(filteredBefore + 2);
  });

  it("opens a successor for an ended RR with only the occurrences since (the watermark passes on), and none for a replay", async () => {
    const name = pod();
    const event = await createCoreEvent(admin, eventNamespace, name, "BackOff", 5);
    await expectCount(name, 5);
    const [first] = (await rrs.list()).items.filter(r => r.spec.targetResource.name === name);
    const orchestrator = await env.rrClient("orchestrator", rrNamespace);
    await orchestrator.applyStatus(first.metadata.name!, { overallPhase: "Completed" }, { fieldManager: FIELD_MANAGERS.orchestrator });
    await waitFor("the gateway to see the RR completed", () => gw.gateway.informer.rrsOf(first.spec.signalFingerprint).some(r => r.status?.overallPhase === "Completed"));
    await setCoreCount(admin, event, 7);
    await waitFor("a successor RR", async () => (await rrCountsFor(rrs, name)).length === 2, 20_000, 200);
    await expectCount(name, 7);
    expect(await rrCountsFor(rrs, name)).toEqual([5, 2]);
  });
});

describe("restarts and replicas", () => {
  it("counts exactly across a restart mid-stream: what was counted is not counted again, what happened meanwhile is", async () => {
    const gw = await gateway();
    await waitFor("the event source to lead", () => isLeader(gw));
    const pods = [pod(), pod(), pod()];
    const events: CoreEvent[] = [];
    for (const p of pods) events.push(await createCoreEvent(admin, eventNamespace, p));
    const counts = pods.map(() => 1);
    const bump = async (rounds: number): Promise<void> => {
      for (let r = 0; r < rounds; r++) {
        for (let i = 0; i < events.length; i++) await setCoreCount(admin, events[i], ++counts[i]);
      }
    };
    await bump(5);
    await stopGateway(gw); // mid-stream: some updates may not be recorded yet
    await bump(3); // while no event source runs
    const next = await gateway();
    await waitFor("the new event source to lead", () => isLeader(next));
    await bump(2);
    for (let i = 0; i < pods.length; i++) await expectCount(pods[i], counts[i]);
    // And a relist of the same events adds nothing: restart once more, with nothing new.
    await stopGateway(next);
    const third = await gateway();
    await waitFor("the third event source to lead", () => isLeader(third));
    await waitFor("its first list", async () => (await scrapeSum(third.url, "rr_gateway_event_source_lists_total")) >= 1);
    await new Promise(resolve => setTimeout(resolve, 1_500));
    for (let i = 0; i < pods.length; i++) expect(await rrTotalFor(rrs, pods[i])).toBe(counts[i]);
    expect(await scrapeSum(third.url, "rr_gateway_api_writes_total")).toBe(0);
    await stopGateway(third);
  }, 90_000);

  it("keeps one active watcher across two replicas, and hands over without a lost or doubled occurrence", async () => {
    const [a, b] = [await gateway(), await gateway()];
    await waitFor("one of them to lead", () => isLeader(a) || isLeader(b));
    const [leader, follower] = isLeader(a) ? [a, b] : [b, a];
    expect(isLeader(follower)).toBe(false);
    const name = pod();
    const event = await createCoreEvent(admin, eventNamespace, name);
    let count = 1;
    for (; count < 6; ) await setCoreCount(admin, event, ++count);
    await stopGateway(leader); // releases the Lease: the follower takes over on its next try
    for (; count < 12; ) await setCoreCount(admin, event, ++count);
    await waitFor("the follower to lead", () => isLeader(follower), 20_000);
    await expectCount(name, count);
    expect(await scrapeSum(follower.url, "rr_gateway_event_source_leader")).toBe(1);
    await stopGateway(follower);
  }, 90_000);
});
