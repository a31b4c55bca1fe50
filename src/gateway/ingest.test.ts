import pino from "pino";
import { parseAlertmanagerWebhook } from "../signal/alertmanager";
import { RedeliveryMemory } from "./redelivery-memory";
import type { Signal } from "../signal/signal";
import { ForbiddenError, UnavailableError } from "../k8s/errors";
import type { ScopeLabels, ScopeLabelValues } from "../k8s/scope-labels";
import { CircuitBreaker } from "./circuit-breaker";
import { GatewayError } from "./errors";
import { SignalIngest, type IngestDeps } from "./ingest";
import { GatewayMetrics } from "./metrics";
import type { SignalRecorder } from "./recorder";
import type { Recorded } from "./signal-result";
import { ScopeFilter } from "./scope-filter";

function signals(...pods: string[]): Signal[] {
  return parseAlertmanagerWebhook({ groupKey: "g", alerts: pods.map(pod => ({ labels: { alertname: "X", pod, namespace: "n" } })) }).alerts.map(a => {
    if (!a.ok) throw a.error;
    return a.signal;
  });
}

/** A recorder that counts per fingerprint and fails for the pods named in `down`. */
function fakeRecorder(down: Set<string>) {
  const counts = new Map<string, number>();
  const calls: string[] = [];
  const recorder = {
    async record(signal: Signal, fingerprint: string): Promise<Recorded> {
      calls.push(signal.target.name);
      if (down.has(signal.target.name)) throw new UnavailableError("API down", 0);
      const count = (counts.get(fingerprint) ?? 0) + 1;
      counts.set(fingerprint, count);
      return { kind: "recorded", status: count === 1 ? "created" : "duplicate", fingerprint, rrName: `rr-${signal.target.name}`, namespace: "ns", count };
    },
  } as unknown as SignalRecorder;
  return { recorder, counts, calls };
}

/** The API server's /readyz, as the circuit breaker's probe sees it: down. */
const apiDown = async (): Promise<void> => {
  throw new Error("API server down");
};

function ingestDeps(recorder: SignalRecorder, breaker = new CircuitBreaker(60_000, apiDown)): IngestDeps {
  return {
    recorder,
    metrics: new GatewayMetrics(),
    logger: pino({ level: "silent" }),
    strategy: "resource",
    breaker,
    redelivery: new RedeliveryMemory<Recorded>(60_000),
    namespace: "ns",
    scope: new ScopeFilter("all"),
  };
}

/** GATEWAY_SCOPE=managed-label over fixed labels per pod name (undefined: not known yet). */
function scopeOf(labels: Record<string, ScopeLabelValues | undefined>): ScopeFilter {
  return new ScopeFilter("managed-label", { hasSynced: true, labelsOf: async target => labels[target.name] } as ScopeLabels);
}

const ingestWith = (recorder: SignalRecorder, breaker?: CircuitBreaker): SignalIngest => new SignalIngest(ingestDeps(recorder, breaker));

