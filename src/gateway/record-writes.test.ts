import pino from "pino";
import { parseAlertmanagerWebhook } from "../signal/alertmanager";
import type { Signal } from "../signal/signal";
import { AlreadyExistsError, ConflictError, NotFoundError, UnavailableError } from "../k8s/errors";
import type { RemediationRequestInformer } from "../k8s/rr-informer";
import type { RemediationRequestClient } from "../k8s/rr-client";
import type { DeduplicationStatus, RemediationRequest } from "../model/remediation-request";
import { GatewayMetrics } from "./metrics";
import { RecordWrites } from "./record-writes";
import { testSpec } from "../../test/helpers/rr-spec";

const FINGERPRINT = "f".repeat(64);
const T0 = Date.now();
const signal: Signal = (() => {
  const [alert] = parseAlertmanagerWebhook({ alerts: [{ labels: { alertname: "X", pod: "p", namespace: "n" } }] }).alerts;
  if (!alert.ok) throw alert.error;
  return alert.signal;
})();

function rr(resourceVersion: string, deduplication?: DeduplicationStatus, createdAgoMs = 0): RemediationRequest {
  return {
    apiVersion: "kubernaut.ai/v1alpha1",
    kind: "RemediationRequest",
    metadata: { name: "rr-1", resourceVersion, creationTimestamp: new Date(T0 - createdAgoMs).toISOString() },
    spec: testSpec(FINGERPRINT, { signalName: "X" }),
    status: { deduplication },
  };
}

const ONE: DeduplicationStatus = { occurrenceCount: 1, firstSeenAt: "2026-01-01T00:00:00Z", lastSeenAt: "2026-01-01T00:00:00Z" };
const managerConflict = (): ConflictError =>
  new ConflictError("apply: conflict", { kind: "Status", details: { causes: [{ reason: "FieldManagerConflict", message: 'conflict with "someone"', field: ".status.deduplication" }] } });

/** RecordWrites over an API client whose calls are given per test. */
function writesWith(rrs: Partial<Record<keyof RemediationRequestClient, unknown>>) {
  const metrics = new GatewayMetrics();
  const wrote: (string | undefined)[] = [];
  const writes = new RecordWrites({
    rrs: { namespace: "ns", ...rrs } as unknown as RemediationRequestClient,
    cache: { observe: () => undefined } as unknown as RemediationRequestInformer,
    metrics,
    logger: pino({ level: "silent" }),
    strategy: "resource",
    unsureWriteWaitMs: 500,
    freshness: { wrote: version => wrote.push(version) },
  });
  const value = async (counter: keyof GatewayMetrics, labels: Record<string, string>): Promise<number> =>
    ((await (metrics[counter] as { get(): Promise<{ values: { labels: Record<string, string>; value: number }[] }> }).get()).values.find(v => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0);
  return { writes, wrote, value };
}

describe("a count write", () => {
  it("lands: the RR as the API server answered, its resourceVersion told to the cache's freshness", async () => {
    const { writes, wrote, value } = writesWith({ applyStatus: async () => rr("2", ONE) });
    expect(await writes.count(rr("1"), ONE)).toEqual({ outcome: "landed", rr: rr("2", ONE) });
    expect(wrote).toEqual(["2"]);
    expect(await value("apiWrites", { operation: "apply-status" })).toBe(1);
  });

  it.each([
    ["a stale resourceVersion", new ConflictError("apply: conflict"), 1],
    ["the RR gone", new NotFoundError("apply: not found", 404), 0],
  ])("loses a race on %s", async (_what, err, conflicts) => {
    const { writes, value } = writesWith({ applyStatus: async () => Promise.reject(err) });
    expect(await writes.count(rr("1"), ONE)).toEqual({ outcome: "lost" });
    expect(await value("applyConflicts", {})).toBe(conflicts);
  });

  it("throws a conflict with another field manager: retrying cannot help", async () => {
    const { writes } = writesWith({ applyStatus: async () => Promise.reject(managerConflict()) });
    await expect(writes.count(rr("1"), ONE)).rejects.toBeInstanceOf(ConflictError);
  });

  it("without an answer, is settled from the RR: applied after all, or not (the RR as it is now)", async () => {
    const lost = async (): Promise<never> => Promise.reject(new UnavailableError("apply: socket hang up", 0));
    const applied = writesWith({ applyStatus: lost, get: async () => rr("2", ONE) });
    expect(await applied.writes.count(rr("1"), ONE)).toEqual({ outcome: "landed", rr: rr("2", ONE) });
    expect(await applied.value("unsureWrites", { outcome: "applied" })).toBe(1);

    const notApplied = writesWith({ applyStatus: lost, get: async () => rr("1") });
    expect(await notApplied.writes.count(rr("1"), ONE)).toEqual({ outcome: "not-landed", rr: rr("1") });
    expect(await notApplied.value("unsureWrites", { outcome: "not_applied" })).toBe(1);
  });
});

describe("creating an RR", () => {
  const create = { action: "create", name: "rr-1" } as const;

  it("counts on the winner when another creator took the name, and gives up (undefined) when the winner is gone already", async () => {
    const taken = async (): Promise<never> => Promise.reject(new AlreadyExistsError("create: exists", 409));
    expect(await writesWith({ create: taken, get: async () => rr("7", ONE) }).writes.create(create, signal, FINGERPRINT, "r1")).toEqual(rr("7", ONE));
    expect(await writesWith({ create: taken, get: async () => Promise.reject(new NotFoundError("get", 404)) }).writes.create(create, signal, FINGERPRINT, "r1")).toBeUndefined();
  });

  it("claims a predecessor old enough to be deleted first, and creates nothing when it changed meanwhile", async () => {
    let created = 0;
    const old = rr("3", ONE, 3_600_000);
    const { writes } = writesWith({
      annotate: async () => Promise.reject(new ConflictError("annotate: conflict")),
      create: async () => {
        created++;
        return rr("1");
      },
    });
    expect(await writes.create({ action: "create", name: "rr-2", predecessor: old }, signal, FINGERPRINT, "r1")).toBeUndefined();
    expect(created).toBe(0);
  });
});
