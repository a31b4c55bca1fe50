import { FIELD_MANAGERS } from "../../src/k8s/field-managers";
import { RemediationRequestClient } from "../../src/k8s/rr-client";
import { TERMINAL_PHASES } from "../../src/model/phases";
import { LABELS, RemediationRequest } from "../../src/model/remediation-request";
import { alert, EVENT_PATH, post, PROMETHEUS_PATH, uniqueNames, warningEvent, webhook } from "../helpers/signals";
import { TestEnvironment } from "./helpers/environment";
import { startTestGateway, TestGateway } from "./helpers/gateway";
import { waitFor } from "./helpers/wait";

const env = new TestEnvironment();
let ns: string;
let gw: TestGateway;
let admin: RemediationRequestClient;
/** A pod name no other test uses, so each test has its own problem. */
const freshPod = uniqueNames("pod");

beforeAll(async () => {
  ns = await env.freshNamespace("gateway");
  admin = await env.rrClient("admin", ns);
  gw = await startTestGateway(ns, { GATEWAY_STORM_THRESHOLD: "5", GATEWAY_STORM_WINDOW_SECONDS: "60", GATEWAY_STORM_REFRESH_SECONDS: "1", GATEWAY_MAX_BODY_BYTES: "262144" });
});
afterAll(async () => {
  await gw?.stop();
  await env.close();
});

const fire = (pod: string, extra: Partial<Parameters<typeof alert>[0]> = {}) => post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname: "HighMemory", pod, ...extra })]));

async function setPhase(name: string, overallPhase: string): Promise<void> {
  const orchestrator = await env.rrClient("orchestrator", ns);
  await orchestrator.applyStatus(name, { overallPhase }, { fieldManager: FIELD_MANAGERS.orchestrator });
  // The gateway learns of the phase from its watch (or, if it lags, from a 409 and a re-read).
}

describe("first and repeated signals", () => {
  it("creates an RR for a problem's first alert (201), with spec and the first count", async () => {
    const pod = freshPod();
    const reply = await fire(pod);
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ status: "created", duplicate: false, remediationRequestNamespace: ns, metadata: { count: 1 } });
    expect(reply.body.fingerprint).toMatch(/^[a-f0-9]{64}$/);

    const rr = await admin.get(reply.body.remediationRequestName);
    expect(rr.spec).toMatchObject({
      signalFingerprint: reply.body.fingerprint,
      signalName: "HighMemory",
      severity: "critical",
      signalType: "alert",
      signalSource: "prometheus",
      targetType: "kubernetes",
      targetResource: { kind: "Pod", name: pod, namespace: "prod", apiVersion: "v1" },
      firingTime: "2026-11-28T07:00:00.000Z",
      signalLabels: { alertname: "HighMemory", pod, namespace: "prod", severity: "critical" },
    });
    expect(rr.spec.receivedTime).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(JSON.parse(rr.spec.originalPayload!)).toMatchObject({ labels: { pod } });
    expect(JSON.parse(rr.spec.providerData!)).toMatchObject({ namespace: "prod", labels: { pod }, origin: "rr-gateway" });
    expect(rr.metadata.labels).toMatchObject({ "app.kubernetes.io/component": "remediation", "kubernaut.ai/signal-source": "prometheus" });
    expect(rr.metadata.annotations?.["kubernaut.ai/created-at"]).toBe(rr.spec.receivedTime);
    expect(rr.metadata.labels?.[LABELS.fingerprint]).toBe(reply.body.fingerprint.slice(0, 63));
    expect(rr.status?.deduplication).toMatchObject({ occurrenceCount: 1 });
    expect(rr.status?.deduplication?.firstSeenAt).toBe(rr.status?.deduplication?.lastSeenAt);

    const managers = Object.fromEntries(rr.metadata.managedFields!.map(m => [m.manager, m.fieldsV1 as Record<string, Record<string, unknown>>]));
    expect(Object.keys(managers["gateway"])).toEqual(expect.arrayContaining(["f:spec", "f:metadata"]));
    expect(Object.keys(managers["gateway-deduplication"]["f:status"])).toEqual(["f:deduplication"]);
  });

  it("counts the same alert again on the same RR (202); lastSeenAt moves, firstSeenAt does not", async () => {
    const pod = freshPod();
    const first = await fire(pod);
    await new Promise(r => setTimeout(r, 20));
    const second = await fire(pod);
    expect(second.status).toBe(202);
    expect(second.body).toMatchObject({ status: "duplicate", duplicate: true, remediationRequestName: first.body.remediationRequestName, metadata: { count: 2 } });
    const rr = await admin.get(first.body.remediationRequestName);
    expect(rr.status?.deduplication?.occurrenceCount).toBe(2);
    expect(rr.status?.deduplication?.firstSeenAt).toBe(first.body.metadata.firstOccurrence);
    const { firstSeenAt = "", lastSeenAt = "" } = rr.status?.deduplication ?? {};
    expect(lastSeenAt > firstSeenAt).toBe(true);
  });

  it.each([...TERMINAL_PHASES])("creates a new RR after the active one reaches %s", async phase => {
    const pod = freshPod();
    const first = await fire(pod);
    await setPhase(first.body.remediationRequestName, phase);
    const next = await fire(pod);
    expect(next.status).toBe(201);
    expect(next.body.remediationRequestName).not.toBe(first.body.remediationRequestName);
    const all = await admin.listByFingerprint(first.body.fingerprint);
    expect(all).toHaveLength(2);
    const successor = all.find(rr => rr.metadata.name === next.body.remediationRequestName)!;
    expect(successor.metadata.annotations?.["kubernaut.ai/predecessor"]).toBe(first.body.remediationRequestName);
  });

  it.each(["Blocked", "AwaitingApproval", "Executing"])("keeps counting on an RR in the non-terminal phase %s (202)", async phase => {
    const pod = freshPod();
    const first = await fire(pod);
    await setPhase(first.body.remediationRequestName, phase);
    const next = await fire(pod);
    expect(next.status).toBe(202);
    expect(next.body.remediationRequestName).toBe(first.body.remediationRequestName);
  });
});