describe("SignalIngest", () => {
  it("does not count twice the alerts of a payload that is redelivered after a partial failure", async () => {
    const down = new Set(["b"]);
    const { recorder, counts, calls } = fakeRecorder(down);
    const ingest = ingestWith(recorder, new CircuitBreaker(0, apiDown));
    const first = await ingest.ingest(signals("a", "b"), "r1");
    expect(first.map(o => o.kind)).toEqual(["recorded", "failed"]);

    down.clear();
    const again = await ingest.ingest(signals("a", "b"), "r2");
    expect(again.map(o => o.kind)).toEqual(["recorded", "recorded"]);
    expect(again[0].kind === "recorded" && again[0].count).toBe(1);
    expect([...counts.values()]).toEqual([1, 1]);
    expect(calls).toEqual(["a", "b", "b"]);

    // A later, separate delivery of the same alert is a real repeat: it counts.
    const repeat = await ingest.ingest(signals("a"), "r3");
    expect(repeat[0].kind === "recorded" && repeat[0].count).toBe(2);
  });

  it("fails fast without calling the API while the circuit is open, for the reason circuit_open", async () => {
    const { recorder, calls } = fakeRecorder(new Set(["a"]));
    const metrics = new GatewayMetrics();
    const ingest = new SignalIngest({ ...ingestDeps(recorder), metrics });
    expect((await ingest.ingest(signals("a"), "r1"))[0].kind).toBe("failed");
    const second = await ingest.ingest(signals("b"), "r2");
    expect(second[0].kind === "failed" && [second[0].error.code, second[0].error.reason]).toEqual(["GW_API_UNAVAILABLE", "circuit_open"]);
    expect(calls).toEqual(["a"]);
    expect((await metrics.circuitRejections.get()).values[0].value).toBe(1);
  });

  it("answers a retryable 503 when the API server refuses the gateway itself (403), and keeps the circuit closed", async () => {
    const recorder = {
      async record(): Promise<Recorded> {
        throw new ForbiddenError("apply: forbidden", 403);
      },
    } as unknown as SignalRecorder;
    const breaker = new CircuitBreaker(60_000, apiDown);
    const [outcome] = await ingestWith(recorder, breaker).ingest(signals("a"), "r1");
    expect(outcome.kind === "failed" && [outcome.error.code, outcome.error.status]).toEqual(["GW_API_UNAVAILABLE", 503]);
    expect(outcome.kind === "failed" && outcome.error.message).toMatch(/refused the gateway's own request/);
    expect(breaker.isOpen).toBe(false);
  });


  it("tells a signal whose sender left before it was written apart from an outage (reason sender_left)", async () => {
    const left = new AbortController();
    const recorder = {
      async record(_signal: Signal, _fingerprint: string, _requestId: string, gone?: AbortSignal): Promise<Recorded> {
        left.abort(); // the sender times out while the signal waits
        if (gone?.aborted) throw new GatewayError("GW_API_UNAVAILABLE", "the sender left before the signal was recorded: it was not recorded");
        throw new Error("unreachable");
      },
    } as unknown as SignalRecorder;
    const [outcome] = await ingestWith(recorder).ingest(signals("a"), "r1", left.signal);
    expect(outcome.kind === "failed" && outcome.error.reason).toBe("sender_left");
  });

  describe("with GATEWAY_SCOPE=managed-label", () => {
    it("records managed signals, and answers unmanaged ones with kubernaut's rejection without fingerprinting or writing anything", async () => {
      const { recorder, calls } = fakeRecorder(new Set());
      const ingest = new SignalIngest({ ...ingestDeps(recorder), scope: scopeOf({ a: { namespaceLabel: "true" }, b: { namespaceLabel: "false" }, c: {} }) });
      const results = await ingest.ingest(signals("a", "b", "c"), "r1");
      expect(results.map(r => r.kind)).toEqual(["recorded", "unmanaged", "unmanaged"]);
      expect(results[1].kind === "unmanaged" && [results[1].error.code, results[1].error.reason, results[1].error.extensions.rejection]).toEqual([
        "GW_UNMANAGED_RESOURCE",
        "unmanaged_resource",
        expect.objectContaining({ reason: "unmanaged_resource" }),
      ]);
      expect(calls).toEqual(["a"]);
    });

    it("answers 503 (GW_SCOPE_UNKNOWN), never a rejection, while the labels are not known", async () => {
      const { recorder, calls } = fakeRecorder(new Set());
      const [outcome] = await new SignalIngest({ ...ingestDeps(recorder), scope: scopeOf({ a: undefined }) }).ingest(signals("a"), "r1");
      expect(outcome.kind === "failed" && [outcome.error.code, outcome.error.status, outcome.error.retryable]).toEqual(["GW_SCOPE_UNKNOWN", 503, true]);
      expect(calls).toEqual([]);
    });
  });
});
