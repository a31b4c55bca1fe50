import type { Logger } from "pino";
import { countBatch, type CountedBatch, type CountedItem } from "../dedup/counting";
import { DEFAULT_CHAIN_SAFETY, needsSuccessionClaim, type ChainSafety } from "../dedup/chain-safety";
import { decide, takesRepeats, type Decision } from "../dedup/decision";
import { allCounted, newOccurrences } from "../dedup/event-watermarks";
import type { FingerprintStrategy } from "../dedup/fingerprint";
import { GroupCommit } from "./group-commit";
import { newRemediationRequest } from "../dedup/new-rr";
import type { EventSeriesMark, Signal } from "../signal/signal";
import { AlreadyExistsError, ConflictError, NotFoundError, UnavailableError } from "../k8s/errors";
import { FIELD_MANAGERS } from "../k8s/field-managers";
import type { RemediationRequestInformer } from "../k8s/rr-informer";
import type { RemediationRequestClient } from "../k8s/rr-client";
import { ANNOTATIONS, type DeduplicationStatus, type RemediationRequest } from "../model/remediation-request";
import { backoffDelay, sleep } from "./backoff";
import { GatewayError } from "./errors";
import type { GatewayMetrics } from "./metrics";
import { carries, settleUnsureWrite, type UnsureOutcome } from "./unsure-write";
import type { Recorded } from "./signal-result";

export interface RecorderDeps {
  rrs: RemediationRequestClient;
  /** The process's shared RR informer: the hot path's reads, and where writes are put back. */
  cache: RemediationRequestInformer;
  metrics: GatewayMetrics;
  logger: Logger;
  strategy: FingerprintStrategy;
  /** spec.clusterID for signals without a `cluster` label ("" for none). */
  clusterId?: string;
  maxApplyAttempts: number;
  /** Told of every successful count write, off the request path (storm detection). */
  onCounted?: (rr: RemediationRequest, added: number) => void;
  /** How long to wait for the API server to say whether a count write without an answer landed (default 30 s). */
  unsureWriteWaitMs?: number;
  /** Told at once when a write gets no answer, before waiting to learn its outcome (opens the circuit breaker). */
  onUnreachable?: () => void;
  /**
   * False while the installed CRD has no status.deduplication.resolvedCount
   * (kubernaut's own): a resolved alert is answered with the RR it belongs to,
   * and nothing is written.
   */
  resolvedCounts?: () => boolean;
  /**
   * How current the cache is (src/gateway/cache-freshness.ts): told of every
   * write's resourceVersion; a create is decided on the cache alone only
   * while it is fresh. Without it, every create is decided on a list.
   */
  freshness?: { isFresh(): boolean; wrote(resourceVersion: string | undefined, sentAt: number): void };
  /** The deletion rules the admission webhook enforces (src/dedup/chain-safety.ts); default one hour / five minutes. */
  chainSafety?: ChainSafety;
  /**
   * False while the installed CRD has no status.deduplication.countedEvents
   * (kubernaut's own): the event source's signals then add count - since
   * (what the watching process remembers), not counted against the RR.
   */
  eventWatermarks?: () => boolean;
}

interface Pending {
  signal: Signal;
  requestId: string;
  /** Aborted when the sender has left (closed the connection): its signal is not written any more. */
  gone?: AbortSignal;
}

/** A count write that got no answer and was found not applied: it may still land late. */
interface UnsureWrite {
  counted: CountedBatch;
  base: number;
  items: Pending[];
}

/** What a count write came to: each item's result, or the RRs to decide on again. */
type Written = { results: Recorded[] } | { view: RemediationRequest[] };

/**
 * Records signals on RemediationRequests, exactly once, without locks:
 * concurrent signals of one problem are folded into one write (group commit);
 * creation is a POST of a deterministic name (racers get AlreadyExists);
 * counts are applied with a resourceVersion precondition and retried on 409.
 */
