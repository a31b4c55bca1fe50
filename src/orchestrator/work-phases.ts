/**
 * The phases the mock orchestrator drives an RR through, in order. Each one
 * lasts a configured duration (or until released by annotation, see
 * ADVANCE_ANNOTATION), then the RR moves to the next one; after Verifying it
 * is Completed.
 */
export const WORK_PHASES = ["Pending", "Processing", "Analyzing", "Executing", "Verifying"] as const;

export type WorkPhase = (typeof WORK_PHASES)[number];

/** The status field that records when each work phase started (restart-safety: timers are derived from these). */
export const START_FIELD: Record<WorkPhase, "startTime" | "processingStartTime" | "analyzingStartTime" | "executingStartTime" | "verifyingStartTime"> = {
  Pending: "startTime",
  Processing: "processingStartTime",
  Analyzing: "analyzingStartTime",
  Executing: "executingStartTime",
  Verifying: "verifyingStartTime",
};

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

