/**
 * The prefix of every metric this project defines (docs/metrics.md says why
 * it is not kubernaut's `gateway_`, and maps each name to kubernaut's).
 * Node.js process metrics keep their standard, unprefixed names.
 */
export const METRIC_PREFIX = "rr_gateway_";

/** A metric's full name: `metricName("signals_received_total")` is `rr_gateway_signals_received_total`. */
export function metricName(name: string): string {
  return `${METRIC_PREFIX}${name}`;
}
