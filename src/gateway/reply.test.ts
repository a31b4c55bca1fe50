import { apiUnavailable, GatewayError, recordingFailure } from "./errors";
import { GatewayMetrics } from "./metrics";
import { countRefusedRequest, countRefusedSignals } from "./rejections";
import { replyTo, wireResult } from "./reply";
import { forbiddenSignal, invalidSignal, refused, unmanagedSignal, type Recorded, type SignalResult } from "./signal-result";
import { SignalValidationError } from "../signal/validation-error";
import { InvalidError } from "../k8s/errors";

const target = { kind: "Pod", name: "web-1", namespace: "shop", apiVersion: "v1" };
const recorded = (status: Recorded["status"], count = 1, rrName: string | null = "rr-1"): Recorded => ({
  kind: "recorded",
  status,
  fingerprint: "f".repeat(64),
  rrName: rrName ?? undefined,
  namespace: "kubernaut-system",
  count,
  firstSeenAt: "2026-01-01T00:00:00Z",
  lastSeenAt: "2026-01-01T00:01:00Z",
});
const invalid = invalidSignal(new SignalValidationError("alerts[1].labels.alertname", "is required"));
const forbidden = forbiddenSignal({ namespace: "shop", message: "alice may not send signals for namespace shop" });
const failed = refused(apiUnavailable());

function okReply(results: SignalResult[]): { status: number; body: Record<string, unknown> } {
  const reply = replyTo(results);
  if ("error" in reply) throw new Error(`expected a body, got ${reply.error.code}`);
  return reply as { status: number; body: Record<string, unknown> };
}

function errorReply(results: SignalResult[]): GatewayError {
  const reply = replyTo(results);
  if (!("error" in reply)) throw new Error(`expected an error, got ${reply.status}`);
  return reply.error;
}

describe("the reply to a signal request", () => {
  it.each([
    ["created", 201],
    ["duplicate", 202],
    ["resolved", 200],
  ] as const)("answers one %s signal %i, in kubernaut's wire format", (status, code) => {
    const reply = okReply([recorded(status, 3)]);
    expect(reply.status).toBe(code);
    expect(reply.body).toMatchObject({ status, duplicate: status === "duplicate", remediationRequestName: "rr-1", occurrenceCount: 3, metadata: { remediationRequestRef: "kubernaut-system/rr-1" } });
  });

  it("answers an out-of-scope signal 200 with kubernaut's rejection, and an ignored alert 200", () => {
    expect(okReply([unmanagedSignal(target)])).toEqual({
      status: 200,
      body: { status: "rejected", duplicate: false, message: "Signal rejected: resource shop:Pod:web-1 is not managed by Kubernaut", rejection: expect.objectContaining({ reason: "unmanaged_resource" }) },
    });
    expect(okReply([{ kind: "ignored", alertname: "Watchdog" }])).toMatchObject({ status: 200, body: { status: "ignored" } });
  });

  it("answers 207 with each signal's result and a summary", () => {
    const reply = okReply([recorded("created"), recorded("duplicate", 2), invalid, unmanagedSignal(target), forbidden, { kind: "ignored", alertname: "Watchdog" }]);
    expect(reply.status).toBe(207);
    expect(reply.body.summary).toEqual({ total: 6, created: 1, deduplicated: 1, resolved: 0, rejected: 3, ignored: 1, failed: 0 });
    expect((reply.body.results as unknown[])[2]).toEqual({ status: "rejected", duplicate: false, field: "alerts[1].labels.alertname", message: "alerts[1].labels.alertname: is required" });
    expect((reply.body.results as unknown[])[4]).toEqual({ status: "rejected", duplicate: false, message: "alice may not send signals for namespace shop", forbidden: { scope: "namespace", namespace: "shop" } });
  });

  it("returns a partial failure as the failure (503), carrying what was recorded, never throwing", () => {
    const error = errorReply([recorded("created"), failed, invalid]);
    expect([error.code, error.status, error.retryable]).toEqual(["GW_API_UNAVAILABLE", 503, true]);
    expect(error.message).toMatch(/^1 of 3 signals could not be recorded: /);
    expect(error.extensions.summary).toEqual({ total: 3, created: 1, deduplicated: 0, resolved: 0, rejected: 1, ignored: 0, failed: 1 });
    expect(error.extensions.results).toEqual([wireResult(recorded("created")), wireResult(invalid)]);
  });

  it("answers one forbidden signal 403 naming the namespace, and a payload of invalid signals only 400 listing each", () => {
    expect(errorReply([forbidden])).toMatchObject({ code: "GW_FORBIDDEN", status: 403, extensions: { forbidden: { scope: "namespace", namespace: "shop" } } });
    const error = errorReply([invalid, refused(recordingFailure(new InvalidError("create: spec.x: Invalid value", 422), false))]);
    expect([error.code, error.status]).toEqual(["GW_INVALID_PAYLOAD", 400]);
    expect(error.extensions.errors).toEqual([
      { field: "alerts[1].labels.alertname", message: "alerts[1].labels.alertname: is required" },
      { field: "signal", message: "signal: the Kubernetes API refused it: create: spec.x: Invalid value" },
    ]);
  });

  it("answers a resolved alert without an active RR without naming one", () => {
    expect(okReply([recorded("resolved", 0, null)]).body).toEqual({
      status: "resolved",
      duplicate: false,
      fingerprint: "f".repeat(64),
      message: "Resolved alert accepted: no active RemediationRequest for it, none created",
    });
  });
});

describe("counting refusals", () => {
  async function counted(metrics: GatewayMetrics): Promise<[string, string, number][]> {
    return (await metrics.signalsRejected.get()).values.filter(v => v.value > 0).map(v => [String(v.labels.source), String(v.labels.reason), v.value]);
  }

  it("counts each refused signal under its answer's reason, and nothing for recorded or ignored ones", async () => {
    const metrics = new GatewayMetrics();
    countRefusedSignals(metrics, "prometheus", [recorded("created"), invalid, invalid, forbidden, unmanagedSignal(target), refused(apiUnavailable("circuit_open")), { kind: "ignored", alertname: "Watchdog" }]);
    expect((await counted(metrics)).sort()).toEqual(
      [
        ["prometheus", "invalid", 2],
        ["prometheus", "forbidden_namespace", 1],
        ["prometheus", "unmanaged_resource", 1],
        ["prometheus", "circuit_open", 1],
      ].sort(),
    );
  });

  it("counts a request refused as a whole once, and not an answer that is not a signal's", async () => {
    const metrics = new GatewayMetrics();
    countRefusedRequest(metrics, "kubernetes-event", new GatewayError("GW_INVALID_PAYLOAD", "too old", {}, "stale"));
    countRefusedRequest(metrics, "kubernetes-event", new GatewayError("GW_METHOD_NOT_ALLOWED", "GET"));
    expect(await counted(metrics)).toEqual([["kubernetes-event", "stale", 1]]);
  });
});
