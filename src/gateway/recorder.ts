import { countBatch, type CountedBatch, type CountedItem } from "../dedup/counting";
import { decide, takesRepeats, type Decision } from "../dedup/decision";
import { allCounted, newOccurrences } from "../dedup/event-watermarks";
import type { EventSeriesMark, Signal } from "../signal/signal";
import { NotFoundError } from "../k8s/errors";
import { ANNOTATIONS, type DeduplicationStatus, type RemediationRequest } from "../model/remediation-request";
import { backoffDelay, sleep } from "./backoff";
import { GatewayError } from "./errors";
import { GroupCommit } from "./group-commit";
import { RecordWrites, type RecordWritesDeps } from "./record-writes";
import type { Recorded } from "./signal-result";
import { carries } from "./unsure-write";

export interface RecorderDeps extends RecordWritesDeps {
  maxApplyAttempts: number;
  /** Pause before a contended problem's next count write (GroupCommitOptions.lingerMs); default 0. */
  groupCommitLingerMs?: number;
  /** Told of every successful count write, off the request path (storm detection). */
  onCounted?: (rr: RemediationRequest, added: number) => void;
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

/**
 * Where one batch stands in the create-or-count loop: the RRs it decides on,
 * the items whose senders still wait, the attempt, and the count writes that
 * got no answer (one of them may land late: then it is the batch's answer).
 */
class BatchState {
  /** Every item, in order: the flush answers each one. */
  readonly items: Pending[];
  /** The items whose senders still wait for an answer. */
  live: Pending[];
  /** The RRs of the problem the next decision is made on. */
  view: RemediationRequest[] = [];
  attempt = 0;
  readonly unsure: UnsureWrite[] = [];

  constructor(batch: Pending[]) {
    this.items = [...batch];
    this.live = waiting(this.items);
  }

  /** Takes in what arrived for the problem since the batch began (one write fewer). */
  takeIn(arrived: Pending[]): void {
    this.items.push(...arrived);
    this.live.push(...waiting(arrived));
  }

  /** The earlier write without an answer that `rr` shows landed after all. */
  landedLate(rr: RemediationRequest): UnsureWrite | undefined {
    return this.unsure.find(u => carries(rr, u.counted.next));
  }

  /** One answer per item, in order: each answered item's result, undefined for the others (their senders left). */
  answers(answered: Pending[], results: Recorded[]): (Recorded | undefined)[] {
    const resultOf = new Map(answered.map((item, k) => [item, results[k]]));
    return this.items.map(item => resultOf.get(item));
  }
}

/**
 * Records signals on RemediationRequests, exactly once, without locks:
 * concurrent signals of one problem are folded into one write (group commit);
 * creation is a POST of a deterministic name (racers get AlreadyExists);
 * counts are applied with a resourceVersion precondition and retried on 409.
 * The writes themselves are src/gateway/record-writes.ts.
 */
export class SignalRecorder {
  /** undefined: the sender left before its signal was written (not recorded). */
  private readonly commits: GroupCommit<Pending, Recorded | undefined>;
  private readonly writes: RecordWrites;

  constructor(private readonly deps: RecorderDeps) {
    this.commits = new GroupCommit((fingerprint, items, more) => this.flush(fingerprint, items, more), { lingerMs: deps.groupCommitLingerMs });
    this.writes = new RecordWrites(deps);
  }

  /** Runs another write of a problem's RR (its storm status) between its count writes, never during one. */
  betweenCountWrites(fingerprint: string, write: () => Promise<void>): Promise<void> {
    return this.commits.between(fingerprint, write);
  }

  /** @param gone aborted when the sender leaves: from then on its signal is not written (it will send it again). */
  async record(signal: Signal, fingerprint: string, requestId: string, gone?: AbortSignal): Promise<Recorded> {
    if (signal.status === "resolved" && this.deps.resolvedCounts?.() === false) return this.resolvedNotCounted(fingerprint);
    const result = await this.commits.submit(fingerprint, { signal, requestId, gone });
    if (!result) throw new GatewayError("GW_API_UNAVAILABLE", "the sender left before the signal was recorded: it was not recorded");
    return result;
  }

  /**
   * The create-or-count loop for one problem's batch: decide on the RRs
   * known, create the RR if none takes repeats, count the batch on it in one
   * write; after a lost race or a write found not applied, decide again on a
   * fresh view, up to maxApplyAttempts.
   * @param more takes in the problem's signals that arrived since the batch began.
   */
  private async flush(fingerprint: string, batch: Pending[], more: () => Pending[]): Promise<(Recorded | undefined)[]> {
    const state = new BatchState(batch);
    state.view = await this.initialView(fingerprint, state.live.some(isFiring));
    for (;;) {
      state.attempt++;
      // A sender that left (after a long wait for the API server) gets no write: it will send the signal again.
      state.live = waiting(state.live);
      const decision = decide(fingerprint, state.view);
      const unwritten = this.answersWithoutWrite(fingerprint, state, decision);
      if (unwritten) return unwritten;
      const rr = await this.rrFor(decision, state.live.find(isFiring), fingerprint);
      const late = rr && state.landedLate(rr);
      if (late) return state.answers(late.items, this.counted(fingerprint, rr, late.counted, late.base));
      if (!rr || !takesRepeats(rr, Date.now())) {
        // The name was taken by an RR that has already ended, or that was deleted before it could be read: look at the whole chain again.
        this.giveUpAfter(state.attempt, rr?.metadata.name);
        state.view = await this.deps.rrs.listByFingerprint(fingerprint);
        continue;
      }
      // What arrived while this batch was decided, created or lost a race goes into the same write (not after a write without an answer: that one's items are fixed).
      if (state.unsure.length === 0) state.takeIn(more());
      const written = await this.countBatchOn(fingerprint, rr, state);
      if (written) return written;
    }
  }

