import { connect } from "node:net";
import { request } from "undici";
import { RemediationRequestClient } from "../../src/k8s/rr-client";
import { alert, EVENT_PATH, post, PROMETHEUS_PATH, uniqueNames, warningEvent, webhook } from "../helpers/signals";
import { TestEnvironment } from "./helpers/environment";
import { startTestGateway, TestGateway } from "./helpers/gateway";
import { waitFor } from "./helpers/wait";
import { readOriginalPayload } from "../../src/model/original-payload";

/**
 * Input limits, through the real server against the real API server: what
 * exceeds a limit is refused with a message naming the field and the limit
 * (or, for annotations, cut to fit), and never sent to the API server to fail there.
 */

const env = new TestEnvironment();
let ns: string;
let gw: TestGateway;
let admin: RemediationRequestClient;
const freshPod = uniqueNames("pod");

beforeAll(async () => {
  ns = await env.freshNamespace("input");
  admin = await env.rrClient("admin", ns);
  gw = await startTestGateway(ns, { GATEWAY_MAX_BODY_BYTES: "65536", GATEWAY_MAX_JSON_DEPTH: "10", GATEWAY_MAX_ALERTS: "5", GATEWAY_MAX_LABELS: "8" });
});
afterAll(async () => {
  await gw?.stop();
  await env.close();
});

const labels = (n: number): Record<string, string> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`extra${i}`, "v"]));
const nested = (depth: number): unknown => (depth === 0 ? "x" : { a: nested(depth - 1) });

describe("limits refuse what exceeds them, naming the limit, and write nothing", () => {
  const cases: [string, () => unknown, string, number, RegExp][] = [
    ["a body over GATEWAY_MAX_BODY_BYTES", () => webhook([alert({ alertname: "X", pod: freshPod(), annotations: { d: "x".repeat(70_000) } })]), PROMETHEUS_PATH, 413, /larger than the limit of 65536 bytes \(GATEWAY_MAX_BODY_BYTES\)/],
    ["JSON nested deeper than GATEWAY_MAX_JSON_DEPTH", () => ({ ...webhook([alert({ alertname: "X", pod: freshPod() })]), groupLabels: nested(12) }), PROMETHEUS_PATH, 400, /nested more than 10 levels deep/],
    ["more alerts than GATEWAY_MAX_ALERTS", () => webhook(Array.from({ length: 6 }, () => alert({ alertname: "X", pod: freshPod() }))), PROMETHEUS_PATH, 413, /alerts: has 6 alerts, more than the limit of 5 \(GATEWAY_MAX_ALERTS\)/],
    ["more labels than GATEWAY_MAX_LABELS", () => webhook([alert({ alertname: "X", pod: freshPod(), labels: labels(8) })]), PROMETHEUS_PATH, 400, /alerts\[0\]\.labels: has 12 entries, more than the limit of 8/],
    ["a label value over 1024 characters", () => webhook([alert({ alertname: "X", pod: freshPod(), labels: { team: "t".repeat(1025) } })]), PROMETHEUS_PATH, 400, /alerts\[0\]\.labels\.team: is 1025 characters long, more than the limit of 1024/],
    ["a label key over 317 characters", () => webhook([alert({ alertname: "X", pod: freshPod(), labels: { ["k".repeat(318)]: "v" } })]), PROMETHEUS_PATH, 400, /alerts\[0\]\.labels: has a key of 318 characters \(1 to 317 allowed\)/],
    ["an alertname longer than 253 characters", () => webhook([alert({ alertname: "A".repeat(254), pod: freshPod() })]), PROMETHEUS_PATH, 400, /alerts\[0\]\.labels\.alertname: is longer than 253 characters/],
    ["a timestamp past year 9999", () => webhook([{ ...alert({ alertname: "X", pod: freshPod() }), startsAt: "9999-12-31T23:00:00-05:00" }]), PROMETHEUS_PATH, 400, /alerts\[0\]\.startsAt: is not an RFC 3339 timestamp/],
    ["an event reason over 253 characters", () => warningEvent("R".repeat(254), { kind: "Pod", name: freshPod() }), EVENT_PATH, 400, /reason: is 254 characters long, more than the limit of 253/],
    ["a huge wrong-typed status, echoed only in part", () => webhook([{ ...alert({ alertname: "X", pod: freshPod() }), status: "s".repeat(50_000) }]), PROMETHEUS_PATH, 400, /^alerts\[0\]\.status: must be "firing" or "resolved", got "s{60,64}…$/],
  ];

  it.each(cases)("%s", async (_what, body, path, status, detail) => {
    const before = (await admin.list()).items.length;
    const reply = await post(gw.url, path, body());
    expect(reply.status).toBe(status);
    expect(reply.headers["content-type"]).toBe("application/problem+json");
    expect(reply.body.detail).toMatch(detail);
    expect((await admin.list()).items.length).toBe(before);
  });

  it("refuses only the bad alert of a payload (207), recording the others", async () => {
    const good = freshPod();
    const reply = await post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname: "X", pod: good }), alert({ alertname: "X", pod: freshPod(), labels: { team: "t".repeat(1025) } })]));
    expect(reply.status).toBe(207);
    expect(reply.body.summary).toMatchObject({ total: 2, created: 1, rejected: 1 });
    expect(reply.body.results[1]).toMatchObject({ status: "rejected", field: "alerts[1].labels.team" });
  });

  it("records an alert whose pod or namespace label cannot name an object, with an Unknown target, instead of refusing it", async () => {
    const reply = await post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname: "LongNames", pod: "p".repeat(254) }), alert({ alertname: "LongNames", pod: freshPod(), namespace: "n".repeat(64) })]));
    expect(reply.status).toBe(207);
    expect(reply.body.summary).toMatchObject({ total: 2, created: 2 });
    const rr = await admin.get(reply.body.results[0].remediationRequestName);
    expect(rr.spec.targetResource).toEqual({ kind: "Unknown", name: "unknown", namespace: "prod" });
  });
});

