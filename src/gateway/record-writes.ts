import type { Logger } from "pino";
import { DEFAULT_CHAIN_SAFETY, needsSuccessionClaim, type ChainSafety } from "../dedup/chain-safety";
import type { Decision } from "../dedup/decision";
import type { FingerprintStrategy } from "../dedup/fingerprint";
import { newRemediationRequest } from "../dedup/new-rr";
import { AlreadyExistsError, ConflictError, NotFoundError, UnavailableError } from "../k8s/errors";
import { FIELD_MANAGERS } from "../k8s/field-managers";
import type { RemediationRequestInformer } from "../k8s/rr-informer";
import type { RemediationRequestClient } from "../k8s/rr-client";
import { ANNOTATIONS, type DeduplicationStatus, type RemediationRequest } from "../model/remediation-request";
import type { Signal } from "../signal/signal";
import type { GatewayMetrics } from "./metrics";
import { settleUnsureWrite, type UnsureOutcome } from "./unsure-write";

/**
 * The recorder's writes to the API server, one step each: create an RR
 * (claiming an old predecessor first), and write a count (settling a write
 * that got no answer). Each says what came of it; the recorder
 * (src/gateway/recorder.ts) decides what to do next.
 */

export interface RecordWritesDeps {
  rrs: RemediationRequestClient;
  cache: RemediationRequestInformer;
  metrics: GatewayMetrics;
  logger: Logger;
  strategy: FingerprintStrategy;
  /** spec.clusterID for signals without a `cluster` label ("" for none). */
  clusterId?: string;
  /** How long to wait for the API server to say whether a count write without an answer landed (default 30 s). */
  unsureWriteWaitMs?: number;
  /** Told at once when a write gets no answer, before waiting to learn its outcome (opens the circuit breaker). */
  onUnreachable?: () => void;
  /** Told of every write's resourceVersion (src/gateway/cache-freshness.ts). */
  freshness?: { wrote(resourceVersion: string | undefined, sentAt: number): void };
  /** The deletion rules the admission webhook enforces (src/dedup/chain-safety.ts); default one hour / five minutes. */
  chainSafety?: ChainSafety;
}

/**
 * What a count write came to:
 * - landed: the RR carries it (answered, or found so after no answer);
 * - lost: a race (stale resourceVersion, or the RR is gone): decide again on a fresh view;
 * - not-landed: no answer, and the RR shows it not applied (yet: it may still
 *   land late); `rr` is the RR as it is now (undefined: deleted).
 */
export type CountWrite = { outcome: "landed"; rr: RemediationRequest } | { outcome: "lost" } | { outcome: "not-landed"; rr: RemediationRequest | undefined };

export class RecordWrites {
  constructor(private readonly deps: RecordWritesDeps) {}

  /** Applies `next` as the RR's deduplication section, on the resourceVersion read (never forced). */
  async count(rr: RemediationRequest, next: DeduplicationStatus): Promise<CountWrite> {
    const { rrs, metrics } = this.deps;
    try {
      metrics.apiWrites.inc({ operation: "apply-status" });
      const sentAt = Date.now();
      const updated = await rrs.applyStatus(rr.metadata.name!, { deduplication: next }, {
        fieldManager: FIELD_MANAGERS.deduplication,
        resourceVersion: rr.metadata.resourceVersion,
      });
      this.deps.freshness?.wrote(updated.metadata.resourceVersion, sentAt);
      return { outcome: "landed", rr: updated };
    } catch (err) {
      if (mayHaveLanded(err)) return this.settle(rr, next, err);
      if (!isLostRace(err, metrics)) throw err;
      return { outcome: "lost" };
    }
  }

  /**
   * A count write got no answer and may have landed: find out from the RR
   * before answering (src/gateway/unsure-write.ts). Throws a 503 when it
   * cannot be told.
   */
  private async settle(rr: RemediationRequest, next: DeduplicationStatus, err: UnavailableError): Promise<CountWrite> {
    const { rrs, metrics, logger } = this.deps;
    this.deps.onUnreachable?.();
    let outcome: UnsureOutcome;
    try {
      outcome = await settleUnsureWrite(rrs, rr, next, this.deps.unsureWriteWaitMs ?? 30_000, err);
    } catch (unknown) {
      metrics.unsureWrites.inc({ outcome: "unknown" });
      logger.warn({ rr: rr.metadata.name, err: String(err) }, "could not tell whether a count write landed: answering 503; the retry may count it again");
      throw unknown;
    }
    metrics.unsureWrites.inc({ outcome: outcome.applied ? "applied" : "not_applied" });
    logger.warn(unsureWriteLog(rr, next, err, outcome.rr), `a count write got no answer; the RR shows it ${outcome.applied ? "applied" : "not applied"}`);
    return outcome.applied ? { outcome: "landed", rr: outcome.rr } : { outcome: "not-landed", rr: outcome.rr };
  }

