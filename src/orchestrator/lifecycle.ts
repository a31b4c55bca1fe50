import type { CompletionStatus, FailurePhase, LifecycleStatus, Outcome as CompletionOutcome, RemediationRequest, RoutingStatus } from "../model/remediation-request";
import { backoffMs, BackoffConfig } from "./backoff";
import { BLOCK_REASON, BLOCKED_FAILURE_PHASE, blockDecision, BlockDecision, blockMessage } from "./blocking";
import { ConditionChange, setConditions } from "./conditions";
import { formatDuration } from "./duration";
import { onBlockExpired, onComplete, onEnter, onFailure, onTimeout } from "./kubernaut-conditions";
import { endsAt } from "./outcomes";
import { ownedStatus } from "./owned-status";
import { describeDuration, describePlan, Plan } from "./script";
import { ADVANCE_ANNOTATION, isReleased, isWorkPhase, nextPhase, phaseClock, PhaseClock, withPhaseClock, WorkPhase } from "./work-phases";

/**
 * The lifecycle as a pure function: (RR, plan, now) → the orchestrator's
 * desired status section (kubernaut's fields only) and when to look again.
 * The reconciler writes the section only when it differs from the RR's, so
 * replayed events and restarts change nothing: every timer is derived from
 * the status (startTime, phaseProgress.*, routingStatus.blockedUntil), never
 * from memory.
 *
 *   ""  → Pending → Processing → Analyzing → Executing → Verifying → Completed (Remediated | Inconclusive | VerificationTimedOut)
 *          │                          ├→ Completed (NoActionRequired | ManualReviewRequired | DryRun)
 *          ├──────(routing)───────────┴→ Blocked ──(cooldown over)──→ Failed (failurePhase Blocked)
 *          └───── any work phase ──(scripted)──→ Failed | TimedOut
 *
 * At the end of a phase, in kubernaut's order: the scripted ending of that
 * phase (failure, timeout, completion) first, then routing (blocking, at the
 * end of Pending and of Analyzing), then the next phase. One transition per
 * step, each with its own time, so no phase is skipped even after a long outage.
 */

export interface RoutingSettings {
  /** ORCHESTRATOR_FAILURE_THRESHOLD: this many counted failures block an RR. */
  threshold: number;
  /** ORCHESTRATOR_BLOCK_COOLDOWN: how long a block lasts. */
  cooldownMs: number;
  /** nextAllowedExecution after a failure below the threshold. */
  backoff: BackoffConfig;
  /** nextAllowedExecution after NoActionRequired / ManualReviewRequired (0: none). */
  noActionHoldMs: number;
  /** nextAllowedExecution after DryRun (0: none). */
  dryRunHoldMs: number;
}

export interface StepInput {
  rr: RemediationRequest;
  plan: Plan;
  now: Date;
  routing: RoutingSettings;
  /** The RRs of the same fingerprint, from the API server. Only needed when the step says "needsHistory". */
  history?: readonly RemediationRequest[];
}

export type StepResult =
  /** status: the whole desired owned section (equal to the current one when there is nothing to do). lookAgainInMs: undefined = only on the next change of the RR. */
  | { kind: "status"; status: LifecycleStatus; lookAgainInMs?: number }
  /** Routing (the end of Pending or Analyzing) needs the fingerprint's history for the blocking decision: gather it and step again. */
  | { kind: "needsHistory" };

/** The phases whose end runs kubernaut's routing checks: CheckPreAnalysisConditions (pending_handler.go), CheckPostAnalysisConditions (analyzing_handler.go). */
const ROUTED_AT: readonly WorkPhase[] = ["Pending", "Analyzing"];

export function step(input: StepInput): StepResult {
  const current = ownedStatus(input.rr.status);
  const phase = current.overallPhase ?? "";
  if (phase === "") return enter(input, current, "Pending");
  if (isWorkPhase(phase)) return stepWorkPhase(input, current, phase);
  if (phase === "Blocked") return stepBlocked(input, current);
  // Terminal, or a phase this mock never enters (AwaitingApproval, Skipped, Cancelled): someone else's business.
  return { kind: "status", status: current };
}