describe("values cut to fit the CRD", () => {
  it("truncates a long annotation to 4096 characters with a marker, without splitting a character", async () => {
    const description = "🔥".repeat(3_000); // 6,000 UTF-16 units
    const reply = await post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname: "Long", pod: freshPod(), annotations: { description } })]));
    expect(reply.status).toBe(201);
    const rr = await admin.get(reply.body.remediationRequestName);
    const stored = rr.spec.signalAnnotations!.description;
    expect(stored.length).toBeLessThanOrEqual(4096);
    expect(stored.endsWith("…[truncated]")).toBe(true);
    expect(stored).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it("cuts a long receiver name to the 253 characters kept in spec.providerData, instead of refusing the payload", async () => {
    const reply = await post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname: "Src", pod: freshPod() })], { receiver: "r".repeat(600) }));
    expect(reply.status).toBe(201);
    const { spec } = await admin.get(reply.body.remediationRequestName);
    expect(spec.signalSource).toBe("prometheus");
    expect(JSON.parse(spec.providerData!).origin).toBe("r".repeat(253));
  });

  it("cuts a severity longer than kubernaut's 50 characters, and gives an empty one kubernaut's \"unknown\"", async () => {
    const long = await post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname: "Sev", pod: freshPod(), severity: "s".repeat(80) })]));
    expect(long.status).toBe(201);
    expect((await admin.get(long.body.remediationRequestName)).spec.severity).toBe("s".repeat(50));
    const empty = await post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname: "Sev", pod: freshPod(), severity: "" })]));
    expect(empty.status).toBe(201);
    expect((await admin.get(empty.body.remediationRequestName)).spec.severity).toBe("unknown");
  });
});

describe("the buffered-bytes budget (GATEWAY_MAX_BUFFERED_BYTES)", () => {
  it("answers 503 with Retry-After while large payloads hold the budget, and takes the payload once they are done", async () => {
    const small = await startTestGateway(ns, { GATEWAY_MAX_BODY_BYTES: "65536", GATEWAY_MAX_BUFFERED_BYTES: "100000" });
    const { port } = new URL(small.url);
    // A sender that declares 60,000 bytes and sends only the start holds 60,000 of the 100,000.
    const slow = connect(Number(port), "127.0.0.1");
    await new Promise(r => slow.once("connect", r));
    slow.write(`POST ${PROMETHEUS_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{"vers`);
    const payload = webhook([alert({ alertname: "Budget", pod: freshPod(), annotations: { summary: "x".repeat(45_000) } })]);
    try {
      const refused = await waitFor("the held bytes to count", async () => {
        const reply = await post(small.url, PROMETHEUS_PATH, payload);
        return reply.status === 503 ? reply : undefined;
      });
      expect(refused.headers["retry-after"]).toBeDefined();
      expect(refused.body).toMatchObject({ code: "GW_OVERLOADED", detail: expect.stringMatching(/GATEWAY_MAX_BUFFERED_BYTES/) });
    } finally {
      slow.destroy();
    }
    const retried = await waitFor("the retry to be taken", async () => {
      const reply = await post(small.url, PROMETHEUS_PATH, payload);
      return reply.status === 201 ? reply : undefined;
    });
    expect(retried.body).toMatchObject({ status: "created" });
    await small.stop();
  });
});

