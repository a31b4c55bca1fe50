import type { FailurePhase, Outcome as CompletionOutcome } from "../model/remediation-request";
import type { ConditionChange } from "./conditions";
import type { WorkPhase } from "./work-phases";

/**
 * The conditions kubernaut's RO sets on an RR at each transition, with its
 * types and reasons (pkg/remediationrequest/conditions.go; EffectivenessAssessed
 * in internal/controller/remediationorchestrator/effectiveness_tracking.go).
 * Every function here returns the changes for one transition; the lifecycle
 * applies them with setCondition, so lastTransitionTime moves only on a flip.
 *
 * Left out on purpose: SignalProcessingReady, AIAnalysisReady and
 * WorkflowExecutionReady say "the child CRD was created", and the mock creates
 * no child CRDs (docs/kubernaut.md, "Mock Remediation Orchestrator").
 */
export const CONDITION_TYPES = {
  ready: "Ready",
  signalProcessingComplete: "SignalProcessingComplete",
  aiAnalysisComplete: "AIAnalysisComplete",
  workflowExecutionComplete: "WorkflowExecutionComplete",
  effectivenessAssessed: "EffectivenessAssessed",
} as const;

type Change = Omit<ConditionChange, "observedGeneration">;

const ready = (status: boolean, reason: string, message: string): Change => ({ type: CONDITION_TYPES.ready, status: status ? "True" : "False", reason, message });

/** The child phase that just ended well, when the RR enters the next one (processing_handler.go, analyzing_handler.go, executing_handler.go). */
const COMPLETED_BEFORE: Partial<Record<WorkPhase, Change>> = {
  Analyzing: { type: CONDITION_TYPES.signalProcessingComplete, status: "True", reason: "SignalProcessingSucceeded", message: "SignalProcessing completed successfully" },
  Executing: { type: CONDITION_TYPES.aiAnalysisComplete, status: "True", reason: "AIAnalysisSucceeded", message: "AIAnalysis completed successfully" },
  Verifying: { type: CONDITION_TYPES.workflowExecutionComplete, status: "True", reason: "WorkflowSucceeded", message: "WorkflowExecution completed successfully" },
};

/** Ready while each phase runs (terminal_transitions.go: applyPhaseTransitionFields, transitionToVerifying). Pending has none. */
const READY_DURING: Partial<Record<WorkPhase, Change>> = {
  Processing: ready(false, "Processing", "Signal processing in progress"),
  Analyzing: ready(false, "Analyzing", "AI analysis in progress"),
  Executing: ready(false, "Executing", "Workflow execution in progress"),
  Verifying: ready(true, "Verifying", "Remediation completed, verifying effectiveness"),
};

export function onEnter(phase: WorkPhase): Change[] {
  return [COMPLETED_BEFORE[phase], READY_DURING[phase]].filter((c): c is Change => c !== undefined);
}

/** The child that failed, by failurePhase (processing_handler.go: handleSPFailed, analyzing_handler.go, executing_handler.go). */
const FAILED_CHILD: Partial<Record<FailurePhase, Change>> = {
  SignalProcessing: { type: CONDITION_TYPES.signalProcessingComplete, status: "False", reason: "SignalProcessingFailed", message: "SignalProcessing failed" },
  AIAnalysis: { type: CONDITION_TYPES.aiAnalysisComplete, status: "False", reason: "AIAnalysisFailed", message: "AIAnalysis failed" },
  WorkflowExecution: { type: CONDITION_TYPES.workflowExecutionComplete, status: "False", reason: "WorkflowFailed", message: "WorkflowExecution failed" },
};

/** A failure (terminal_transitions.go: applyFailedTransitionFields; transitionToInheritedFailed for Deduplicated). */
export function onFailure(failurePhase: FailurePhase): Change[] {
  const readyChange = failurePhase === "Deduplicated" ? ready(false, "NotReady", "Inherited failure from the original remediation") : ready(false, "RemediationFailed", "Remediation failed");
  return [FAILED_CHILD[failurePhase], readyChange].filter((c): c is Change => c !== undefined);
}

/** A block's cooldown ended (blocking.go: transitionToFailedTerminal). */
export function onBlockExpired(): Change[] {
  return [ready(false, "RemediationBlocked", "Remediation blocked")];
}

/** A timeout (timeout_handling.go: transitionToTimedOut). */
export function onTimeout(): Change[] {
  return [ready(false, "RemediationTimedOut", "Remediation timed out")];
}

/**
 * A completion. After the analysis: AIAnalysisComplete True, then Ready
 * (aianalysis.go: NoActionRequired / ManualReviewRequired; DryRun in
 * terminal_transitions.go). After verification: EffectivenessAssessed True
 * (Remediated, Inconclusive); a verification timeout sets nothing
 * (verifying_handler.go), so Ready stays True/Verifying.
 */
export function onComplete(outcome: CompletionOutcome): Change[] {
  const analysisDone: Change = COMPLETED_BEFORE.Executing as Change;
  switch (outcome) {
    case "NoActionRequired":
      return [analysisDone, ready(true, "NoActionRequired", "No action required")];
    case "ManualReviewRequired":
      return [analysisDone, ready(true, "ManualReviewRequired", "Manual review required")];
    case "DryRun":
      return [analysisDone, ready(true, "DryRun", "Dry-run mode: pipeline stopped after AI analysis")];
    case "Remediated":
    case "Inconclusive":
      return [{ type: CONDITION_TYPES.effectivenessAssessed, status: "True", reason: "AssessmentCompleted", message: `Effectiveness assessment completed (outcome: ${outcome})` }];
    case "VerificationTimedOut":
      return [];
  }
}
