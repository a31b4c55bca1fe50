import type { RemediationRequest } from "../model/remediation-request";

/**
 * Consecutive-failure blocking as kubernaut's RO does it
 * (pkg/remediationorchestrator/routing/blocking.go: fingerprintHistory,
 * countConsecutiveFailures, CheckConsecutiveFailures). The reconciler (the
 * "gatherer") lists the RRs of the fingerprint from the API server; this is
 * the pure "evaluator". docs/orchestrator.md states each rule with its source.
 *
 * History: the RRs of the same spec.signalFingerprint (field selector, one
 * namespace) whose spec.targetResource.namespace equals this RR's, without
 * this RR itself, newest creationTimestamp first. Walking it:
 *   - Failed (any failurePhase) or Blocked   counts one failure;
 *   - Completed with outcome Inconclusive    counts one failure (the alert still fires);
 *   - Completed with any other outcome       ends the walk (a success resets the run);
 *   - anything else (active, TimedOut, Skipped, Cancelled) is passed over.
 * count >= threshold blocks the RR (blockReason ConsecutiveFailures).
 */

export interface FailureRun {
  count: number;
  /** The RRs counted, newest first, for logs and messages. */
  names: string[];
}

export interface BlockDecision extends FailureRun {
  blocked: boolean;
}

export const BLOCK_REASON = "ConsecutiveFailures";
/** completionStatus.failurePhase of an RR whose block's cooldown ended. */
export const BLOCKED_FAILURE_PHASE = "Blocked";

export function fingerprintHistory(rr: RemediationRequest, all: readonly RemediationRequest[]): RemediationRequest[] {
  const targetNamespace = rr.spec.targetResource?.namespace ?? "";
  return all
    .filter(p => !isSameRR(p, rr))
    .filter(p => p.spec.signalFingerprint === rr.spec.signalFingerprint)
    .filter(p => (p.spec.targetResource?.namespace ?? "") === targetNamespace)
    .sort(newestFirst);
}

export function consecutiveFailures(rr: RemediationRequest, all: readonly RemediationRequest[]): FailureRun {
  const names: string[] = [];
  for (const p of fingerprintHistory(rr, all)) {
    const phase = p.status?.overallPhase;
    const outcome = p.status?.completionStatus?.outcome;
    if (phase === "Failed" || phase === "Blocked" || (phase === "Completed" && outcome === "Inconclusive")) names.push(p.metadata.name ?? "");
    else if (phase === "Completed") break;
  }
  return { count: names.length, names };
}

export function blockDecision(rr: RemediationRequest, all: readonly RemediationRequest[], threshold: number): BlockDecision {
  const run = consecutiveFailures(rr, all);
  return { ...run, blocked: run.count >= threshold };
}

/** kubernaut's block message (routing/blocking.go: CheckConsecutiveFailures). */
export function blockMessage(count: number, blockedUntil: string): string {
  return `${count} consecutive failures. Cooldown expires: ${blockedUntil}`;
}

function isSameRR(a: RemediationRequest, b: RemediationRequest): boolean {
  return a.metadata.uid && b.metadata.uid ? a.metadata.uid === b.metadata.uid : a.metadata.name === b.metadata.name;
}

/**
 * kubernaut sorts by creationTimestamp only (whole seconds), leaving the order
 * of RRs created in the same second unspecified. The mock breaks such ties by
 * status.startTime (milliseconds, written when it first saw the RR), then name,
 * so its decisions are reproducible.
 */
function newestFirst(a: RemediationRequest, b: RemediationRequest): number {
  return time(b.metadata.creationTimestamp) - time(a.metadata.creationTimestamp) || time(b.status?.startTime) - time(a.status?.startTime) || (b.metadata.name ?? "").localeCompare(a.metadata.name ?? "");
}

function time(t: string | undefined): number {
  const ms = Date.parse(t ?? "");
  return Number.isNaN(ms) ? 0 : ms;
}
