import pino from "pino";
import { parseAlertmanagerWebhook } from "../signal/alertmanager";
import type { Signal } from "../signal/signal";
import { AlreadyExistsError, ConflictError, NotFoundError, UnavailableError } from "../k8s/errors";
import type { RemediationRequestInformer } from "../k8s/rr-informer";
import type { RemediationRequestClient } from "../k8s/rr-client";
import type { DeduplicationStatus, RemediationRequest } from "../model/remediation-request";
import { GatewayError } from "./errors";
import { GatewayMetrics } from "./metrics";
import { SignalRecorder } from "./recorder";
import { testSpec } from "../../test/helpers/rr-spec";

const FINGERPRINT = "f".repeat(64);
const signal: Signal = (() => {
  const [alert] = parseAlertmanagerWebhook({ alerts: [{ labels: { alertname: "X", pod: "p", namespace: "n" } }] }).alerts;
  if (!alert.ok) throw alert.error;
  return alert.signal;
})();

function rrWith(resourceVersion: string, deduplication?: DeduplicationStatus): RemediationRequest {
  return { apiVersion: "kubernaut.ai/v1alpha1", kind: "RemediationRequest", metadata: { name: "rr-1", resourceVersion }, spec: testSpec(FINGERPRINT, { signalName: "X" }), status: { deduplication } };
}

/**
 * An API server for one active RR. Each applyStatus runs the next scripted
 * step: "ok" applies it, "lost" applies it but loses the answer, "unsent"
 * fails without applying it, "conflict" finds the RR changed; a step may wait
 * for a gate first.
 */
function fakeApi(steps: { step: "ok" | "lost" | "unsent" | "conflict"; gate?: Promise<void> }[]) {
  let current = rrWith("1");
  let version = 1;
  const writes: DeduplicationStatus[] = [];
  const apply = (section: DeduplicationStatus): RemediationRequest => (current = rrWith(String(++version), section));
  const rrs = {
    namespace: "ns",
    async applyStatus(_name: string, { deduplication }: { deduplication: DeduplicationStatus }, { resourceVersion }: { resourceVersion?: string }): Promise<RemediationRequest> {
      const { step, gate } = steps.shift() ?? { step: "ok" };
      await gate;
      writes.push(deduplication);
      if (step === "unsent") throw new UnavailableError("apply: no answer", 0);
      if (step === "conflict" || resourceVersion !== current.metadata.resourceVersion) throw new ConflictError("apply: conflict");
      const updated = apply(deduplication);
      if (step === "lost") throw new UnavailableError("apply: connection lost mid-request", 0);
      return updated;
    },
    async get(): Promise<RemediationRequest> {
      return current;
    },
    async listByFingerprint(): Promise<RemediationRequest[]> {
      return [current];
    },
  };
  const cache = { rrsOf: () => [current], observe: () => undefined };
  return {
    writes,
    current: () => current,
    /** A write lands late, behind the gateway's back (etcd replaying it after a restart). */
    landLate: (section: DeduplicationStatus) => apply(section),
    recorder: new SignalRecorder({
      rrs: rrs as unknown as RemediationRequestClient,
      cache: cache as unknown as RemediationRequestInformer,
      metrics: new GatewayMetrics(),
      logger: pino({ level: "silent" }),
      strategy: "resource",
      maxApplyAttempts: 5,
      unsureWriteWaitMs: 1_000,
    }),
  };
}

const gate = () => {
  let open!: () => void;
  return { promise: new Promise<void>(resolve => (open = resolve)), open: () => open() };
};

