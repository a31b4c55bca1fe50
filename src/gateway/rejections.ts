import type { GatewayError } from "./errors";
import type { GatewayMetrics } from "./metrics";
import type { SignalResult } from "./signal-result";

/**
 * The one place rr_gateway_signals_rejected_total is counted, under the
 * reason the error table gives each answer (src/model/error-codes.ts):
 * every signal refused on its own, and a request refused as a whole (before
 * its signals were known: authentication, body, replay window) once.
 * Answers that are not a signal's (no endpoint, wrong method) have no reason
 * and are not counted.
 */
export function countRefusedSignals(metrics: GatewayMetrics, source: string, results: readonly SignalResult[]): void {
  for (const result of results) if ("error" in result) countRefusedRequest(metrics, source, result.error);
}

export function countRefusedRequest(metrics: GatewayMetrics, source: string, error: GatewayError): void {
  if (error.reason) metrics.signalsRejected.inc({ source, reason: error.reason });
}
