import type { RemediationRequest } from "../model/remediation-request";

/**
 * Consecutive-failure blocking (the "gatherer" lists the RRs of the
 * fingerprint from the API server; this is the pure "evaluator").
 *
 * The run is counted over the RR's predecessors (same fingerprint, terminal,
 * created no later than it), newest outcome first:
 *   - Failed                         counts one failure;
 *   - Completed                      ends the run (a success resets it);
 *   - Failed with failurePhase Blocked ends the run: a block whose cooldown
 *     expired is a reset, not a new failure, or every RR after a block would
 *     be blocked again forever;
 *   - TimedOut, Skipped, Cancelled   are skipped: neither a failed
 *     remediation (as in kubernaut, only Failed counts) nor a success.
 * Predecessors are ordered by completedAt (millisecond precision, written by
 * the orchestrator), falling back to creationTimestamp (whole seconds).
 */

export interface FailureRun {
  count: number;
  /** The failed predecessors counted, newest first, for the block message. */
  names: string[];
}

export interface BlockDecision extends FailureRun {
  blocked: boolean;
}

export const BLOCK_REASON = "ConsecutiveFailures";
/** completionStatus.failurePhase of an RR that was Blocked until its cooldown expired. */
export const BLOCKED_FAILURE_PHASE = "Blocked";

export function consecutiveFailures(rr: RemediationRequest, history: readonly RemediationRequest[]): FailureRun {
  const created = Date.parse(rr.metadata.creationTimestamp ?? "");
  const predecessors = history
    .filter(p => p.metadata.name !== rr.metadata.name)
    .filter(p => p.spec.signalFingerprint === rr.spec.signalFingerprint)
    .filter(p => Number.isNaN(created) || !(Date.parse(p.metadata.creationTimestamp ?? "") > created))
    .sort((a, b) => outcomeTime(b) - outcomeTime(a));
  const names: string[] = [];
  for (const p of predecessors) {
    const phase = p.status?.overallPhase;
    if (phase === "Completed") break;
    if (phase === "Failed" && p.status?.completionStatus?.failurePhase === BLOCKED_FAILURE_PHASE) break;
    if (phase === "Failed") names.push(p.metadata.name ?? "");
  }
  return { count: names.length, names };
}

export function blockDecision(rr: RemediationRequest, history: readonly RemediationRequest[], threshold: number): BlockDecision {
  const run = consecutiveFailures(rr, history);
  return { ...run, blocked: run.count >= threshold };
}

function outcomeTime(rr: RemediationRequest): number {
  const t = Date.parse(rr.status?.completedAt ?? rr.metadata.creationTimestamp ?? "");
  return Number.isNaN(t) ? 0 : t;
}
