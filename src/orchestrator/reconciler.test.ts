import type { Logger } from "pino";
import { ConflictError, KubeStatus } from "../k8s/errors";
import { FIELD_MANAGERS } from "../k8s/field-managers";
import type { ApplyStatusOptions, RemediationRequestClient } from "../k8s/rr-client";
import type { LifecycleStatus, RemediationRequest } from "../model/remediation-request";
import type { OrchestratorConfig } from "./config";
import { minimalRR } from "../../test/helpers/minimal-rr";
import { Reconciler } from "./reconciler";

/**
 * The reconciler's I/O decisions, against an in-memory stand-in for the RR
 * client (the real API server is exercised in test/integration/orchestrator-*).
 */

const NOW = new Date(Date.UTC(2025, 0, 1, 0, 0, 10));
const CONFIG: OrchestratorConfig = {
  namespace: "ns",
  identity: "test",
  durations: { Pending: 1_000, Processing: 1_000, Analyzing: 1_000, Executing: 1_000, Verifying: 1_000 },
  rules: [],
  failureThreshold: 3,
  cooldownMs: 60_000,
  backoff: { baseMs: 60_000, maxMs: 600_000 },
  noActionHoldMs: 86_400_000,
  dryRunHoldMs: 3_600_000,
  lease: { name: "l", namespace: "ns", durationMs: 15_000 },
};

function rr(resourceVersion: string, status?: LifecycleStatus): RemediationRequest {
  return minimalRR({ metadata: { name: "rr-1", resourceVersion, generation: 1, creationTimestamp: "2025-01-01T00:00:00Z" }, spec: { signalName: "A" }, status });
}

interface Applied {
  section: LifecycleStatus;
  options: ApplyStatusOptions;
}

/** A stand-in RR client: `server` is the API server's copy; applyStatus enforces the resourceVersion precondition. */
function fakeClient(server: { rr: RemediationRequest }, options: { managerConflict?: boolean } = {}) {
  const applied: Applied[] = [];
  const calls: string[] = [];
  const client = {
    async get() {
      calls.push("get");
      return structuredClone(server.rr);
    },
    async listByFingerprint() {
      calls.push("list");
      return [];
    },
    async applyStatus(_name: string, section: LifecycleStatus, opts: ApplyStatusOptions) {
      calls.push("apply");
      if (options.managerConflict) {
        const status: KubeStatus = { kind: "Status", reason: "Conflict", details: { causes: [{ reason: "FieldManagerConflict", message: 'conflict with "someone-else"', field: ".status.overallPhase" }] } };
        throw new ConflictError("apply: conflict", status);
      }
      if (opts.resourceVersion !== server.rr.metadata.resourceVersion) throw new ConflictError("apply: the object has been modified", { kind: "Status", reason: "Conflict" });
      applied.push({ section, options: opts });
      server.rr = { ...server.rr, metadata: { ...server.rr.metadata, resourceVersion: String(Number(server.rr.metadata.resourceVersion) + 1) }, status: section };
      return structuredClone(server.rr);
    },
  };
  return { client: client as unknown as RemediationRequestClient, applied, calls };
}

function quietLog(errors: unknown[] = []): Logger {
  return { info: () => undefined, warn: () => undefined, error: (obj: unknown) => errors.push(obj), debug: () => undefined } as unknown as Logger;
}

function setup(cached: RemediationRequest, server: { rr: RemediationRequest }, opts: { leader?: boolean; managerConflict?: boolean } = {}) {
  const index = new Map([["rr-1", cached]]);
  const fake = fakeClient(server, opts);
  const errors: unknown[] = [];
  const reconciler = new Reconciler({ rrs: fake.client, config: CONFIG, index, isLeader: () => opts.leader ?? true, log: quietLog(errors), now: () => NOW });
  return { reconciler, index, errors, ...fake };
}

describe("Reconciler", () => {
  it("applies the whole owned section as remediation-orchestrator with the cached resourceVersion, and caches the result", async () => {
    const server = { rr: rr("5") };
    const { reconciler, applied, index } = setup(rr("5"), server);
    expect(await reconciler.reconcile("rr-1")).toEqual({ requeueAfterMs: 1_000 });
    expect(applied).toHaveLength(1);
    expect(applied[0].options).toEqual({ fieldManager: FIELD_MANAGERS.orchestrator, resourceVersion: "5" });
    expect(applied[0].section).toMatchObject({ overallPhase: "Pending", startTime: NOW.toISOString() });
    expect(index.get("rr-1")?.metadata.resourceVersion).toBe("6");
  });

  it("writes nothing when the status is already what it should be", async () => {
    const pending = rr("7", { overallPhase: "Pending", startTime: new Date(NOW.getTime() - 400).toISOString() });
    const { reconciler, calls } = setup(pending, { rr: pending });
    expect(await reconciler.reconcile("rr-1")).toEqual({ requeueAfterMs: 600 });
    expect(calls).toEqual([]);
  });

  it("re-reads from the API server after a stale write and decides again from the fresh status", async () => {
    // The cache is behind: the server already has Pending (written by an earlier attempt, or a previous leader).
    const fresh = rr("9", { overallPhase: "Pending", startTime: new Date(NOW.getTime() - 1_000).toISOString() });
    const { reconciler, calls, applied } = setup(rr("5"), { rr: fresh });
    await reconciler.reconcile("rr-1");
    expect(calls).toEqual(["apply", "get", "list", "apply"]);
    expect(applied).toHaveLength(1);
    expect(applied[0].options.resourceVersion).toBe("9");
    expect(applied[0].section.overallPhase).toBe("Processing");
    expect(applied[0].section.startTime).toBe(fresh.status?.startTime);
  });

  it("does not retry a field-ownership conflict, and logs who owns what", async () => {
    const { reconciler, calls, errors } = setup(rr("5"), { rr: rr("5") }, { managerConflict: true });
    expect(await reconciler.reconcile("rr-1")).toEqual({});
    expect(calls).toEqual(["apply"]);
    expect(JSON.stringify(errors)).toContain("someone-else");
  });

  it("neither reads nor writes when it does not hold the Lease", async () => {
    const { reconciler, calls } = setup(rr("5"), { rr: rr("5") }, { leader: false });
    expect(await reconciler.reconcile("rr-1")).toEqual({});
    expect(calls).toEqual([]);
  });

  it("forgets an RR that is no longer in the index", async () => {
    const { reconciler, index, calls } = setup(rr("5"), { rr: rr("5") });
    index.delete("rr-1");
    expect(await reconciler.reconcile("rr-1")).toEqual({});
    expect(calls).toEqual([]);
  });
});
