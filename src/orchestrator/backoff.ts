/**
 * kubernaut's exponential backoff for an RR that failed below the blocking
 * threshold (terminal_transitions.go: applyFailedTransitionFields; the same for
 * a Completed/Inconclusive RR in effectiveness_tracking.go): the RR's
 * consecutiveFailureCount goes up by one and, while it is below the threshold,
 * routingStatus.nextAllowedExecution = now + min(base × 2^(count-1), max)
 * (routing/blocking.go: CalculateExponentialBackoff; pkg/shared/backoff).
 * kubernaut adds ±10% jitter; the mock does not, so tests can predict it.
 * A base of 0 turns it off (kubernaut's backoff returns 0 then).
 */
export interface BackoffConfig {
  baseMs: number;
  maxMs: number;
}

export function backoffMs(consecutiveFailures: number, config: BackoffConfig): number {
  if (consecutiveFailures <= 0 || config.baseMs <= 0) return 0;
  const exp = config.baseMs * 2 ** Math.min(consecutiveFailures - 1, 30);
  return config.maxMs > 0 ? Math.min(exp, config.maxMs) : exp;
}
