import type { Logger } from "pino";
import { kubernautFingerprint, ownerFingerprint, resourceFingerprint, type FingerprintStrategy } from "../dedup/fingerprint";
import { RedeliveryMemory } from "./redelivery-memory";
import { severityClass } from "../signal/severity";
import type { Signal, TargetRef } from "../signal/signal";
import { UNKNOWN_KIND } from "../signal/target-rules";
import { SignalValidationError } from "../signal/validation-error";
import { ForbiddenError, InvalidError, KubeApiError, UnauthorizedError, UnavailableError } from "../k8s/errors";
import type { CircuitBreaker } from "./circuit-breaker";
import { GatewayError } from "./errors";
import type { GatewayMetrics } from "./metrics";
import type { OwnerResolver } from "./owner-resolver";
import type { RecordResult, SignalRecorder } from "./recorder";
import { mapConcurrent } from "./map-concurrent";
import type { ScopeFilter } from "./scope-filter";
import type { NamespaceRefusal } from "./namespace-authorizer";

/**
 * One signal's fate: recorded, rejected (a 4xx problem with it), unmanaged
 * (out of scope: answered 200, nothing written), ignored (GATEWAY_IGNORED_ALERTS:
 * answered, never recorded), forbidden (GATEWAY_AUTH_SCOPE=namespace: the sender
 * may not send signals for its target's namespace; a 403, nothing written), or
 * failed (a 5xx: the sender should retry).
 */
export type Outcome =
  | { kind: "recorded"; result: RecordResult }
  | { kind: "rejected"; error: SignalValidationError }
  | { kind: "unmanaged"; target: TargetRef }
  | { kind: "ignored"; alertname: string }
  | { kind: "forbidden"; refusal: NamespaceRefusal }
  | { kind: "failed"; error: GatewayError };

export interface IngestDeps {
  recorder: SignalRecorder;
  metrics: GatewayMetrics;
  logger: Logger;
  strategy: FingerprintStrategy;
  owners?: OwnerResolver;
  breaker: CircuitBreaker;
  redelivery: RedeliveryMemory<RecordResult>;
  namespace: string;
  scope: ScopeFilter;
}

/** Signals of one request recorded at once: about the API client's connections (a large group is recorded in waves). */
const SIGNALS_IN_FLIGHT_PER_REQUEST = 64;

/** Fingerprints and records the signals of one request, and keeps the books (metrics, redelivery memory). */
export class SignalIngest {
  constructor(private readonly deps: IngestDeps) {}

  /** @param gone aborted when the sender leaves: signals not yet written are then not written. */
  async ingest(signals: readonly Signal[], requestId: string, gone?: AbortSignal): Promise<Outcome[]> {
    const { breaker, redelivery, metrics } = this.deps;
    if (signals.length === 0) return [];
    if (!(await breaker.admit())) {
      // Fail fast: the API server is unreachable, so nothing is sent to it.
      metrics.circuitRejections.inc(signals.length);
      for (const signal of signals) metrics.signalsRejected.inc({ source: signal.source, reason: "circuit_open" });
      const error = unavailable();
      return signals.map(() => ({ kind: "failed", error }));
    }
    const outcomes = await mapConcurrent(signals, SIGNALS_IN_FLIGHT_PER_REQUEST, signal => this.ingestOne(signal, requestId, gone));
    if (outcomes.some(o => o.kind === "failed")) {
      // The sender will redeliver the whole payload: remember what was recorded, so it is not counted twice.
      const now = Date.now();
      outcomes.forEach((o, i) => o.kind === "recorded" && redelivery.remember(signals[i].deliveryKey, o.result, now));
    }
    return outcomes;
  }