export class SignalRecorder {
  /** undefined: the sender left before its signal was written (not recorded). */
  private readonly commits = new GroupCommit<Pending, Recorded | undefined>((fingerprint, items, more) => this.flush(fingerprint, items, more));

  constructor(private readonly deps: RecorderDeps) {}

  /** @param gone aborted when the sender leaves: from then on its signal is not written (it will send it again). */
  async record(signal: Signal, fingerprint: string, requestId: string, gone?: AbortSignal): Promise<Recorded> {
    if (signal.status === "resolved" && this.deps.resolvedCounts?.() === false) return this.resolvedNotCounted(fingerprint);
    const result = await this.commits.submit(fingerprint, { signal, requestId, gone });
    if (!result) throw new GatewayError("GW_API_UNAVAILABLE", "the sender left before the signal was recorded: it was not recorded");
    return result;
  }

  /** @param more takes in the problem's signals that arrived since the batch began. */
  private async flush(fingerprint: string, batch: Pending[], more: () => Pending[]): Promise<(Recorded | undefined)[]> {
    const { rrs } = this.deps;
    const items = [...batch];
    let live = waiting(items);
    let known = await this.initialView(fingerprint, live.some(isFiring));
    /** Count writes of this batch that got no answer and were found not applied: one may still land late. */
    const unsure: UnsureWrite[] = [];
    for (let attempt = 1; ; attempt++) {
      // A sender that left (after a long wait for the API server) gets no write: it will send the signal again.
      live = waiting(live);
      if (live.length === 0) return answers(items, [], []);
      const firing = live.find(isFiring);
      const decision = decide(fingerprint, known);
      if (decision.action === "create" && !firing) return answers(items, live, live.map(() => this.resolvedWithoutRR(fingerprint)));
      // Events relisted after a restart that the ended RR already counted: nothing new, so no new RR.
      if (decision.action === "create" && this.nothingNewFor(decision.predecessor, live)) return answers(items, live, live.map(() => this.alreadyCounted(fingerprint, decision.predecessor)));
      const rr = await this.rrFor(decision, firing, fingerprint);
      const late = rr && unsure.find(u => carries(rr, u.counted.next));
      if (late) return answers(items, late.items, this.counted(fingerprint, rr, late.counted, late.base));
      if (!rr || !takesRepeats(rr, Date.now())) {
        // The name was taken by an RR that has already ended, or that was deleted before it could be read: look at the whole chain again.
        this.giveUpAfter(attempt, rr?.metadata.name);
        known = await rrs.listByFingerprint(fingerprint);
        continue;
      }
      if (unsure.length === 0) {
        // What arrived while this batch was decided, created or lost a race goes into the same write: one write fewer.
        const arrived = more();
        items.push(...arrived);
        live.push(...waiting(arrived));
      }
      const written = await this.writeCounts(fingerprint, rr, live, attempt, unsure);
      if ("results" in written) return answers(items, live, written.results);
      known = written.view;
    }
  }

