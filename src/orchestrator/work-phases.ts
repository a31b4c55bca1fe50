import type { LifecycleStatus } from "../model/remediation-request";

/**
 * The phases the mock orchestrator drives an RR through, in order. Each one
 * lasts a configured duration (or until released by annotation, see
 * ADVANCE_ANNOTATION), then the RR moves to the next one; after Verifying it
 * is Completed.
 */
export const WORK_PHASES = ["Pending", "Processing", "Analyzing", "Executing", "Verifying"] as const;

export type WorkPhase = (typeof WORK_PHASES)[number];

/**
 * Where each phase's clock lives in kubernaut's status (restart safety: every
 * timer is derived from these). kubernaut records a start time for Pending
 * (startTime) and the three child phases (phaseProgress.*StartTime); it has
 * no start time for Verifying, only the deadline its end is measured
 * against (phaseProgress.verificationDeadline), so Verifying's clock is its end.
 */
export type PhaseClock = { kind: "start"; at: string | undefined } | { kind: "end"; at: string | undefined };

export function phaseClock(status: LifecycleStatus, phase: WorkPhase): PhaseClock {
  const progress = status.phaseProgress ?? {};
  switch (phase) {
    case "Pending":
      return { kind: "start", at: status.startTime };
    case "Processing":
      return { kind: "start", at: progress.processingStartTime };
    case "Analyzing":
      return { kind: "start", at: progress.analyzingStartTime };
    case "Executing":
      return { kind: "start", at: progress.executingStartTime };
    case "Verifying":
      return { kind: "end", at: progress.verificationDeadline };
  }
}

/** The status with the phase's clock set: its start time, or for Verifying its deadline (start + duration). */
export function withPhaseClock(status: LifecycleStatus, phase: WorkPhase, now: Date, durationMs: number | "manual"): LifecycleStatus {
  const at = now.toISOString();
  const progress = { ...status.phaseProgress };
  switch (phase) {
    case "Pending":
      return { ...status, startTime: at };
    case "Processing":
      return { ...status, phaseProgress: { ...progress, processingStartTime: at } };
    case "Analyzing":
      return { ...status, phaseProgress: { ...progress, analyzingStartTime: at } };
    case "Executing":
      return { ...status, phaseProgress: { ...progress, executingStartTime: at } };
    case "Verifying":
      // A manual Verifying has no deadline: it ends when released.
      if (durationMs === "manual") return status;
      return { ...status, phaseProgress: { ...progress, verificationDeadline: new Date(now.getTime() + durationMs).toISOString() } };
  }
}

export function isWorkPhase(phase: string | undefined): phase is WorkPhase {
  return (WORK_PHASES as readonly string[]).includes(phase ?? "");
}

/** The phase after a work phase; Verifying leads to Completed. */
export function nextPhase(phase: WorkPhase): WorkPhase | "Completed" {
  const i = WORK_PHASES.indexOf(phase);
  return i === WORK_PHASES.length - 1 ? "Completed" : WORK_PHASES[i + 1];
}

/**
 * Annotation a person (or a test) sets on an RR to end a phase scripted with
 * duration "manual": its value is a comma-separated list of the phases that
 * may end, e.g. "Analyzing" or "Analyzing,Executing". It is read, never
 * written, by the orchestrator, so setting it needs rights on the RR itself.
 */
export const ADVANCE_ANNOTATION = "orchestrator.kubernaut.ai/advance";

/** True when the RR's ADVANCE_ANNOTATION lists the phase. */
export function isReleased(annotations: Record<string, string> | undefined, phase: WorkPhase): boolean {
  const value = annotations?.[ADVANCE_ANNOTATION];
  if (!value) return false;
  return value
    .split(",")
    .map(p => p.trim())
    .includes(phase);
}
