import { remediationRequestName } from "../../src/dedup/naming";
import type { RemediationRequestClient } from "../../src/k8s/rr-client";
import { ANNOTATIONS } from "../../src/model/remediation-request";
import { fireBurst, type BurstReply } from "../helpers/burst";
import { uniqueNames } from "../helpers/signals";
import { ActiveTimeline } from "./helpers/active-timeline";
import { DeletionWebhook } from "./helpers/deletion-webhook";
import { TestEnvironment } from "./helpers/environment";
import { problem, setPhaseOfActive, verifyProblem, type Problem } from "./helpers/exactly-once";
import { GatewayReplicas } from "./helpers/replicas";
import { waitFor } from "./helpers/wait";

// Creating without a read (docs/exactly-once.md): the gateway creates a
// problem's next RR on a fresh cache's word alone, because the module's
// admission webhook refuses every deletion that could hand one of the chain's
// names out twice. Here the webhook is real (the module's guard on loopback
// HTTPS, registered with the API server for this namespace), with short
// settings: RRs are kept 8 s; a claimed one 60 s after its claim. Slot 0 is
// an up-to-date replica; slot 1 sees its watch events an hour late.

const MIN_AGE_S = 8;
const HOLD_S = 60;
const env = new TestEnvironment();
let ns: string;
let admin: RemediationRequestClient;
let orchestrator: RemediationRequestClient;
let gateways: GatewayReplicas;
let timeline: ActiveTimeline;
let webhook: DeletionWebhook;
const fresh = ((next: () => string) => (): Problem => problem(next()))(uniqueNames("ret"));
const slot = (s: number) => () => ({ slot: s, url: gateways.url(s) });
const both = (i: number) => ({ slot: i % 2, url: gateways.url(i % 2) });

beforeAll(async () => {
  ns = await env.freshNamespace("eo-retention");
  admin = await env.rrClient("admin", ns);
  orchestrator = await env.rrClient("orchestrator", ns);
  webhook = await DeletionWebhook.start(await env.kube("admin"), ns, { minAgeMs: MIN_AGE_S * 1000, claimHoldMs: HOLD_S * 1000 });
  timeline = new ActiveTimeline(admin);
  await timeline.start();
  gateways = await GatewayReplicas.start(ns, 2, s => ({
    LOG_LEVEL: "warn",
    GATEWAY_SHUTDOWN_GRACE_SECONDS: "2",
    GATEWAY_RR_MIN_AGE_SECONDS: String(MIN_AGE_S),
    GATEWAY_SUCCESSOR_CLAIM_HOLD_SECONDS: String(HOLD_S),
    GATEWAY_CACHE_FRESHNESS_MS: "1000",
    ...(s === 1 ? { GATEWAY_TEST_CACHE_LAG_MS: "3600000" } : {}),
  }));
  // The registration takes effect within moments: until a young RR's deletion is refused.
  const probe = fresh();
  const [first] = await fireBurst({ count: 1, target: slot(0), body: () => probe.payload });
  await waitFor("the deletion webhook to be called", async () => {
    try {
      await admin.delete(first.rrName!);
      throw new Error("a young RR was deleted: the webhook is not in place");
    } catch (err) {
      return String(err).includes("kept at least") ? true : undefined;
    }
  });
}, 120_000);

afterAll(async () => {
  await gateways?.stop();
  await timeline?.stop();
  await webhook?.stop();
  await env.close();
});

const ageOf = async (name: string): Promise<number> => Date.now() - Date.parse((await admin.get(name)).metadata.creationTimestamp!);
const untilOlderThan = async (name: string, seconds: number): Promise<void> => {
  const wait = Math.max(0, seconds * 1000 + 1_100 - (await ageOf(name)));
  await new Promise(r => setTimeout(r, wait));
};

async function expectExactlyOnce(p: Problem, replies: readonly BurstReply[]) {
  const verified = await verifyProblem(admin, timeline, p.fingerprint, replies);
  expect(verified.report.violations).toEqual([]);
  expect(verified.report).toMatchObject({ duplicateRRs: 0, lostAcknowledged: 0 });
  return verified;
}

