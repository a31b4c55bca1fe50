import type { Condition, LifecycleStatus, RemediationRequest } from "../model/remediation-request";
import { BLOCK_REASON, BLOCKED_FAILURE_PHASE, blockDecision, BlockDecision } from "./blocking";
import { setCondition } from "./conditions";
import { formatDuration } from "./duration";
import { ownedStatus } from "./owned-status";
import { describeDuration, describePlan, Plan } from "./script";
import { ADVANCE_ANNOTATION, isReleased, isWorkPhase, nextPhase, START_FIELD, WorkPhase } from "./work-phases";

/**
 * The lifecycle as a pure function: (RR, plan, now) → the orchestrator's
 * desired status section and when to look again. The reconciler writes the
 * section only when it differs from the RR's, so replayed events and restarts
 * change nothing: every timer is derived from the phase start times in the
 * status, never from memory.
 *
 *   ""  → Pending → Processing → Analyzing → Executing → Verifying → Completed
 *          │  └→ Blocked ──(cooldown over)──→ Failed (failurePhase Blocked)
 *          └───── any work phase ──(scripted)──→ Failed | TimedOut
 *
 * One transition per step: each phase gets its own start time, so a phase is
 * never skipped, even when the orchestrator was down for longer than it lasts.
 */

export interface StepInput {
  rr: RemediationRequest;
  plan: Plan;
  now: Date;
  blocking: { threshold: number; cooldownMs: number };
  /** The RRs of the same fingerprint, from the API server. Only needed when the step says "needsHistory". */
  history?: readonly RemediationRequest[];
}

export type StepResult =
  /** status: the whole desired owned section (equal to the current one when there is nothing to do). lookAgainInMs: undefined = only on the next change of the RR. */
  | { kind: "status"; status: LifecycleStatus; lookAgainInMs?: number }
  /** Leaving Pending needs the fingerprint's history for the blocking decision: gather it and step again. */
  | { kind: "needsHistory" };

export const CONDITIONS = { progressing: "Progressing", blocked: "Blocked", succeeded: "Succeeded" } as const;

export function step(input: StepInput): StepResult {
  const current = ownedStatus(input.rr.status);
  const phase = current.overallPhase ?? "";
  if (phase === "") return enter(input, current, "Pending");
  if (isWorkPhase(phase)) return stepWorkPhase(input, current, phase);
  if (phase === "Blocked") return stepBlocked(input, current);
  // Terminal, or a phase this mock never enters (AwaitingApproval, Skipped): someone else's business.
  return { kind: "status", status: current };
}

function stepWorkPhase(input: StepInput, current: LifecycleStatus, phase: WorkPhase): StepResult {
  const startedAt = current[START_FIELD[phase]];
  if (!startedAt || Number.isNaN(Date.parse(startedAt))) {
    // The phase was set without its start time (not by us): start its clock now.
    return enter(input, current, phase);
  }
  const left = timeLeft(input, phase, startedAt);
  if (left === undefined || left > 0) return { kind: "status", status: current, lookAgainInMs: left };

  const { outcome } = input.plan;
  if (phase === "Pending") {
    if (!input.history) return { kind: "needsHistory" };
    const decision = blockDecision(input.rr, input.history, input.blocking.threshold);
    if (decision.blocked) return block(input, current, decision);
  }
  if (outcome.result === "fail" && outcome.phase === phase) {
    return finish(input, current, "Failed", { outcome: "Failed", failurePhase: phase, failureReason: outcome.reason }, `Failed at ${phase}: ${outcome.reason}`);
  }
  if (outcome.result === "timeout" && outcome.phase === phase) {
    const reason = `${phase} did not finish within ${describeDuration(input.plan.durations[phase])}`;
    return finish(input, current, "TimedOut", { outcome: "TimedOut", failurePhase: phase, failureReason: reason }, `Timed out at ${phase}: ${reason}`);
  }
  const next = nextPhase(phase);
  if (next === "Completed") {
    return finish(input, current, "Completed", { outcome: "Remediated" }, `Remediated (${describePlan(input.plan)})`);
  }
  return enter(input, current, next);
}

function stepBlocked(input: StepInput, current: LifecycleStatus): StepResult {
  const blockedUntil = current.routingStatus?.blockedUntil;
  const until = Date.parse(blockedUntil ?? "");
  // A block without an end was not set by this orchestrator: leave it to whoever set it.
  if (Number.isNaN(until)) return { kind: "status", status: current };
  const left = until - input.now.getTime();
  if (left > 0) return { kind: "status", status: current, lookAgainInMs: left };
  const count = current.routingStatus?.consecutiveFailureCount ?? 0;
  const reason = `${current.routingStatus?.blockReason ?? BLOCK_REASON}: blocked after ${count} consecutive failures until ${blockedUntil}`;
  return finish(input, current, "Failed", { outcome: "Failed", failurePhase: BLOCKED_FAILURE_PHASE, failureReason: reason }, `Failed: the block's cooldown ended at ${blockedUntil}; the next signal creates a new RemediationRequest`);
}