  private async ingestOne(signal: Signal, requestId: string, gone?: AbortSignal): Promise<Outcome> {
    const { metrics, recorder, logger, breaker, redelivery } = this.deps;
    metrics.signalsReceived.inc({ source: signal.source, severity: severityClass(signal.severity) });
    const remembered = redelivery.take(signal.deliveryKey, Date.now());
    if (remembered) {
      metrics.redeliveriesAnswered.inc();
      return { kind: "recorded", result: remembered };
    }
    try {
      // Before anything else, as kubernaut does: an unmanaged signal costs no request and writes nothing.
      const scope = await this.deps.scope.check(signal.target);
      if (!scope.managed) {
        metrics.signalsRejected.inc({ source: signal.source, reason: "unmanaged_resource" });
        logger.debug({ requestId, target: signal.target, reason: scope.reason }, "signal rejected: its target is not managed by kubernaut (kubernaut.ai/managed)");
        return { kind: "unmanaged", target: signal.target };
      }
      const fingerprint = await this.fingerprintOf(signal);
      const result = await recorder.record(signal, fingerprint, requestId, gone);
      breaker.recordSuccess();
      if (result.unchanged) {
        // The event source re-sent occurrences already counted (relist, restart): not a new duplicate.
        logger.debug({ requestId, rr: result.rrName, fingerprint, count: result.count }, "event already counted: nothing new");
        return { kind: "recorded", result };
      }
      this.count(signal, result);
      logger.info({ requestId, rr: result.rrName, fingerprint, status: result.status, count: result.count }, "signal recorded");
      return { kind: "recorded", result };
    } catch (err) {
      return this.failure(signal, err, requestId, gone?.aborted ?? false);
    }
  }

  private async fingerprintOf(signal: Signal): Promise<string> {
    const { strategy, owners } = this.deps;
    if (strategy === "resource" || !owners) return resourceFingerprint(signal);
    // kubernaut's formula is reproduced as it is, Unknown targets included (all of a namespace's become one problem there).
    if (strategy === "kubernaut") return kubernautFingerprint(await owners.topLevelOwner(signal.target), signal.cluster);
    // An unknown target has no owner to share: its own labels tell it apart.
    if (signal.target.kind === UNKNOWN_KIND) return resourceFingerprint(signal);
    return ownerFingerprint(await owners.topLevelOwner(signal.target));
  }

  private count(signal: Signal, result: RecordResult): void {
    const { metrics } = this.deps;
    if (result.status === "duplicate") metrics.signalsDeduplicated.inc({ source: signal.source });
    if (result.status === "resolved") metrics.signalsResolved.inc({ source: signal.source, recorded: String(Boolean(result.rrName)) });
  }

  /** @param senderLeft the sender closed its connection first: it will send again (a timeout, not an outage). */
  private failure(signal: Signal, err: unknown, requestId: string, senderLeft: boolean): Outcome {
    const { metrics, logger, breaker } = this.deps;
    if (err instanceof InvalidError) {
      // The API server refused what we validated: a problem with this signal that a retry will not fix.
      // Validation should have caught it (the fuzz tests check this metric stays 0).
      breaker.recordSuccess();
      metrics.signalsRejected.inc({ source: signal.source, reason: "refused_by_api" });
      logger.warn({ requestId, err: err.message }, "the API server refused a signal the gateway had validated");
      return { kind: "rejected", error: new SignalValidationError("signal", `the Kubernetes API refused it: ${err.message}`) };
    }
    // Any answer from the API server, even a refusal, shows it is reachable.
    if (err instanceof UnavailableError) breaker.recordFailure();
    else if (err instanceof KubeApiError) breaker.recordSuccess();
    const error = err instanceof UnavailableError ? unavailable() : err instanceof GatewayError ? err : refusedOrInternal(err);
    metrics.signalsRejected.inc({ source: signal.source, reason: senderLeft ? "sender_left" : error.retryable ? "unavailable" : "internal" });
    logger.warn({ requestId, err: String(err) }, "signal not recorded");
    return { kind: "failed", error };
  }
}

/**
 * The API server refusing the gateway's own credentials (401, 403) is not the
 * sender's fault and passes: a fresh API server refuses until its RBAC cache
 * is warm, and an operator can fix the gateway's RBAC. So it is a 503 the
 * sender retries; anything else unexpected is a 500.
 */
function refusedOrInternal(err: unknown): GatewayError {
  if (err instanceof ForbiddenError || err instanceof UnauthorizedError) {
    return new GatewayError("GW_API_UNAVAILABLE", "the Kubernetes API server refused the gateway's own request (its RBAC, or the API server is still starting): the signal was not recorded; retry later");
  }
  return new GatewayError("GW_INTERNAL", `could not record the signal: ${String(err)}`);
}

function unavailable(): GatewayError {
  return new GatewayError("GW_API_UNAVAILABLE", "the Kubernetes API server cannot be reached: the signal was not recorded; retry later");
}
