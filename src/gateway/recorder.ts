import type { Logger } from "pino";
import { countBatch } from "../dedup/counting";
import { decide, isActive, type Decision } from "../dedup/decision";
import type { FingerprintStrategy } from "../dedup/fingerprint";
import { GroupCommit } from "../dedup/group-commit";
import { newRemediationRequest } from "../dedup/new-rr";
import type { Signal } from "../dedup/signal";
import { AlreadyExistsError, ConflictError, NotFoundError } from "../k8s/errors";
import { FIELD_MANAGERS } from "../k8s/field-managers";
import type { RemediationRequestCache } from "../k8s/rr-cache";
import type { RemediationRequestClient } from "../k8s/rr-client";
import type { RemediationRequest } from "../model/remediation-request";
import { backoffDelay, sleep } from "./backoff";
import { GatewayError } from "./errors";
import type { GatewayMetrics } from "./metrics";

/** What happened to one signal. */
export interface RecordResult {
  /** created: this signal is the RR's first occurrence; duplicate: counted on it; resolved: a resolved alert. */
  status: "created" | "duplicate" | "resolved";
  fingerprint: string;
  /** The RR that recorded the signal; absent for a resolved alert without an active RR. */
  rrName?: string;
  namespace: string;
  /** occurrenceCount after this signal (for a resolved alert: the count it saw). */
  count: number;
  firstSeenAt?: string;
  lastSeenAt?: string;
}

export interface RecorderDeps {
  rrs: RemediationRequestClient;
  cache: RemediationRequestCache;
  metrics: GatewayMetrics;
  logger: Logger;
  strategy: FingerprintStrategy;
  maxApplyAttempts: number;
  /** Told of every successful count write, off the request path (storm detection). */
  onCounted?: (rr: RemediationRequest, added: number) => void;
}

interface Pending {
  signal: Signal;
  requestId: string;
}

/**
 * Records signals on RemediationRequests, exactly once, without locks:
 * concurrent signals of one problem are folded into one write (group commit);
 * creation is a POST of a deterministic name (racers get AlreadyExists);
 * counts are applied with a resourceVersion precondition and retried on 409.
 */
export class SignalRecorder {
  private readonly commits = new GroupCommit<Pending, RecordResult>((fingerprint, items) => this.flush(fingerprint, items));

  constructor(private readonly deps: RecorderDeps) {}

  record(signal: Signal, fingerprint: string, requestId: string): Promise<RecordResult> {
    return this.commits.submit(fingerprint, { signal, requestId });
  }

  private async flush(fingerprint: string, items: Pending[]): Promise<RecordResult[]> {
    const { rrs, cache, metrics } = this.deps;
    const firing = items.find(i => i.signal.status === "firing");
    let known = cache.rrsOf(fingerprint);
    for (let attempt = 1; ; attempt++) {
      const decision = decide(fingerprint, known);
      if (decision.action === "create" && !firing) return items.map(() => this.resolvedWithoutRR(fingerprint));
      const rr = decision.action === "duplicate" ? decision.rr : await this.createOrFindWinner(decision, firing!, fingerprint);
      if (!isActive(rr)) {
        // The name was taken by an RR that has already ended: look at the whole chain again.
        this.giveUpAfter(attempt, rr);
        known = await rrs.listByFingerprint(fingerprint);
        continue;
      }
      const now = new Date().toISOString();
      const counted = countBatch(rr.status?.deduplication, items.map(i => i.signal.status), now);
      try {
        metrics.apiWrites.inc({ operation: "apply-status" });
        const updated = await rrs.applyStatus(rr.metadata.name!, { deduplication: counted.next }, {
          fieldManager: FIELD_MANAGERS.deduplication,
          resourceVersion: rr.metadata.resourceVersion,
        });
        cache.observe(updated);
        const added = counted.next.occurrenceCount! - (rr.status?.deduplication?.occurrenceCount ?? 0);
        if (added > 0) this.deps.onCounted?.(updated, added);
        return counted.items.map(c => ({
          status: c.status === "resolved" ? "resolved" : c.count === 1 ? "created" : "duplicate",
          fingerprint,
          rrName: updated.metadata.name,
          namespace: rrs.namespace,
          count: c.count,
          firstSeenAt: counted.next.firstSeenAt,
          lastSeenAt: counted.next.lastSeenAt,
        }));
      } catch (err) {
        if (!(err instanceof ConflictError || err instanceof NotFoundError)) throw err;
        if (err instanceof ConflictError) metrics.applyConflicts.inc({ field_manager: FIELD_MANAGERS.deduplication });
        if (err instanceof ConflictError && !err.isStale) throw err;
        this.giveUpAfter(attempt, rr);
        await sleep(backoffDelay(attempt));
        known = await this.freshView(fingerprint, rr);
      }
    }
  }

  private giveUpAfter(attempt: number, rr: RemediationRequest): void {
    if (attempt < this.deps.maxApplyAttempts) return;
    throw new GatewayError("GW_API_UNAVAILABLE", `could not record the signal on ${rr.metadata.name} after ${attempt} conflicting attempts; retry later`);
  }

  /** After a conflict: the RR as it is now if still active, else every RR of the problem, from the API server. */
  private async freshView(fingerprint: string, rr: RemediationRequest): Promise<RemediationRequest[]> {
    try {
      const fresh = await this.deps.rrs.get(rr.metadata.name!);
      this.deps.cache.observe(fresh);
      if (isActive(fresh)) return [fresh];
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    return this.deps.rrs.listByFingerprint(fingerprint);
  }

  private async createOrFindWinner(decision: Extract<Decision, { action: "create" }>, { signal, requestId }: Pending, fingerprint: string): Promise<RemediationRequest> {
    const { rrs, cache, metrics, logger } = this.deps;
    const rr = newRemediationRequest({
      name: decision.name,
      signal,
      fingerprint,
      strategy: this.deps.strategy,
      predecessorName: decision.predecessor?.metadata.name,
      receivedAt: new Date().toISOString(),
    });
    try {
      metrics.apiWrites.inc({ operation: "create" });
      const created = await rrs.create(rr, FIELD_MANAGERS.gateway);
      metrics.rrsCreated.inc({ source: signal.source });
      logger.info({ requestId, rr: decision.name, fingerprint, predecessor: decision.predecessor?.metadata.name }, "created RemediationRequest");
      cache.observe(created);
      return created;
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      // Another creator won the race for this name: count on its RR.
      const winner = await rrs.get(decision.name);
      cache.observe(winner);
      return winner;
    }
  }

  private resolvedWithoutRR(fingerprint: string): RecordResult {
    return { status: "resolved", fingerprint, namespace: this.deps.rrs.namespace, count: 0 };
  }
}
