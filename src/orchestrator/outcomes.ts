import { FAILURE_PHASES, FailurePhase, Outcome as CompletionOutcome, OUTCOMES } from "../model/remediation-request";
import type { WorkPhase } from "./work-phases";

/**
 * How a scripted remediation ends, in kubernaut's vocabulary
 * (api/remediation/v1alpha1/remediationrequest_types.go):
 *
 *   complete  Completed with completionStatus.outcome (kubernaut's enum);
 *   fail      Failed with completionStatus.failurePhase / failureReason;
 *   timeout   TimedOut with completionStatus.timeoutPhase / timeoutTime.
 */
export type Outcome =
  | { result: "complete"; outcome: CompletionOutcome }
  | { result: "fail"; phase: WorkPhase; failurePhase: FailurePhase; reason: string }
  | { result: "timeout"; phase: WorkPhase };

export const SUCCEED: Outcome = { result: "complete", outcome: "Remediated" };

export { OUTCOMES as COMPLETION_OUTCOMES, FAILURE_PHASES };
export type { CompletionOutcome };

/**
 * The phase at whose end kubernaut's RO completes an RR with each outcome:
 * - NoActionRequired, ManualReviewRequired: when the AIAnalysis completes
 *   (pkg/remediationorchestrator/handler/aianalysis.go: markNoActionRequired,
 *   markManualReviewRequired);
 * - DryRun: after the AIAnalysis, without execution
 *   (internal/controller/remediationorchestrator/terminal_transitions.go:
 *   transitionToCompletedWithoutVerification);
 * - Remediated, Inconclusive: when the effectiveness assessment ends
 *   (effectiveness_tracking.go: completeVerificationIfNeeded);
 * - VerificationTimedOut: when phaseProgress.verificationDeadline passes
 *   (verifying_handler.go: completeAsVerificationTimedOut).
 */
export const COMPLETES_AT: Record<CompletionOutcome, "Analyzing" | "Verifying"> = {
  NoActionRequired: "Analyzing",
  ManualReviewRequired: "Analyzing",
  DryRun: "Analyzing",
  Remediated: "Verifying",
  Inconclusive: "Verifying",
  VerificationTimedOut: "Verifying",
};

/**
 * The failurePhase kubernaut's RO writes for a failure during each work
 * phase: the child that failed (processing_handler.go → SignalProcessing,
 * analyzing_handler.go → AIAnalysis, executing_handler.go →
 * WorkflowExecution); at Pending only the configuration check can fail
 * (reconcile_loop.go → Configuration). Verifying never fails in kubernaut:
 * it ends Completed (Inconclusive, VerificationTimedOut).
 */
export const FAILURE_PHASE_OF: Partial<Record<WorkPhase, FailurePhase>> = {
  Pending: "Configuration",
  Processing: "SignalProcessing",
  Analyzing: "AIAnalysis",
  Executing: "WorkflowExecution",
};

/**
 * The work phase at whose end a scripted failurePhase happens. Approval
 * follows the analysis (the mock has no AwaitingApproval phase); Deduplicated
 * (a failure inherited from a duplicate) is decided before any work. Blocked
 * is not scriptable: consecutive-failure blocking produces it.
 */
export const FAILS_AT: Record<Exclude<FailurePhase, "Blocked">, WorkPhase> = {
  Configuration: "Pending",
  Deduplicated: "Pending",
  SignalProcessing: "Processing",
  AIAnalysis: "Analyzing",
  Approval: "Analyzing",
  WorkflowExecution: "Executing",
};

/** True when the outcome ends the RR at the end of this phase (before routing and the next phase). */
export function endsAt(outcome: Outcome, phase: WorkPhase): boolean {
  if (outcome.result === "complete") return COMPLETES_AT[outcome.outcome] === phase;
  return outcome.phase === phase;
}

/** "completes NoActionRequired after Analyzing", "fails at Executing (WorkflowExecution)", "times out at Verifying". */
export function describeOutcome(outcome: Outcome): string {
  switch (outcome.result) {
    case "complete":
      return `completes ${outcome.outcome} after ${COMPLETES_AT[outcome.outcome]}`;
    case "fail":
      return `fails at ${outcome.phase} (${outcome.failurePhase})`;
    case "timeout":
      return `times out at ${outcome.phase}`;
  }
}