describe("concurrency", () => {
  it("turns 100 concurrent identical alerts into exactly one RR with count 100, handing out counts 1..100 once each", async () => {
    const pod = freshPod();
    const replies = await Promise.all(Array.from({ length: 100 }, () => fire(pod)));
    expect(replies.map(r => r.status).sort()).toEqual([201, ...Array(99).fill(202)]);
    expect(replies.map(r => r.body.metadata.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const rrs = await admin.listByFingerprint(replies[0].body.fingerprint);
    expect(rrs).toHaveLength(1);
    expect(rrs[0].status?.deduplication?.occurrenceCount).toBe(100);
  });

  it("creates one RR each for 20 distinct alerts sent in parallel", async () => {
    const replies = await Promise.all(Array.from({ length: 20 }, () => fire(freshPod())));
    expect(replies.every(r => r.status === 201)).toBe(true);
    expect(new Set(replies.map(r => r.body.remediationRequestName)).size).toBe(20);
  });

  it("answers a payload of 3 alerts for 2 problems with 207: 2 created, 1 duplicate", async () => {
    const [a, b] = [freshPod(), freshPod()];
    const reply = await post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname: "HighMemory", pod: a }), alert({ alertname: "HighMemory", pod: b }), alert({ alertname: "HighMemory", pod: a })]));
    expect(reply.status).toBe(207);
    expect(reply.body.summary).toEqual({ total: 3, created: 2, deduplicated: 1, resolved: 0, rejected: 0, ignored: 0, failed: 0 });
    expect(reply.body.results.map((r: { status: string }) => r.status).sort()).toEqual(["created", "created", "duplicate"]);
  });
});

describe("resolved alerts", () => {
  it("never creates an RR for a resolved alert", async () => {
    const reply = await fire(freshPod(), { status: "resolved" });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ status: "resolved", duplicate: false });
    expect(reply.body.remediationRequestName).toBeUndefined();
    expect((await admin.listByFingerprint(reply.body.fingerprint)).length).toBe(0);
  });

  it("records a resolved alert on the active RR (resolvedCount) without counting an occurrence", async () => {
    const pod = freshPod();
    const first = await fire(pod);
    const resolved = await fire(pod, { status: "resolved" });
    expect(resolved.status).toBe(200);
    expect(resolved.body.remediationRequestName).toBe(first.body.remediationRequestName);
    const rr = await admin.get(first.body.remediationRequestName);
    expect(rr.status?.deduplication).toMatchObject({ occurrenceCount: 1, resolvedCount: 1 });
    expect(rr.status?.deduplication?.lastResolvedAt).toBeDefined();
  });
});