  /**
   * One count write of the live items on an active RR. Its results, or the
   * RRs to decide on again: after a lost race (stale resourceVersion, RR
   * gone) or a write found not applied (then remembered in `unsure`, as it
   * may still land late).
   */
  private async writeCounts(fingerprint: string, rr: RemediationRequest, live: Pending[], attempt: number, unsure: UnsureWrite[]): Promise<Written> {
    const { rrs, metrics } = this.deps;
    const now = new Date().toISOString();
    const section = await this.countingBase(fingerprint, rr);
    const marks = live.map(i => i.signal.eventSeries);
    const watermarks = this.watermarksOn();
    const occurrences = watermarks ? newOccurrences(section?.countedEvents, marks, now) : { added: marks.map(sinceLastRecorded), next: [] };
    const counted = countBatch(section, live.map(i => i.signal.status), now, occurrences.added);
    if (watermarks && occurrences.next.length > 0) counted.next.countedEvents = occurrences.next;
    const base = rr.status?.deduplication?.occurrenceCount ?? 0;
    // Event source signals that bring nothing new (all counted already): nothing to write.
    if (counted.next.occurrenceCount === base && live.every(isFiring)) return { results: this.counted(fingerprint, rr, counted, base) };
    try {
      metrics.apiWrites.inc({ operation: "apply-status" });
      const sentAt = Date.now();
      const updated = await rrs.applyStatus(rr.metadata.name!, { deduplication: counted.next }, {
        fieldManager: FIELD_MANAGERS.deduplication,
        resourceVersion: rr.metadata.resourceVersion,
      });
      this.deps.freshness?.wrote(updated.metadata.resourceVersion, sentAt);
      return { results: this.counted(fingerprint, updated, counted, base) };
    } catch (err) {
      if (mayHaveLanded(err)) {
        const settled = await this.settle(fingerprint, rr, counted, err);
        if ("view" in settled) {
          unsure.push({ counted, base, items: live });
          this.giveUpAfter(attempt, rr.metadata.name);
        }
        return settled;
      }
      this.rethrowUnlessStale(err);
      this.giveUpAfter(attempt, rr.metadata.name);
      await sleep(backoffDelay(attempt));
      return { view: await this.freshView(fingerprint, rr) };
    }
  }

  /**
   * The RRs a batch is decided on: the cache's, unless they call for creating
   * an RR while the cache is not known to be fresh. Then the problem's RRs are
   * listed from the API server: a cache that missed the problem's newer RRs
   * would otherwise reuse a name that a retention cleanup freed by deleting an
   * old RR, next to an active RR. A fresh cache needs no such read: the
   * admission webhook keeps every name a fresh cache can compute taken
   * (docs/exactly-once.md, "Creating without a read").
   */
  private async initialView(fingerprint: string, firing: boolean): Promise<RemediationRequest[]> {
    const cached = this.deps.cache.rrsOf(fingerprint);
    if (!firing || decide(fingerprint, cached).action !== "create") return cached;
    if (this.deps.freshness?.isFresh()) {
      this.deps.metrics.createViews.inc({ view: "cache" });
      return cached;
    }
    this.deps.metrics.createViews.inc({ view: "api" });
    return this.deps.rrs.listByFingerprint(fingerprint);
  }

  /**
   * A count write got no answer and may have landed: find out before
   * answering (src/gateway/unsure-write.ts). Landed: the batch's results.
   * Not landed: the RRs to decide on again.
   */
  private async settle(fingerprint: string, rr: RemediationRequest, counted: CountedBatch, err: UnavailableError): Promise<Written> {
    const { rrs, metrics } = this.deps;
    this.deps.onUnreachable?.();
    let outcome: UnsureOutcome;
    try {
      outcome = await settleUnsureWrite(rrs, rr, counted.next, this.deps.unsureWriteWaitMs ?? 30_000, err);
    } catch (unknown) {
      metrics.unsureWrites.inc({ outcome: "unknown" });
      this.deps.logger.warn({ rr: rr.metadata.name, err: String(err) }, "could not tell whether a count write landed: answering 503; the retry may count it again");
      throw unknown;
    }
    metrics.unsureWrites.inc({ outcome: outcome.applied ? "applied" : "not_applied" });
    this.deps.logger.warn(unsureWriteLog(rr, counted, err, outcome.rr), `a count write got no answer; the RR shows it ${outcome.applied ? "applied" : "not applied"}`);
    if (outcome.applied) return { results: this.counted(fingerprint, outcome.rr, counted, rr.status?.deduplication?.occurrenceCount ?? 0) };
    return { view: outcome.rr && takesRepeats(outcome.rr, Date.now()) ? [outcome.rr] : await rrs.listByFingerprint(fingerprint) };
  }

