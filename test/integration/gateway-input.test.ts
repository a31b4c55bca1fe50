import { RemediationRequestClient } from "../../src/k8s/rr-client";
import { alert, EVENT_PATH, post, PROMETHEUS_PATH, uniqueNames, warningEvent, webhook } from "../helpers/signals";
import { TestEnvironment } from "./helpers/environment";
import { startTestGateway, TestGateway } from "./helpers/gateway";

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
    ["more alerts than GATEWAY_MAX_ALERTS", () => webhook(Array.from({ length: 6 }, () => alert({ alertname: "X", pod: freshPod() }))), PROMETHEUS_PATH, 400, /alerts: has 6 alerts, more than the limit of 5/],
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

  it("cuts a long receiver name to the 253 characters spec.signalSource holds, instead of refusing the payload", async () => {
    const reply = await post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname: "Src", pod: freshPod() })], { receiver: "r".repeat(600) }));
    expect(reply.status).toBe(201);
    expect((await admin.get(reply.body.remediationRequestName)).spec.signalSource).toBe("r".repeat(253));
  });
});

describe("what the API server keeps", () => {
  it("counts again on an RR whose original payload's base64 holds + and / (CRD pattern, not format: byte)", async () => {
    // "~~~?>?" encodes to "fn5+Pz4/": with "format: byte", every status write after the create would fail with 422.
    const pod = freshPod();
    const send = () => post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname: "Base64", pod, annotations: { summary: "~~~?>?" } })]));
    const first = await send();
    expect(first.status).toBe(201);
    const rr = await admin.get(first.body.remediationRequestName);
    expect(rr.spec.originalPayload).toMatch(/[+/]/);
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