describe("Kubernetes events", () => {
  it("turns a Warning event into an RR named after its reason and involved object", async () => {
    const name = freshPod();
    const reply = await post(gw.url, EVENT_PATH, warningEvent("BackOff", { kind: "Pod", name }));
    expect(reply.status).toBe(201);
    const rr = await admin.get(reply.body.remediationRequestName);
    expect(rr.spec).toMatchObject({ signalName: "BackOff", signalType: "alert", signalSource: "kubernetes-events", severity: "Warning", targetResource: { kind: "Pod", name, namespace: "prod" } });
    const again = await post(gw.url, EVENT_PATH, warningEvent("BackOff", { kind: "Pod", name }, { count: 2 }));
    expect(again.status).toBe(202);
  });

  it("rejects a Normal event with 400", async () => {
    const reply = await post(gw.url, EVENT_PATH, { ...warningEvent("Pulled", { kind: "Pod", name: freshPod() }), type: "Normal" });
    expect(reply.status).toBe(400);
    expect(reply.body.detail).toMatch(/normal events are not processed/);
  });
});

describe("bad input is refused with a problem naming it, and nothing is written", () => {
  const cases: [string, () => Promise<{ status: number; headers: Record<string, unknown>; body: any }>, number, RegExp][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
    ["malformed JSON", () => post(gw.url, PROMETHEUS_PATH, '{"alerts": [', {}), 400, /not valid JSON/],
    ["empty alerts", () => post(gw.url, PROMETHEUS_PATH, webhook([])), 400, /alerts: is empty/],
    ["a missing alertname", () => post(gw.url, PROMETHEUS_PATH, webhook([{ labels: { pod: "p", namespace: "n" } }])), 400, /alerts\[0\]\.labels\.alertname: is required/],
    ["the wrong content type", () => post(gw.url, PROMETHEUS_PATH, "alerts", { "content-type": "text/plain" }), 415, /Content-Type must be application\/json/],
    ["an oversized body", () => post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname: "Big", pod: "p", annotations: { d: "x".repeat(300_000) } })])), 413, /larger than the limit of 262144 bytes/],
  ];

  it.each(cases)("%s", async (_what, send, status, detail) => {
    const before = (await admin.list()).items.length;
    const reply = await send();
    expect(reply.status).toBe(status);
    expect(reply.headers["content-type"]).toBe("application/problem+json");
    expect(reply.body).toMatchObject({ status, detail: expect.stringMatching(detail) });
    expect((await admin.list()).items.length).toBe(before);
  });
});

describe("storms", () => {
  it("marks an RR as part of a storm under the gateway-storm field manager once the threshold is reached", async () => {
    const pod = freshPod();
    let name = "";
    for (let i = 0; i < 6; i++) name = (await fire(pod)).body.remediationRequestName;
    const rr = await waitFor("storm status", async () => {
      const current: RemediationRequest = await admin.get(name);
      return current.status?.stormAggregation?.isPartOfStorm ? current : undefined;
    });
    expect(rr.status?.stormAggregation?.aggregatedCount).toBeGreaterThanOrEqual(5);
    expect(rr.status?.stormAggregation?.stormDetectedAt).toBeDefined();
    const storm = rr.metadata.managedFields!.find(m => m.manager === FIELD_MANAGERS.storm)!;
    expect(Object.keys((storm.fieldsV1 as Record<string, Record<string, unknown>>)["f:status"])).toEqual(["f:stormAggregation"]);
  });
});

describe("health", () => {
  it("serves /healthz, /readyz and Prometheus metrics", async () => {
    const { request } = await import("undici");
    expect((await request(`${gw.url}/healthz`)).statusCode).toBe(200);
    expect((await request(`${gw.url}/readyz`)).statusCode).toBe(200);
    const metrics = await (await request(`${gw.url}/metrics`)).body.text();
    expect(metrics).toMatch(/rr_gateway_signals_received_total\{source="prometheus",severity="critical"\} \d+/);
    expect(metrics).toMatch(/rr_gateway_remediation_requests_created_total/);
    expect(metrics).toMatch(/rr_gateway_http_request_duration_seconds_bucket/);
  });
});