describe("retention against creating without a read", () => {
  it("creates new problems on a fresh cache's word: a create and a status apply each, no list", async () => {
    const before = { cache: await gateways.metricSum("rr_gateway_create_decisions_total", 'view="cache"'), gets: await gateways.metricSum("rr_gateway_api_requests_total", 'method="GET"') };
    for (let i = 0; i < 10; i++) {
      const p = fresh();
      const [reply] = await fireBurst({ count: 1, target: slot(0), body: () => p.payload });
      expect(reply).toMatchObject({ status: 201, rrName: remediationRequestName(p.fingerprint) });
    }
    // The first may find the cache not known fresh (the replica's last write is seconds old) and list; then none does.
    expect((await gateways.metricSum("rr_gateway_create_decisions_total", 'view="cache"')) - before.cache).toBeGreaterThanOrEqual(9);
    expect((await gateways.metricSum("rr_gateway_api_requests_total", 'method="GET"')) - before.gets).toBeLessThanOrEqual(1);
  });

  it("refuses to delete a young terminal RR next to its active successor (a freed first name), and lets it go once old; a stale replica still counts on the successor", async () => {
    const p = fresh();
    const replies = await fireBurst({ count: 3, target: slot(0), body: () => p.payload });
    const rr1 = (await setPhaseOfActive(orchestrator, admin, p.fingerprint, "Completed"))!;
    const [second] = await fireBurst({ count: 1, target: slot(0), body: () => p.payload });
    replies.push(second);
    expect(second.status).toBe(201);
    expect((await admin.get(rr1)).metadata.annotations?.[ANNOTATIONS.successorClaimedAt]).toBeUndefined(); // young: no claim needed

    await expect(admin.delete(rr1)).rejects.toThrow(/kept at least 8 s/);
    await untilOlderThan(rr1, MIN_AGE_S);
    await admin.delete(rr1);

    const stale = await fireBurst({ count: 20, target: slot(1), body: () => p.payload });
    expect(stale.map(r => r.status)).toEqual(Array(20).fill(202));
    expect(new Set(stale.map(r => r.rrName))).toEqual(new Set([second.rrName]));
    // The chain checker wants the first RR to exist: with RR1 gone, check what is left by hand.
    const rrs = await admin.listByFingerprint(p.fingerprint);
    expect(rrs.map(rr => rr.metadata.name)).toEqual([second.rrName]);
    expect(rrs[0].status?.deduplication?.occurrenceCount).toBe(21);
    expect([second, ...stale].map(r => r.count).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    await waitFor("the timeline to catch up", () => timeline.hasCaughtUp(rrs));
    expect(timeline.overlapsOf(p.fingerprint)).toEqual([]);
  }, 60_000);

  it("claims a predecessor old enough to be deleted before creating its successor; the claimed RR is kept while the claim holds", async () => {
    const p = fresh();
    const opening = await fireBurst({ count: 2, target: slot(0), body: () => p.payload });
    const rr1 = (await setPhaseOfActive(orchestrator, admin, p.fingerprint, "Completed"))!;
    await untilOlderThan(rr1, MIN_AGE_S / 2);
    const claimsBefore = await gateways.metricSum("rr_gateway_api_writes_total", 'operation="claim"');
    const burst = await fireBurst({ count: 30, target: both, body: () => p.payload });

    expect(burst.map(r => r.status).filter(s => s !== 201 && s !== 202)).toEqual([]);
    expect(burst.filter(r => r.status === 201)).toHaveLength(1);
    const predecessor = await admin.get(rr1);
    expect(new Set(burst.filter(r => r.status === 201 || r.status === 202).map(r => r.rrName))).toEqual(new Set([remediationRequestName(p.fingerprint, predecessor.metadata.uid)]));
    expect(predecessor.metadata.annotations?.[ANNOTATIONS.successorClaimedAt]).toBeDefined();
    expect((await gateways.metricSum("rr_gateway_api_writes_total", 'operation="claim"')) - claimsBefore).toBeGreaterThanOrEqual(1);
    const { rrs } = await expectExactlyOnce(p, [...opening, ...burst]);
    expect(rrs).toHaveLength(2);

    await untilOlderThan(rr1, MIN_AGE_S);
    await expect(admin.delete(rr1)).rejects.toThrow(/creating the successor of/);
  }, 60_000);

  it("starts a problem over under its first name, once, after its only RR was deleted; a replica whose cache still holds that RR joins the new one", async () => {
    const p = fresh();
    const opening = await fireBurst({ count: 4, target: both, body: () => p.payload }); // both replicas know RR1
    const rr1 = (await setPhaseOfActive(orchestrator, admin, p.fingerprint, "Completed"))!;
    await untilOlderThan(rr1, MIN_AGE_S);
    await admin.delete(rr1);
    await waitFor("the deletion to be seen", async () => (timeline.overlapsOf(p.fingerprint).length === 0 && (await admin.listByFingerprint(p.fingerprint)).length === 0 ? true : undefined));

    const burst = await fireBurst({ count: 40, target: both, body: () => p.payload });
    expect(burst.map(r => r.status).filter(s => s !== 201 && s !== 202)).toEqual([]);
    expect(burst.filter(r => r.status === 201)).toHaveLength(1);
    expect(new Set(burst.map(r => r.rrName))).toEqual(new Set([remediationRequestName(p.fingerprint)]));
    const { rrs } = await expectExactlyOnce(p, burst);
    expect(rrs).toHaveLength(1);
    expect(opening.every(r => r.rrName === rrs[0].metadata.name)).toBe(true); // the old name, a new object
    expect(rrs[0].status?.deduplication?.occurrenceCount).toBe(40);
  }, 60_000);
});