  /** The batch is on the RR: keep the cache and storm detection up to date, and give each item its result. */
  private counted(fingerprint: string, updated: RemediationRequest, counted: CountedBatch, base: number): Recorded[] {
    this.deps.cache.observe(updated);
    const added = counted.next.occurrenceCount! - base;
    if (added > 0) this.deps.onCounted?.(updated, added);
    return counted.items.map(c => this.result(fingerprint, updated, c, counted.next));
  }

  private result(fingerprint: string, rr: RemediationRequest, item: CountedItem, section: DeduplicationStatus): Recorded {
    return {
      kind: "recorded",
      // created: this item brought the RR's first occurrence.
      status: item.status === "resolved" ? "resolved" : item.added > 0 && item.count === item.added ? "created" : "duplicate",
      fingerprint,
      rrName: rr.metadata.name,
      namespace: this.deps.rrs.namespace,
      count: item.count,
      firstSeenAt: section.firstSeenAt,
      lastSeenAt: section.lastSeenAt,
      ...(item.status === "firing" && item.added === 0 ? { unchanged: true } : {}),
    };
  }

  /** A count write that lost a race (stale resourceVersion, or the RR is gone) is retried; anything else is thrown. */
  private rethrowUnlessStale(err: unknown): void {
    if (!(err instanceof ConflictError || err instanceof NotFoundError)) throw err;
    if (err instanceof ConflictError) this.deps.metrics.applyConflicts.inc({ field_manager: FIELD_MANAGERS.deduplication });
    if (err instanceof ConflictError && !err.isStale) throw err;
  }

  private giveUpAfter(attempt: number, rrName: string | undefined): void {
    if (attempt < this.deps.maxApplyAttempts) return;
    throw new GatewayError("GW_API_UNAVAILABLE", `could not record the signal on ${rrName ?? "its RR"} after ${attempt} conflicting attempts; retry later`);
  }