describe("SignalRecorder", () => {
  it("answers a write whose answer was lost from the RR itself, without writing again", async () => {
    const api = fakeApi([{ step: "lost" }]);
    const result = await api.recorder.record(signal, FINGERPRINT, "r1");
    expect(result).toMatchObject({ status: "created", count: 1 });
    expect(api.writes).toHaveLength(1);
    expect(api.current().status?.deduplication?.occurrenceCount).toBe(1);
  });

  it("writes again when the RR shows a write without an answer was not applied", async () => {
    const api = fakeApi([{ step: "unsent" }, { step: "ok" }]);
    expect(await api.recorder.record(signal, FINGERPRINT, "r1")).toMatchObject({ count: 1 });
    expect(api.writes).toHaveLength(2);
    expect(api.current().status?.deduplication?.occurrenceCount).toBe(1);
  });

  it("recognises a write that lands after it was found not applied, and does not count twice", async () => {
    const late = gate();
    const api = fakeApi([{ step: "unsent" }, { step: "conflict", gate: late.promise }]);
    const recording = api.recorder.record(signal, FINGERPRINT, "r1");
    await new Promise(r => setTimeout(r, 20));
    api.landLate(api.writes[0]); // the first write, applied after all
    late.open();
    expect(await recording).toMatchObject({ count: 1 });
    expect(api.current().status?.deduplication?.occurrenceCount).toBe(1);
  });

  it("writes again after losing a race with what arrived meanwhile too: one write for all, counts 1..n once each", async () => {
    const racing = gate();
    const api = fakeApi([{ step: "conflict", gate: racing.promise }, { step: "ok" }]);
    const first = api.recorder.record(signal, FINGERPRINT, "a");
    await new Promise(r => setTimeout(r, 10)); // a's write is under way
    const later = [api.recorder.record(signal, FINGERPRINT, "b"), api.recorder.record(signal, FINGERPRINT, "c")];
    racing.open();
    const counts = (await Promise.all([first, ...later])).map(r => r.count);
    expect(counts).toEqual([1, 2, 3]);
    expect(api.writes.map(w => w.occurrenceCount)).toEqual([1, 3]);
    expect(api.current().status?.deduplication?.occurrenceCount).toBe(3);
  });

  it("does not write the signal of a sender that left while it waited", async () => {
    const first = gate();
    const api = fakeApi([{ step: "ok", gate: first.promise }]);
    const a = api.recorder.record(signal, FINGERPRINT, "a");
    const left = new AbortController();
    const b = api.recorder.record(signal, FINGERPRINT, "b", left.signal); // waits for a's write (group commit)
    left.abort();
    first.open();
    expect(await a).toMatchObject({ count: 1 });
    await expect(b).rejects.toBeInstanceOf(GatewayError);
    expect(api.writes).toHaveLength(1);
    expect(api.current().status?.deduplication?.occurrenceCount).toBe(1);
  });

  it("does not write again for a sender that left while the gateway learned a write was not applied", async () => {
    const left = new AbortController();
    const writing = gate();
    const api = fakeApi([{ step: "unsent", gate: writing.promise }]);
    const recording = api.recorder.record(signal, FINGERPRINT, "r1", left.signal);
    await new Promise(r => setTimeout(r, 10)); // the write is under way
    left.abort();
    writing.open();
    await expect(recording).rejects.toBeInstanceOf(GatewayError);
    expect(api.writes).toHaveLength(1);
    expect(api.current().status?.deduplication?.occurrenceCount).toBeUndefined();
  });

  it("creates again when the RR that won its name is deleted before it could be read (retention), instead of failing", async () => {
    let stored: RemediationRequest | undefined;
    let creates = 0;
    const rrs = {
      namespace: "ns",
      async create(rr: RemediationRequest): Promise<RemediationRequest> {
        if (++creates === 1) throw new AlreadyExistsError("create: already exists", 409); // and deleted right after
        return (stored = { ...rr, metadata: { ...rr.metadata, resourceVersion: "1" } });
      },
      async get(name: string): Promise<RemediationRequest> {
        if (!stored) throw new NotFoundError(`get ${name}: not found`, 404);
        return stored;
      },
      async listByFingerprint(): Promise<RemediationRequest[]> {
        return stored ? [stored] : [];
      },
      async applyStatus(_name: string, { deduplication }: { deduplication: DeduplicationStatus }): Promise<RemediationRequest> {
        return (stored = { ...stored!, metadata: { ...stored!.metadata, resourceVersion: "2" }, status: { deduplication } });
      },
    };
    const recorder = new SignalRecorder({
      rrs: rrs as unknown as RemediationRequestClient,
      cache: { rrsOf: () => [], observe: () => undefined } as unknown as RemediationRequestInformer,
      metrics: new GatewayMetrics(),
      logger: pino({ level: "silent" }),
      strategy: "resource",
      maxApplyAttempts: 5,
    });
    expect(await recorder.record(signal, FINGERPRINT, "r1")).toMatchObject({ status: "created", count: 1 });
    expect(creates).toBe(2);
    expect(stored?.status?.deduplication?.occurrenceCount).toBe(1);
  });

  describe("event source signals (cumulative counts per Event object)", () => {
    const eventSignal = (uid: string, count: number, since?: number): Signal => ({ ...signal, eventSeries: [{ uid, count, since }] });

    it("adds each Event's new occurrences once, and writes nothing for a replay of what is counted", async () => {
      const api = fakeApi([]);
      expect(await api.recorder.record(eventSignal("e1", 3), FINGERPRINT, "a")).toMatchObject({ status: "created", count: 3 });
      const repeat = await api.recorder.record(eventSignal("e1", 5), FINGERPRINT, "b");
      expect(repeat).toMatchObject({ status: "duplicate", count: 5 });
      expect(repeat.unchanged).toBeUndefined();
      const writes = api.writes.length;
      // A relist, a restart, a second watcher: the same cumulative counts again.
      expect(await api.recorder.record(eventSignal("e1", 5), FINGERPRINT, "c")).toMatchObject({ count: 5, unchanged: true });
      expect(await api.recorder.record(eventSignal("e1", 4), FINGERPRINT, "d")).toMatchObject({ count: 5 });
      expect(api.writes).toHaveLength(writes);
      expect(api.current().status?.deduplication).toMatchObject({ occurrenceCount: 5, countedEvents: [{ uid: "e1", count: 5 }] });
    });

    it("keeps the watermark when an HTTP signal is counted in between", async () => {
      const api = fakeApi([]);
      await api.recorder.record(eventSignal("e1", 2), FINGERPRINT, "a");
      expect(await api.recorder.record(signal, FINGERPRINT, "http")).toMatchObject({ count: 3 });
      expect(await api.recorder.record(eventSignal("e1", 2), FINGERPRINT, "replay")).toMatchObject({ count: 3 });
      expect(api.current().status?.deduplication?.countedEvents).toEqual([expect.objectContaining({ uid: "e1", count: 2 })]);
    });

    it("counts count - since when the CRD cannot hold the watermark (kubernaut's own)", async () => {
      const api = fakeApi([]);
      const recorder = new SignalRecorder({ ...(api.recorder as unknown as { deps: ConstructorParameters<typeof SignalRecorder>[0] }).deps, eventWatermarks: () => false });
      expect(await recorder.record(eventSignal("e1", 3, 0), FINGERPRINT, "a")).toMatchObject({ count: 3 });
      expect(await recorder.record(eventSignal("e1", 7, 3), FINGERPRINT, "b")).toMatchObject({ count: 7 });
      expect(api.current().status?.deduplication?.countedEvents).toBeUndefined();
    });
  });
});

