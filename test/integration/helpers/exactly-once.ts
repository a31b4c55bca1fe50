import { isActive } from "../../../src/dedup/decision";
import { resourceFingerprint } from "../../../src/dedup/fingerprint";
import { ConflictError, UnavailableError } from "../../../src/k8s/errors";
import { FIELD_MANAGERS } from "../../../src/k8s/field-managers";
import type { RemediationRequestClient } from "../../../src/k8s/rr-client";
import type { RemediationRequest } from "../../../src/model/remediation-request";
import { checkTrial, type SignalReply, type TrialReport } from "../../helpers/exactly-once-check";
import { alert, webhook } from "../../helpers/signals";
import { ActiveTimeline } from "./active-timeline";
import type { TestEnvironment } from "./environment";
import { GatewayReplicas } from "./replicas";
import { waitFor } from "./wait";

/** Shared by the exactly-once tests: one problem per pod name, its payload, and the checks made after a burst. */

const ALERT = "ExactlyOnce";

export interface Problem {
  pod: string;
  fingerprint: string;
  /** An Alertmanager payload with this problem's one firing alert. */
  payload: Record<string, unknown>;
}

export function problem(pod: string): Problem {
  return {
    pod,
    fingerprint: resourceFingerprint({ name: ALERT, target: { namespace: "prod", kind: "Pod", name: pod } }),
    payload: webhook([alert({ alertname: ALERT, pod })]),
  };
}

/**
 * Runs a request of the test's own, retrying while the API server answers
 * 5xx: other test runs share it, and each re-applies the CRD, which makes the
 * RR storage reinitialize for a moment ("storage is (re)initializing").
 */
export async function retryUnavailable<T>(what: string, call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof UnavailableError) || Date.now() > deadline) throw err;
      await new Promise(r => setTimeout(r, 200));
    }
  }
}

/** The problem's RRs, as the API server has them now. */
export function rrsOf(admin: RemediationRequestClient, fingerprint: string): Promise<RemediationRequest[]> {
  return retryUnavailable(`list the RRs of ${fingerprint}`, () => admin.listByFingerprint(fingerprint));
}

/** The problem's active RR, as the API server has it now. */
export async function activeRR(admin: RemediationRequestClient, fingerprint: string): Promise<RemediationRequest | undefined> {
  return (await rrsOf(admin, fingerprint)).find(isActive);
}

/**
 * Moves the problem's active RR (if any) to a phase, as the orchestrator does
 * it: its own identity and field manager, an unforced apply of its fields
 * only. The write carries the resourceVersion it decided on and is redone on
 * a conflict, so it never moves an RR out of a terminal phase it did not see
 * (terminal is final: docs/exactly-once.md). Returns the RR's name.
 */
export async function setPhaseOfActive(orchestrator: RemediationRequestClient, admin: RemediationRequestClient, fingerprint: string, overallPhase: string): Promise<string | undefined> {
  for (let attempt = 1; ; attempt++) {
    const rr = await activeRR(admin, fingerprint);
    if (!rr) return undefined;
    try {
      await retryUnavailable(`set ${rr.metadata.name} ${overallPhase}`, () =>
        orchestrator.applyStatus(rr.metadata.name!, { overallPhase }, { fieldManager: FIELD_MANAGERS.orchestrator, resourceVersion: rr.metadata.resourceVersion }),
      );
      return rr.metadata.name;
    } catch (err) {
      if (!(err instanceof ConflictError && err.isStale) || attempt >= 50) throw err;
      await new Promise(r => setTimeout(r, Math.random() * 10 * Math.min(attempt, 10)));
    }
  }
}

/**
 * The invariants of one problem after a burst, from the API server (checkTrial
 * on the RRs listed as the admin), plus "at most one active RR at any time"
 * from the timeline, once its watch has caught up with those RRs.
 */
export async function verifyProblem(admin: RemediationRequestClient, timeline: ActiveTimeline, fingerprint: string, replies: readonly SignalReply[]): Promise<{ report: TrialReport; rrs: RemediationRequest[] }> {
  const rrs = await rrsOf(admin, fingerprint);
  const report = checkTrial(fingerprint, replies, rrs);
  await waitFor("the timeline watch to catch up", () => timeline.hasCaughtUp(rrs), 30_000, 20);
  for (const overlap of timeline.overlapsOf(fingerprint)) {
    report.violations.push(`two active RRs at once (resourceVersion ${overlap.resourceVersion}): ${overlap.active.join(", ")}`);
  }
  return { report, rrs };
}

/** What the exactly-once tests run on. */
export interface ReplicaRig {
  ns: string;
  admin: RemediationRequestClient;
  /** The orchestrator's identity, to end RRs as the orchestrator would. */
  orchestrator: RemediationRequestClient;
  /** Every change to the namespace's RRs, from an admin watch. */
  timeline: ActiveTimeline;
  gateways: GatewayReplicas;
}

/**
 * A fresh namespace and four gateway processes on it; the one in slot
 * `lagging` sees its watch events `lagMs` late (test-only knob
 * GATEWAY_TEST_CACHE_LAG_MS, src/gateway/config.ts). `extraEnv` goes to every
 * replica.
 */
export async function startReplicaRig(env: TestEnvironment, prefix: string, lagging: number, lagMs: number, extraEnv: Record<string, string> = {}): Promise<ReplicaRig> {
  const ns = await env.freshNamespace(prefix);
  const admin = await env.rrClient("admin", ns);
  const orchestrator = await env.rrClient("orchestrator", ns);
  const timeline = new ActiveTimeline(admin);
  await timeline.start();
  const gateways = await GatewayReplicas.start(ns, 4, slot => ({
    LOG_LEVEL: "warn",
    GATEWAY_SHUTDOWN_GRACE_SECONDS: "2",
    ...extraEnv,
    ...(slot === lagging ? { GATEWAY_TEST_CACHE_LAG_MS: String(lagMs) } : {}),
  }));
  return { ns, admin, orchestrator, timeline, gateways };
}

export async function stopReplicaRig(rig: ReplicaRig | undefined): Promise<void> {
  await rig?.gateways.stop();
  await rig?.timeline.stop();
}
