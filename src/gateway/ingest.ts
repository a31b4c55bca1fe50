import type { Logger } from "pino";
import { kubernautFingerprint, ownerFingerprint, resourceFingerprint, type FingerprintStrategy } from "../dedup/fingerprint";
import { RedeliveryMemory } from "./redelivery-memory";
import { severityClass } from "../signal/severity";
import type { Signal } from "../signal/signal";
import { UNKNOWN_KIND } from "../signal/target-rules";
import { InvalidError, KubeApiError, UnavailableError } from "../k8s/errors";
import type { CircuitBreaker } from "./circuit-breaker";
import { apiUnavailable, recordingFailure } from "./errors";
import type { GatewayMetrics } from "./metrics";
import type { OwnerResolver } from "./owner-resolver";
import type { SignalRecorder } from "./recorder";
import { mapConcurrent } from "./map-concurrent";
import type { ScopeFilter } from "./scope-filter";
import { refused, unmanagedSignal, type Recorded, type SignalResult } from "./signal-result";

export interface IngestDeps {
  recorder: SignalRecorder;
  metrics: GatewayMetrics;
  logger: Logger;
  strategy: FingerprintStrategy;
  owners?: OwnerResolver;
  breaker: CircuitBreaker;
  redelivery: RedeliveryMemory<Recorded>;
  namespace: string;
  scope: ScopeFilter;
}

/** Signals of one request recorded at once: about the API client's connections (a large group is recorded in waves). */
const SIGNALS_IN_FLIGHT_PER_REQUEST = 64;

/**
 * Fingerprints and records the signals of one request, and keeps the books
 * (metrics, redelivery memory). Each signal gets its result; a signal that
 * could not be recorded gets a `failed` one, never a throw. Refusals are
 * counted by the caller (src/gateway/rejections.ts).
 */
export class SignalIngest {
  constructor(private readonly deps: IngestDeps) {}

  /** @param gone aborted when the sender leaves: signals not yet written are then not written. */
  async ingest(signals: readonly Signal[], requestId: string, gone?: AbortSignal): Promise<SignalResult[]> {
    const { breaker, redelivery, metrics } = this.deps;
    if (signals.length === 0) return [];
    if (!(await breaker.admit())) {
      // Fail fast: the API server is unreachable, so nothing is sent to it.
      metrics.circuitRejections.inc(signals.length);
      const result = refused(apiUnavailable("circuit_open"));
      return signals.map(() => result);
    }
    const results = await mapConcurrent(signals, SIGNALS_IN_FLIGHT_PER_REQUEST, signal => this.ingestOne(signal, requestId, gone));
    if (results.some(r => r.kind === "failed")) {
      // The sender will redeliver the whole payload: remember what was recorded, so it is not counted twice.
      const now = Date.now();
      results.forEach((r, i) => r.kind === "recorded" && redelivery.remember(signals[i].deliveryKey, r, now));
    }
    return results;
  }

  private async ingestOne(signal: Signal, requestId: string, gone?: AbortSignal): Promise<SignalResult> {
    const { metrics, recorder, logger, breaker, redelivery } = this.deps;
    metrics.signalsReceived.inc({ source: signal.source, severity: severityClass(signal.severity) });
    const remembered = redelivery.take(signal.deliveryKey, Date.now());
    if (remembered) {
      metrics.redeliveriesAnswered.inc();
      return remembered;
    }
    try {
      // Before anything else, as kubernaut does: an unmanaged signal costs no request and writes nothing.
      const scope = await this.deps.scope.check(signal.target);
      if (!scope.managed) {
        logger.debug({ requestId, target: signal.target, reason: scope.reason }, "signal rejected: its target is not managed by kubernaut (kubernaut.ai/managed)");
        return unmanagedSignal(signal.target);
      }
      const fingerprint = await this.fingerprintOf(signal);
      const result = await recorder.record(signal, fingerprint, requestId, gone);
      breaker.recordSuccess();
      if (result.unchanged) {
        // The event source re-sent occurrences already counted (relist, restart): not a new duplicate.
        logger.debug({ requestId, rr: result.rrName, fingerprint, count: result.count }, "event already counted: nothing new");
        return result;
      }
      this.count(signal, result);
      logger.info({ requestId, rr: result.rrName, fingerprint, status: result.status, count: result.count }, "signal recorded");
      return result;
    } catch (err) {
      return this.failure(err, requestId, gone?.aborted ?? false);
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

  private count(signal: Signal, result: Recorded): void {
    const { metrics } = this.deps;
    if (result.status === "duplicate") metrics.signalsDeduplicated.inc({ source: signal.source });
    if (result.status === "resolved") metrics.signalsResolved.inc({ source: signal.source, recorded: String(Boolean(result.rrName)) });
  }

  /** @param senderLeft the sender closed its connection first: it will send again (a timeout, not an outage). */
  private failure(err: unknown, requestId: string, senderLeft: boolean): SignalResult {
    const { logger, breaker } = this.deps;
    // Any answer from the API server, even a refusal, shows it is reachable.
    if (err instanceof UnavailableError) breaker.recordFailure();
    else if (err instanceof KubeApiError) breaker.recordSuccess();
    // The API server refused what we validated: validation should have caught it (the fuzz tests check refused_by_api stays 0).
    if (err instanceof InvalidError) logger.warn({ requestId, err: err.message }, "the API server refused a signal the gateway had validated");
    else logger.warn({ requestId, err: String(err) }, "signal not recorded");
    return refused(recordingFailure(err, senderLeft));
  }
}
