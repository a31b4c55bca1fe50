/**
 * How the gateway spends the time it has to stop (docs/operations.md,
 * "Graceful shutdown"): first the delay (still taking signals while load
 * balancers notice /readyz 503), then the grace for requests in flight, then
 * the final writes (pending storm status). With a deadline (the process's
 * shutdown budget, src/module/shutdown-budget.ts) the delay and the grace are
 * cut so the final writes keep FINAL_WRITES_MS before it.
 */

/** One API request's timeout (src/gateway/index.ts): the storm status writes after the drain. */
export const FINAL_WRITES_MS = 10_000;

export interface DrainPlan {
  delayMs: number;
  graceMs: number;
  /** True when the deadline cut the configured delay or grace. */
  shortened: boolean;
}

export function drainPlan(configured: { delayMs: number; graceMs: number }, msToDeadline = Infinity): DrainPlan {
  const available = Math.max(0, msToDeadline - FINAL_WRITES_MS);
  const delayMs = Math.min(configured.delayMs, available);
  const graceMs = Math.min(configured.graceMs, available - delayMs);
  return { delayMs, graceMs, shortened: delayMs < configured.delayMs || graceMs < configured.graceMs };
}