function stepWorkPhase(input: StepInput, current: LifecycleStatus, phase: WorkPhase): StepResult {
  const duration = input.plan.durations[phase];
  const clock = phaseClock(current, phase);
  if (duration !== "manual" && (!clock.at || Number.isNaN(Date.parse(clock.at)))) {
    // The phase was set without its clock (not by us): start it now.
    return enter(input, current, phase);
  }
  const left = timeLeft(input, phase, clock);
  if (left === undefined || left > 0) return { kind: "status", status: current, lookAgainInMs: left };

  const { outcome } = input.plan;
  if (endsAt(outcome, phase)) {
    switch (outcome.result) {
      case "fail":
        return fail(input, current, outcome.failurePhase, outcome.reason);
      case "timeout":
        return timeOut(input, current, phase);
      case "complete":
        return complete(input, current, outcome.outcome);
    }
  }
  if (ROUTED_AT.includes(phase)) {
    if (!input.history) return { kind: "needsHistory" };
    const decision = blockDecision(input.rr, input.history, input.routing.threshold);
    if (decision.blocked) return block(input, current, decision);
  }
  const next = nextPhase(phase);
  // Verifying without a scripted ending: the assessment says the alert is gone.
  return next === "Completed" ? complete(input, current, "Remediated") : enter(input, current, next);
}

/** blocked_handler.go: wait for blockedUntil; after it, a ConsecutiveFailures block ends Failed (transitionToFailedTerminal). */
function stepBlocked(input: StepInput, current: LifecycleStatus): StepResult {
  const blockedUntil = current.routingStatus?.blockedUntil;
  const until = Date.parse(blockedUntil ?? "");
  // A block without an end, or of a reason this mock never sets, was not set by it: leave it to whoever did.
  if (Number.isNaN(until) || current.routingStatus?.blockReason !== BLOCK_REASON) return { kind: "status", status: current };
  const left = until - input.now.getTime();
  // kubernaut acts once now is after blockedUntil (time.Now().After): at the instant itself it still waits.
  if (left >= 0) return { kind: "status", status: current, lookAgainInMs: Math.max(left, 1) };
  const routingStatus: RoutingStatus = { ...current.routingStatus };
  delete routingStatus.blockedUntil;
  const failureReason = `cooldown expired after blocking due to ${BLOCK_REASON}`;
  return result(input, {
    ...current,
    overallPhase: "Failed",
    // transitionToFailedTerminal writes no completedAt (the only terminal transition without one).
    routingStatus,
    completionStatus: { ...current.completionStatus, failurePhase: BLOCKED_FAILURE_PHASE, failureReason },
    message: `Failed: the block's cooldown ended at ${blockedUntil}; the next signal creates a new RemediationRequest`,
    conditions: conditions(input, current, onBlockExpired()),
  });
}

/** ms until the phase may end; undefined while a "manual" phase waits for ADVANCE_ANNOTATION. */
function timeLeft(input: StepInput, phase: WorkPhase, clock: PhaseClock): number | undefined {
  const duration = input.plan.durations[phase];
  if (duration === "manual") return isReleased(input.rr.metadata.annotations, phase) ? 0 : undefined;
  const at = Date.parse(clock.at ?? "");
  const endsAtMs = clock.kind === "end" ? at : at + duration;
  return Math.max(0, endsAtMs - input.now.getTime());
}

function enter(input: StepInput, current: LifecycleStatus, phase: WorkPhase): StepResult {
  const duration = input.plan.durations[phase];
  const wait = duration === "manual" ? `until the annotation ${ADVANCE_ANNOTATION} lists ${phase}` : `for ${formatDuration(duration)}`;
  let status: LifecycleStatus = withPhaseClock(current, phase, input.now, duration);
  if (phase === "Verifying") status = { ...status, routingStatus: withoutBackoff(status.routingStatus) };
  status = {
    ...status,
    overallPhase: phase,
    message: `${phase} ${wait} (${describePlan(input.plan)})`,
    conditions: conditions(input, current, onEnter(phase)),
  };
  return result(input, status, timeLeft(input, phase, phaseClock(status, phase)));
}

/** routing/blocking.go CheckConsecutiveFailures + blocked_transitions.go updateBlockedStatus: no condition, no count on the blocked RR. */
function block(input: StepInput, current: LifecycleStatus, decision: BlockDecision): StepResult {
  const blockedUntil = new Date(input.now.getTime() + input.routing.cooldownMs).toISOString();
  const message = blockMessage(decision.count, blockedUntil);
  return result(
    input,
    {
      ...current,
      overallPhase: "Blocked",
      routingStatus: { ...current.routingStatus, blockReason: BLOCK_REASON, blockMessage: message, blockedUntil },
      message: `Blocked: ${message} (counted: ${decision.names.slice(0, 5).join(", ")}${decision.names.length > 5 ? ", ..." : ""}); then this RemediationRequest becomes Failed`,
    },
    input.routing.cooldownMs + 1,
  );
}