/** ms until the phase may end; undefined while a "manual" phase waits for ADVANCE_ANNOTATION. */
function timeLeft(input: StepInput, phase: WorkPhase, startedAt: string): number | undefined {
  const duration = input.plan.durations[phase];
  if (duration === "manual") return isReleased(input.rr.metadata.annotations, phase) ? 0 : undefined;
  return Math.max(0, Date.parse(startedAt) + duration - input.now.getTime());
}

function enter(input: StepInput, current: LifecycleStatus, phase: WorkPhase): StepResult {
  const now = input.now.toISOString();
  const duration = input.plan.durations[phase];
  const wait = duration === "manual" ? `until the annotation ${ADVANCE_ANNOTATION} lists ${phase}` : `for ${formatDuration(duration)}`;
  const message = `${phase} ${wait} (${describePlan(input.plan)})`;
  const status: LifecycleStatus = {
    ...current,
    ...generation(input.rr),
    overallPhase: phase,
    [START_FIELD[phase]]: now,
    message,
    conditions: lifecycleConditions(current.conditions, phase, message, now),
  };
  return { kind: "status", status, lookAgainInMs: timeLeft(input, phase, now) };
}

function block(input: StepInput, current: LifecycleStatus, decision: BlockDecision): StepResult {
  const now = input.now.toISOString();
  const blockedUntil = new Date(input.now.getTime() + input.blocking.cooldownMs).toISOString();
  const shown = decision.names.slice(0, 5).join(", ") + (decision.names.length > 5 ? ", ..." : "");
  const blockMessage =
    `Blocked: the last ${decision.count} remediations of this signal failed (${shown}). ` +
    `The block ends at ${blockedUntil} (cooldown ${formatDuration(input.blocking.cooldownMs)}); then this RemediationRequest becomes Failed and the next signal creates a new one.`;
  const status: LifecycleStatus = {
    ...current,
    ...generation(input.rr),
    overallPhase: "Blocked",
    blockedAt: now,
    routingStatus: { blockReason: BLOCK_REASON, blockMessage, blockedUntil, consecutiveFailureCount: decision.count },
    message: blockMessage,
    conditions: lifecycleConditions(current.conditions, "Blocked", blockMessage, now),
  };
  return { kind: "status", status, lookAgainInMs: input.blocking.cooldownMs };
}

function finish(
  input: StepInput,
  current: LifecycleStatus,
  phase: "Completed" | "Failed" | "TimedOut",
  completionStatus: NonNullable<LifecycleStatus["completionStatus"]>,
  message: string,
): StepResult {
  const now = input.now.toISOString();
  const status: LifecycleStatus = {
    ...current,
    ...generation(input.rr),
    overallPhase: phase,
    completedAt: now,
    completionStatus,
    message,
    conditions: lifecycleConditions(current.conditions, phase, message, now),
  };
  return { kind: "status", status };
}

function generation(rr: RemediationRequest): Pick<LifecycleStatus, "observedGeneration"> {
  return rr.metadata.generation === undefined ? {} : { observedGeneration: rr.metadata.generation };
}

/**
 * The three conditions, for any phase the orchestrator enters:
 *   Progressing  True while a work phase runs (reason: the phase), False when Blocked or finished;
 *   Blocked      True while Blocked (reason ConsecutiveFailures), else False;
 *   Succeeded    Unknown until the end, then True (Remediated) or False (Failed, TimedOut).
 * setCondition keeps lastTransitionTime unless the status flips.
 */
export function lifecycleConditions(previous: readonly Condition[] | undefined, phase: string, message: string, now: string): Condition[] {
  const active = isWorkPhase(phase);
  const finished = !active && phase !== "Blocked";
  const wasBlocked = previous?.some(c => c.type === CONDITIONS.blocked && c.status === "True") ?? false;

  let conditions = setCondition(
    previous,
    active ? { type: CONDITIONS.progressing, status: "True", reason: phase, message } : { type: CONDITIONS.progressing, status: "False", reason: phase, message },
    now,
  );
  conditions = setCondition(
    conditions,
    phase === "Blocked"
      ? { type: CONDITIONS.blocked, status: "True", reason: BLOCK_REASON, message }
      : { type: CONDITIONS.blocked, status: "False", reason: wasBlocked ? "CooldownExpired" : "NotBlocked" },
    now,
  );
  const succeeded: Omit<Condition, "lastTransitionTime"> =
    phase === "Completed"
      ? { type: CONDITIONS.succeeded, status: "True", reason: "Remediated", message }
      : finished
        ? { type: CONDITIONS.succeeded, status: "False", reason: phase, message }
        : { type: CONDITIONS.succeeded, status: "Unknown", reason: "InProgress" };
  return setCondition(conditions, succeeded, now);
}