describe("replay protection (kubernaut's windows: 5 minutes old, 2 minutes ahead)", () => {
  const unixSeconds = (offsetSeconds: number): string => String(Math.floor(Date.now() / 1000) + offsetSeconds);

  it("takes a request whose X-Timestamp is within the window, and refuses an older one with 400 naming the header", async () => {
    const fresh = await post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname: "Replay", pod: freshPod() })]), { "x-timestamp": unixSeconds(-10) });
    expect(fresh.status).toBe(201);
    const replayed = await post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname: "Replay", pod: freshPod() })]), { "x-timestamp": unixSeconds(-3600) });
    expect(replayed.status).toBe(400);
    expect(replayed.body).toMatchObject({ type: "https://kubernaut.ai/problems/validation-error", field: "X-Timestamp", detail: expect.stringMatching(/is 360[01]s old, more than the 300s allowed/) });
  });

  it("takes alerts that began hours ago (Alertmanager's repeat notifications), refuses a payload whose newest startsAt is ahead of the clock", async () => {
    const old = alert({ alertname: "LongFiring", pod: freshPod() });
    old.startsAt = new Date(Date.now() - 6 * 3600_000).toISOString();
    expect((await post(gw.url, PROMETHEUS_PATH, webhook([old]))).status).toBe(201);
    const future = alert({ alertname: "Future", pod: freshPod() });
    future.startsAt = new Date(Date.now() + 3600_000).toISOString();
    const reply = await post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname: "Now", pod: freshPod() }), future]));
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ field: "alerts[].startsAt" });
  });

  it("refuses a stale event with 400, and records it with replay protection off", async () => {
    const stale = warningEvent("BackOff", { kind: "Pod", name: freshPod() }, { lastTimestamp: new Date(Date.now() - 3600_000).toISOString() });
    const refused = await post(gw.url, EVENT_PATH, stale);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ field: "lastTimestamp", detail: expect.stringMatching(/the event is stale/) });
    expect((await admin.list()).items.filter(rr => rr.spec.targetResource.name === (stale.involvedObject as { name: string }).name)).toEqual([]);

    const open = await startTestGateway(ns, { GATEWAY_REPLAY_PROTECTION: "off" });
    try {
      expect((await post(open.url, EVENT_PATH, stale)).status).toBe(201);
    } finally {
      await open.stop();
    }
  });
});

describe("content types", () => {
  it("reads a body sent without Content-Type as JSON, as kubernaut's gateway does", async () => {
    const reply = await request(`${gw.url}${PROMETHEUS_PATH}`, { method: "POST", body: JSON.stringify(webhook([alert({ alertname: "NoType", pod: freshPod() })])) });
    expect(reply.statusCode).toBe(201);
    expect(await reply.body.json()).toMatchObject({ status: "created" });
  });
});

describe("what the API server keeps", () => {
  it("keeps the original payload as JSON text, as kubernaut does, and counts on the RR after it", async () => {
    const pod = freshPod();
    const send = () => post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname: "Payload", pod, annotations: { summary: "~~~?>? \" \\ /" } })]));
    const first = await send();
    expect(first.status).toBe(201);
    const rr = await admin.get(first.body.remediationRequestName);
    expect(readOriginalPayload(rr.spec.originalPayload)).toMatchObject({ annotations: { summary: "~~~?>? \" \\ /" } });
    expect(JSON.parse(rr.spec.originalPayload!)).toEqual(readOriginalPayload(rr.spec.originalPayload));
    const second = await send();
    expect(second.status).toBe(202);
    expect(second.body.metadata.count).toBe(2);
  });

  it("replaces lone UTF-16 surrogates, so the stored labels are what was validated", async () => {
    const reply = await post(gw.url, PROMETHEUS_PATH, `{"alerts":[{"labels":{"alertname":"Sur","pod":"${freshPod()}","namespace":"n","note":"a\\ud800b"}}]}`);
    expect(reply.status).toBe(201);
    expect((await admin.get(reply.body.remediationRequestName)).spec.signalLabels!.note).toBe("a\ufffdb");
  });
});