  /** The batch's answers when nothing is to be written: nobody waits any more, a resolved alert without an active RR, events already counted. */
  private answersWithoutWrite(fingerprint: string, state: BatchState, decision: Decision): (Recorded | undefined)[] | undefined {
    const { live } = state;
    if (live.length === 0) return state.answers([], []);
    if (decision.action !== "create") return undefined;
    if (!live.some(isFiring)) return state.answers(live, live.map(() => this.resolvedWithoutRR(fingerprint)));
    // Events relisted after a restart that the ended RR already counted: nothing new, so no new RR.
    if (this.nothingNewFor(decision.predecessor, live)) return state.answers(live, live.map(() => this.alreadyCounted(fingerprint, decision.predecessor)));
    return undefined;
  }

  /**
   * One count write of the live items on an active RR: the batch's answers,
   * or undefined after a lost race or a write found not applied (then the
   * state holds the fresh view to decide on again, and the write is kept as
   * unsure: it may still land late).
   */
  private async countBatchOn(fingerprint: string, rr: RemediationRequest, state: BatchState): Promise<(Recorded | undefined)[] | undefined> {
    const counted = await this.countOn(fingerprint, rr, state.live);
    const base = rr.status?.deduplication?.occurrenceCount ?? 0;
    // Event source signals that bring nothing new (all counted already): nothing to write.
    if (counted.next.occurrenceCount === base && state.live.every(isFiring)) return state.answers(state.live, this.counted(fingerprint, rr, counted, base));
    const write = await this.writes.count(rr, counted.next);
    switch (write.outcome) {
      case "landed":
        return state.answers(state.live, this.counted(fingerprint, write.rr, counted, base));
      case "not-landed":
        state.view = write.rr && takesRepeats(write.rr, Date.now()) ? [write.rr] : await this.deps.rrs.listByFingerprint(fingerprint);
        state.unsure.push({ counted, base, items: state.live });
        this.giveUpAfter(state.attempt, rr.metadata.name);
        return undefined;
      case "lost":
        this.giveUpAfter(state.attempt, rr.metadata.name);
        await sleep(backoffDelay(state.attempt));
        state.view = await this.freshView(fingerprint, rr);
        return undefined;
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

  /** The RR a batch counts on: the decided one, or a new one (src/gateway/record-writes.ts). */
  private async rrFor(decision: Decision, firing: Pending | undefined, fingerprint: string): Promise<RemediationRequest | undefined> {
    return decision.action === "duplicate" ? decision.rr : this.writes.create(decision, firing!.signal, fingerprint, firing!.requestId);
  }

  /** The live items counted on the RR: their occurrence numbers, and the deduplication section to write. */
  private async countOn(fingerprint: string, rr: RemediationRequest, live: Pending[]): Promise<CountedBatch> {
    const now = new Date().toISOString();
    const section = await this.countingBase(fingerprint, rr);
    const marks = live.map(i => i.signal.eventSeries);
    const watermarks = this.watermarksOn();
    const occurrences = watermarks ? newOccurrences(section?.countedEvents, marks, now) : { added: marks.map(sinceLastRecorded), next: [] };
    const counted = countBatch(section, live.map(i => i.signal.status), now, occurrences.added);
    if (watermarks && occurrences.next.length > 0) counted.next.countedEvents = occurrences.next;
    return counted;
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

  private giveUpAfter(attempt: number, rrName: string | undefined): void {
    if (attempt < this.deps.maxApplyAttempts) return;
    throw new GatewayError("GW_API_UNAVAILABLE", `could not record the signal on ${rrName ?? "its RR"} after ${attempt} conflicting attempts; retry later`);
  }

  /** After a lost race: the RR as it is now if it still takes repeats, else every RR of the problem, from the API server. */
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
    return { ...this.seenOn(fingerprint, rr, "duplicate"), unchanged: true };
  }

  /** A resolved alert while resolved counts are off: the RR it belongs to (from the cache), unchanged. */
  private resolvedNotCounted(fingerprint: string): Recorded {
    const decision = decide(fingerprint, this.deps.cache.rrsOf(fingerprint));
    if (decision.action === "create") return this.resolvedWithoutRR(fingerprint);
    return this.seenOn(fingerprint, decision.rr, "resolved");
  }

  /** A result read off an RR without writing to it. */
  private seenOn(fingerprint: string, rr: RemediationRequest | undefined, status: Recorded["status"]): Recorded {
    const section = rr?.status?.deduplication;
    return { kind: "recorded", status, fingerprint, rrName: rr?.metadata.name, namespace: this.deps.rrs.namespace, count: section?.occurrenceCount ?? 0, firstSeenAt: section?.firstSeenAt, lastSeenAt: section?.lastSeenAt };
  }

  private resolvedWithoutRR(fingerprint: string): Recorded {
    return { kind: "recorded", status: "resolved", fingerprint, namespace: this.deps.rrs.namespace, count: 0 };
  }
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
