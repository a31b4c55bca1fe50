/** Lifecycle phases of a RemediationRequest (kubernaut.ai/v1alpha1). */
export const PHASES = [
  "Pending",
  "Processing",
  "Analyzing",
  "AwaitingApproval",
  "Executing",
  "Verifying",
  "Blocked",
  "Completed",
  "Failed",
  "TimedOut",
  "Skipped",
  "Cancelled",
] as const;

export type Phase = (typeof PHASES)[number];

export const TERMINAL_PHASES: ReadonlySet<string> = new Set<Phase>([
  "Completed",
  "Failed",
  "TimedOut",
  "Skipped",
  "Cancelled",
]);

/**
 * An RR is active until the orchestrator moves it to a terminal phase.
 * An empty or unknown phase is active: a signal for it is a duplicate, never a new RR.
 */
export function isTerminal(phase: string | undefined): boolean {
  return phase !== undefined && TERMINAL_PHASES.has(phase);
}

/** What an RR's phase counts as in metrics: "None" before the orchestrator sets one, "Unknown" for a phase kubernaut does not define. */
export type PhaseLabel = Phase | "None" | "Unknown";

const KNOWN_PHASES: ReadonlySet<string> = new Set<string>(PHASES);

/** The bounded label value for an RR's status.overallPhase (a label must never carry whatever a writer put there). */
export function phaseLabel(phase: string | undefined): PhaseLabel {
  if (!phase) return "None";
  return KNOWN_PHASES.has(phase) ? (phase as Phase) : "Unknown";
}