/** terminal_transitions.go applyFailedTransitionFields (Deduplicated: transitionToInheritedFailed, which counts nothing). */
function fail(input: StepInput, current: LifecycleStatus, failurePhase: FailurePhase, failureReason: string): StepResult {
  const routingStatus = failurePhase === "Deduplicated" ? current.routingStatus : countFailure(input, current.routingStatus);
  return result(input, {
    ...current,
    overallPhase: "Failed",
    completedAt: input.now.toISOString(),
    routingStatus,
    completionStatus: { ...current.completionStatus, failurePhase, failureReason },
    message: `Failed (${failurePhase}): ${failureReason} (${describePlan(input.plan)})`,
    conditions: conditions(input, current, onFailure(failurePhase)),
  });
}

/** timeout_management.go handlePhaseTimeout / timeout_handling.go transitionToTimedOut. */
function timeOut(input: StepInput, current: LifecycleStatus, phase: WorkPhase): StepResult {
  const now = input.now.toISOString();
  return result(input, {
    ...current,
    overallPhase: "TimedOut",
    completedAt: now,
    completionStatus: { ...current.completionStatus, timeoutPhase: phase, timeoutTime: now },
    message: `Phase ${phase} exceeded timeout of ${describeDuration(input.plan.durations[phase])} (${describePlan(input.plan)})`,
    conditions: conditions(input, current, onTimeout()),
  });
}

/** Completed with kubernaut's outcome, and the hold or backoff kubernaut sets with it (see each case). */
function complete(input: StepInput, current: LifecycleStatus, outcome: CompletionOutcome): StepResult {
  const now = input.now.getTime();
  const completionStatus: CompletionStatus = { ...current.completionStatus, outcome };
  let routingStatus = current.routingStatus;
  switch (outcome) {
    case "NoActionRequired":
    case "ManualReviewRequired":
      // aianalysis.go: NoActionRequiredDelayHours holds the Gateway's next RR back.
      if (outcome === "ManualReviewRequired") completionStatus.requiresManualReview = true;
      if (input.routing.noActionHoldMs > 0) routingStatus = { ...routingStatus, nextAllowedExecution: new Date(now + input.routing.noActionHoldMs).toISOString() };
      break;
    case "DryRun": {
      // terminal_transitions.go: the dry-run hold, only if later than the one already set.
      const hold = now + input.routing.dryRunHoldMs;
      const existing = Date.parse(routingStatus?.nextAllowedExecution ?? "");
      if (input.routing.dryRunHoldMs > 0 && (Number.isNaN(existing) || hold > existing)) routingStatus = { ...routingStatus, nextAllowedExecution: new Date(hold).toISOString() };
      break;
    }
    case "Inconclusive":
      // effectiveness_tracking.go: the alert still fires, a functional failure with backoff.
      routingStatus = countFailure(input, routingStatus);
      break;
    default:
      break;
  }
  return result(input, {
    ...current,
    overallPhase: "Completed",
    completedAt: input.now.toISOString(),
    routingStatus,
    completionStatus,
    message: `Completed: ${outcome} (${describePlan(input.plan)})`,
    conditions: conditions(input, current, onComplete(outcome)),
  });
}

/** consecutiveFailureCount + 1, and nextAllowedExecution while below the threshold (at it, routing blocks instead). */
function countFailure(input: StepInput, routing: RoutingStatus | undefined): RoutingStatus {
  const count = (routing?.consecutiveFailureCount ?? 0) + 1;
  const next: RoutingStatus = { ...routing, consecutiveFailureCount: count };
  const wait = count < input.routing.threshold ? backoffMs(count, input.routing.backoff) : 0;
  if (wait > 0) next.nextAllowedExecution = new Date(input.now.getTime() + wait).toISOString();
  return next;
}

/** transitionToVerifying: a success clears the RR's backoff (DD-WE-004). */
function withoutBackoff(routing: RoutingStatus | undefined): RoutingStatus | undefined {
  if (!routing) return undefined;
  const rest: RoutingStatus = { ...routing };
  delete rest.nextAllowedExecution;
  delete rest.consecutiveFailureCount;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

function conditions(input: StepInput, current: LifecycleStatus, changes: readonly Omit<ConditionChange, "observedGeneration">[]): LifecycleStatus["conditions"] {
  const generation = input.rr.metadata.generation;
  const withGeneration = changes.map(c => (generation === undefined ? c : { ...c, observedGeneration: generation }));
  return setConditions(current.conditions, withGeneration, input.now.toISOString());
}

function result(input: StepInput, status: LifecycleStatus, lookAgainInMs?: number): StepResult {
  const generation = input.rr.metadata.generation;
  const withGeneration = generation === undefined ? status : { ...status, observedGeneration: generation };
  return { kind: "status", status: dropUndefined(withGeneration), lookAgainInMs };
}

function dropUndefined(status: LifecycleStatus): LifecycleStatus {
  return Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined)) as LifecycleStatus;
}
