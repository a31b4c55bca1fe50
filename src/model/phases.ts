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