  /**
   * Creates the RR a create decision names, for the first firing signal of
   * the batch: the RR created, or the one that won its name (racers compute
   * the same name); undefined when that one was deleted before it could be
   * read, or the predecessor could not be claimed (decide again on a list).
   */
  async create(decision: Extract<Decision, { action: "create" }>, signal: Signal, fingerprint: string, requestId: string): Promise<RemediationRequest | undefined> {
    const { rrs, cache, metrics, logger } = this.deps;
    const rr = newRemediationRequest({
      name: decision.name,
      signal,
      fingerprint,
      strategy: this.deps.strategy,
      predecessorName: decision.predecessor?.metadata.name,
      receivedAt: new Date().toISOString(),
      clusterId: this.deps.clusterId,
    });
    try {
      if (decision.predecessor && !(await this.claimSuccession(decision.predecessor))) return undefined;
      metrics.apiWrites.inc({ operation: "create" });
      const sentAt = Date.now();
      const created = await rrs.create(rr, FIELD_MANAGERS.gateway);
      this.deps.freshness?.wrote(created.metadata.resourceVersion, sentAt);
      metrics.rrsCreated.inc({ source: signal.source });
      logger.info({ requestId, rr: decision.name, fingerprint, predecessor: decision.predecessor?.metadata.name }, "created RemediationRequest");
      cache.observe(created);
      return created;
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      // Another creator won the race for this name: count on its RR.
      try {
        const winner = await rrs.get(decision.name);
        cache.observe(winner);
        return winner;
      } catch (readErr) {
        if (readErr instanceof NotFoundError) return undefined;
        throw readErr;
      }
    }
  }

  /**
   * Before creating the successor of an RR old enough to be deleted: marks it
   * (annotation, resourceVersion precondition), which proves it still exists
   * and keeps the admission webhook from deleting it until the create has
   * landed. False when it changed or is gone: decide again on a fresh list.
   * A younger predecessor needs nothing: it cannot be deleted yet.
   */
  private async claimSuccession(predecessor: RemediationRequest): Promise<boolean> {
    const { rrs, metrics } = this.deps;
    if (!needsSuccessionClaim(predecessor, Date.now(), this.deps.chainSafety ?? DEFAULT_CHAIN_SAFETY)) return true;
    try {
      metrics.apiWrites.inc({ operation: "claim" });
      await rrs.annotate(predecessor.metadata.name!, { [ANNOTATIONS.successorClaimedAt]: new Date().toISOString() }, {
        fieldManager: FIELD_MANAGERS.gateway,
        resourceVersion: predecessor.metadata.resourceVersion!,
      });
      return true;
    } catch (err) {
      if (err instanceof NotFoundError || (err instanceof ConflictError && err.isStale)) return false;
      throw err;
    }
  }
}

/** A write that failed without an answer, and may have been applied all the same. */
function mayHaveLanded(err: unknown): err is UnavailableError {
  return err instanceof UnavailableError && err.mayHaveApplied;
}

/** A count write that lost a race (stale resourceVersion, or the RR is gone) is retried; a conflict is counted either way. */
function isLostRace(err: unknown, metrics: GatewayMetrics): boolean {
  if (err instanceof ConflictError) metrics.applyConflicts.inc({ field_manager: FIELD_MANAGERS.deduplication });
  return err instanceof NotFoundError || (err instanceof ConflictError && err.isStale);
}

/** What the log says about a count write without an answer, and what re-reading the RR showed (never a token or a payload). */
function unsureWriteLog(rr: RemediationRequest, next: DeduplicationStatus, err: UnavailableError, found: RemediationRequest | undefined): Record<string, unknown> {
  return {
    rr: rr.metadata.name,
    err: String(err),
    written: { resourceVersion: rr.metadata.resourceVersion, count: next.occurrenceCount },
    found: found ? { resourceVersion: found.metadata.resourceVersion, count: found.status?.deduplication?.occurrenceCount } : "deleted",
  };
}