describe("SignalRecorder: creating a problem's next RR", () => {
  const terminal = (ageMs: number): RemediationRequest => ({
    ...rrWith("7"),
    metadata: { name: "rr-old", uid: "uid-old", resourceVersion: "7", creationTimestamp: new Date(Date.now() - ageMs).toISOString() },
    status: { overallPhase: "Completed" },
  });

  function createApi(cached: RemediationRequest[], fresh: boolean, listed: RemediationRequest[] = cached, annotateFails?: Error) {
    const calls: string[] = [];
    const rrs = {
      namespace: "ns",
      async listByFingerprint() {
        calls.push("list");
        return listed;
      },
      async annotate(name: string, annotations: Record<string, string>, { resourceVersion }: { resourceVersion: string }) {
        calls.push(`annotate ${name}@${resourceVersion} ${Object.keys(annotations).join(",")}`);
        if (annotateFails) {
          const err = annotateFails;
          annotateFails = undefined;
          throw err;
        }
        return terminal(0);
      },
      async create(rr: RemediationRequest) {
        calls.push(`create ${rr.metadata.name} after ${rr.metadata.annotations?.["kubernaut.ai/predecessor"] ?? "nothing"}`);
        return { ...rr, metadata: { ...rr.metadata, resourceVersion: "10" } };
      },
      async applyStatus(name: string) {
        calls.push(`apply ${name}`);
        return { ...rrWith("11", { occurrenceCount: 1 }), metadata: { name, resourceVersion: "11" } };
      },
    };
    const recorder = new SignalRecorder({
      rrs: rrs as unknown as RemediationRequestClient,
      cache: { rrsOf: () => cached, observe: () => undefined } as unknown as RemediationRequestInformer,
      metrics: new GatewayMetrics(),
      logger: pino({ level: "silent" }),
      strategy: "resource",
      maxApplyAttempts: 5,
      freshness: { isFresh: () => fresh, wrote: () => undefined },
      chainSafety: { minAgeMs: 60_000, claimHoldMs: 10_000 },
    });
    return { calls, recorder };
  }

  it("creates a new problem's first RR on a fresh cache's word: a create and a status apply, no read", async () => {
    const { calls, recorder } = createApi([], true);
    expect(await recorder.record(signal, FINGERPRINT, "r")).toMatchObject({ status: "created", count: 1 });
    expect(calls.map(c => c.split(" ")[0])).toEqual(["create", "apply"]);
  });

  it("lists the problem's RRs first when the cache is not known fresh", async () => {
    const { calls, recorder } = createApi([], false);
    await recorder.record(signal, FINGERPRINT, "r");
    expect(calls.map(c => c.split(" ")[0])).toEqual(["list", "create", "apply"]);
  });

  it("creates the successor of a young terminal RR without claiming it", async () => {
    const { calls, recorder } = createApi([terminal(1_000)], true);
    await recorder.record(signal, FINGERPRINT, "r");
    expect(calls[0]).toMatch(/^create rr-f{12}-[0-9a-f]{8} after rr-old$/);
    expect(calls).toHaveLength(2);
  });

  it("claims a terminal RR half the minimum age old (its resourceVersion as precondition) before creating its successor", async () => {
    const { calls, recorder } = createApi([terminal(30_000)], true);
    await recorder.record(signal, FINGERPRINT, "r");
    expect(calls[0]).toBe("annotate rr-old@7 kubernaut.ai/successor-claimed-at");
    expect(calls[1]).toMatch(/^create .* after rr-old$/);
  });

  it("decides again on a list when the claim finds the predecessor changed or gone", async () => {
    const { calls, recorder } = createApi([terminal(30_000)], true, [terminal(30_000)], new NotFoundError("gone", 404));
    await recorder.record(signal, FINGERPRINT, "r");
    expect(calls.map(c => c.split(" ")[0])).toEqual(["annotate", "list", "annotate", "create", "apply"]);
  });
});