  /** After a conflict: the RR as it is now if it still takes repeats, else every RR of the problem, from the API server. */
  private async freshView(fingerprint: string, rr: RemediationRequest): Promise<RemediationRequest[]> {
    try {
      const fresh = await this.deps.rrs.get(rr.metadata.name!);
      this.deps.cache.observe(fresh);
      if (takesRepeats(fresh, Date.now())) return [fresh];
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    return this.deps.rrs.listByFingerprint(fingerprint);
  }

  /** The RR a batch counts on: the decided one, or a new one (see createOrFindWinner). */
  private async rrFor(decision: Decision, firing: Pending | undefined, fingerprint: string): Promise<RemediationRequest | undefined> {
    return decision.action === "duplicate" ? decision.rr : this.createOrFindWinner(decision, firing!, fingerprint);
  }

  /** The RR created, or the one that won its name; undefined when that one was deleted before it could be read. */
  private async createOrFindWinner(decision: Extract<Decision, { action: "create" }>, { signal, requestId }: Pending, fingerprint: string): Promise<RemediationRequest | undefined> {
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

  private watermarksOn(): boolean {
    return this.deps.eventWatermarks?.() !== false;
  }

  /**
   * The deduplication section a count write starts from. An RR's first count
   * write takes over its predecessor's event watermark (countedEvents), so an
   * Event that went on after the predecessor ended adds only its new
   * occurrences to the successor.
   */
  private async countingBase(fingerprint: string, rr: RemediationRequest): Promise<DeduplicationStatus | undefined> {
    const current = rr.status?.deduplication;
    const predecessor = rr.metadata.annotations?.[ANNOTATIONS.predecessor];
    if (!this.watermarksOn() || !predecessor || current?.occurrenceCount || current?.countedEvents?.length) return current;
    const counted = (await this.find(fingerprint, predecessor))?.status?.deduplication?.countedEvents;
    return counted?.length ? { ...current, countedEvents: counted } : current;
  }

  /** An RR of the problem by name: from the cache, else the API server (undefined: deleted). */
  private async find(fingerprint: string, name: string): Promise<RemediationRequest | undefined> {
    const cached = this.deps.cache.rrsOf(fingerprint).find(rr => rr.metadata.name === name);
    if (cached) return cached;
    try {
      return await this.deps.rrs.get(name);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  /** True when every item is an event source signal whose occurrences the ended RR (if any) has all counted. */
  private nothingNewFor(predecessor: RemediationRequest | undefined, live: Pending[]): boolean {
    const counted = predecessor?.status?.deduplication?.countedEvents;
    const watermarks = this.watermarksOn();
    return live.every(({ signal }) => signal.eventSeries !== undefined && (watermarks ? allCounted(counted, signal.eventSeries) : sinceLastRecorded(signal.eventSeries) === 0));
  }

  /** An event source signal with nothing new: answered with the RR that counted it, unchanged. */
  private alreadyCounted(fingerprint: string, rr: RemediationRequest | undefined): Recorded {
    const section = rr?.status?.deduplication;
    return { kind: "recorded", status: "duplicate", fingerprint, rrName: rr?.metadata.name, namespace: this.deps.rrs.namespace, count: section?.occurrenceCount ?? 0, firstSeenAt: section?.firstSeenAt, lastSeenAt: section?.lastSeenAt, unchanged: true };
  }

  /** A resolved alert while resolved counts are off: the RR it belongs to (from the cache), unchanged. */
  private resolvedNotCounted(fingerprint: string): Recorded {
    const decision = decide(fingerprint, this.deps.cache.rrsOf(fingerprint));
    if (decision.action === "create") return this.resolvedWithoutRR(fingerprint);
    const { rr } = decision;
    const section = rr.status?.deduplication;
    return { kind: "recorded", status: "resolved", fingerprint, rrName: rr.metadata.name, namespace: this.deps.rrs.namespace, count: section?.occurrenceCount ?? 0, firstSeenAt: section?.firstSeenAt, lastSeenAt: section?.lastSeenAt };
  }

  private resolvedWithoutRR(fingerprint: string): Recorded {
    return { kind: "recorded", status: "resolved", fingerprint, namespace: this.deps.rrs.namespace, count: 0 };
  }
}

/** A write that failed without an answer, and may have been applied all the same. */
function mayHaveLanded(err: unknown): err is UnavailableError {
  return err instanceof UnavailableError && err.mayHaveApplied;
}

const isFiring = (item: Pending): boolean => item.signal.status === "firing";

/** Without a watermark on the RR: what the watching process has not seen recorded yet (an HTTP signal is 1). */
function sinceLastRecorded(marks: readonly EventSeriesMark[] | undefined): number {
  if (!marks) return 1;
  return marks.reduce((sum, m) => sum + Math.max(0, m.count - (m.since ?? 0)), 0);
}

/** The items whose senders still wait for an answer. */
function waiting(items: Pending[]): Pending[] {
  return items.filter(item => !item.gone?.aborted);
}

/** One answer per item, in order: each answered item's result, undefined for the others (their senders left). */
function answers(items: Pending[], answered: Pending[], results: Recorded[]): (Recorded | undefined)[] {
  const resultOf = new Map(answered.map((item, k) => [item, results[k]]));
  return items.map(item => resultOf.get(item));
}

/** What the log says about a count write without an answer, and what re-reading the RR showed (never a token or a payload). */
function unsureWriteLog(rr: RemediationRequest, counted: CountedBatch, err: UnavailableError, found: RemediationRequest | undefined): Record<string, unknown> {
  return {
    rr: rr.metadata.name,
    err: String(err),
    written: { resourceVersion: rr.metadata.resourceVersion, count: counted.next.occurrenceCount },
    found: found ? { resourceVersion: found.metadata.resourceVersion, count: found.status?.deduplication?.occurrenceCount } : "deleted",
  };
}
