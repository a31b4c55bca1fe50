import type { Logger } from "pino";
import { StormWindow, type StormSettings } from "./storm-window";
import { ConflictError, NotFoundError } from "../k8s/errors";
import { FIELD_MANAGERS } from "../k8s/field-managers";
import type { RemediationRequestClient } from "../k8s/rr-client";
import type { RemediationRequest, StormAggregationStatus } from "../model/remediation-request";
import type { GatewayMetrics } from "./metrics";

/** Each flush waits the refresh interval plus up to this share of it, so replicas' writes spread apart. */
export const STORM_FLUSH_JITTER = 0.2;

/**
 * The longest a storm status write waits after the signal it reports, not
 * counting the writes' own time (a flush in progress, then its own): the
 * refresh interval plus the maximum jitter.
 */
export function longestStormWriteWaitMs(flushIntervalMs: number): number {
  return flushIntervalMs * (1 + STORM_FLUSH_JITTER);
}

export interface StormTrackerOptions {
  /** Least time between two storm status writes of one RR, plus up to STORM_FLUSH_JITTER of it (default 1 s; the gateway passes GATEWAY_STORM_REFRESH_SECONDS). */
  flushIntervalMs?: number;
  /**
   * Told of the RR each storm status write returns. Every such write moves the
   * RR's resourceVersion: hand it to the RR cache, or the next count write of
   * that RR carries the old resourceVersion and fails with 409 (a wasted write,
   * a re-read and a retry on the request path).
   */
  onWritten?: (rr: RemediationRequest) => void;
  /**
   * The RR as this process knows it now (the watch-fed cache). Replicas see
   * the same storm: a write is skipped when the RR already shows a storm
   * count at least as high, written by another replica in the meantime.
   */
  current?: (fingerprint: string, name: string) => RemediationRequest | undefined;
  /**
   * Runs a storm status write of a problem (by fingerprint) where it cannot
   * overlap that problem's count writes in this process (the recorder's group
   * commit). Overlapping, one of the two fails with 409 (a wasted write and a
   * retry); serialized, the count signals that arrive meanwhile are folded
   * into the next count write. Default: no ordering.
   */
  betweenCountWrites?: (fingerprint: string, write: () => Promise<void>) => Promise<void>;
  /** Spreads the replicas' writes apart, so each can see the others' first (default Math.random). */
  random?: () => number;
  /** False while the installed CRD has no status.stormAggregation (kubernaut's own): nothing is tracked or written. */
  enabled?: () => boolean;
}

/** A storm status to write: the RR's fingerprint, the newest count seen, when the storm began. */
interface PendingStorm {
  fingerprint: string;
  count: number;
  detectedAt: string;
}

/** Writes of one RR's storm status that lose a resourceVersion race before it waits for the next flush. */
export const STORM_WRITE_ATTEMPTS = 3;

/** True when the RR already shows this storm with a count at least this high (written earlier, perhaps by another replica). */
function showsAtLeast(rr: RemediationRequest | undefined, count: number): boolean {
  const storm = rr?.status?.stormAggregation;
  return Boolean(storm?.isPartOfStorm) && (storm?.aggregatedCount ?? 0) >= count;
}

/** The storm an RR already shows (written earlier, perhaps by another replica), as the status to keep up to date. */
function stormShownBy(rr: RemediationRequest): PendingStorm | undefined {
  const storm = rr.status?.stormAggregation;
  if (!storm?.isPartOfStorm) return undefined;
  return { fingerprint: rr.spec.signalFingerprint, count: storm.aggregatedCount ?? 0, detectedAt: storm.stormDetectedAt ?? new Date().toISOString() };
}

/**
 * Writes status.stormAggregation (field manager gateway-storm) off the
 * request path: when an RR's occurrences within the window reach the
 * threshold it becomes part of a storm; while it storms, aggregatedCount is
 * refreshed at most once per flushIntervalMs.
 *
 * aggregatedCount never goes backwards: flushes never overlap (the next is
 * scheduled when one has finished writing), and each write carries the
 * resourceVersion of the RR it was decided against, so a write decided on a
 * stale view (another replica wrote a higher count meanwhile) fails instead
 * of lowering it; the RR is then re-read and the write decided again.
 */
export class StormTracker {
  private readonly window: StormWindow;
  /** RRs whose storm status waits to be written, with the newest count seen. */
  private readonly dirty = new Map<string, PendingStorm>();
  private timer: NodeJS.Timeout | undefined;
  /** The flush writing now, if any: at most one at a time. */
  private flushing: Promise<void> | undefined;
  private stopped = false;
  private readonly flushIntervalMs: number;

  constructor(
    settings: StormSettings,
    private readonly rrs: RemediationRequestClient,
    private readonly metrics: GatewayMetrics,
    private readonly logger: Logger,
    private readonly options: StormTrackerOptions = {},
  ) {
    this.window = new StormWindow(settings);
    this.flushIntervalMs = options.flushIntervalMs ?? 1_000;
  }

  /** Called after each successful count write. Never throws, never waits. */
  observe(rr: RemediationRequest, added: number): void {
    if (this.options.enabled?.() === false) return;
    const name = rr.metadata.name!;
    const count = rr.status?.deduplication?.occurrenceCount ?? 0;
    const now = Date.now();
    const inWindow = this.window.observe(name, count, added, now);
    const known = this.dirty.get(name) ?? stormShownBy(rr);
    if (known) {
      if (count > known.count) this.dirty.set(name, { ...known, count });
    } else if (this.window.isStorm(inWindow)) {
      this.metrics.stormsDetected.inc();
      this.logger.info({ rr: name, occurrencesInWindow: inWindow }, "storm detected");
      this.dirty.set(name, { fingerprint: rr.spec.signalFingerprint, count, detectedAt: new Date(now).toISOString() });
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.flushing || this.stopped || this.dirty.size === 0) return;
    const jitter = 1 + STORM_FLUSH_JITTER * (this.options.random ?? Math.random)();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.startFlush();
    }, this.flushIntervalMs * jitter);
    this.timer.unref();
  }

  /** Runs one flush, then schedules the next if more became pending meanwhile. */
  private startFlush(): Promise<void> {
    this.flushing ??= this.flush().finally(() => {
      this.flushing = undefined;
      this.schedule();
    });
    return this.flushing;
  }

  private async flush(): Promise<void> {
    const batch = [...this.dirty];
    this.dirty.clear();
    this.window.prune(Date.now());
    await Promise.all(batch.map(([name, pending]) => this.write(name, pending)));
  }

  private write(name: string, pending: PendingStorm): Promise<void> {
    const write = (): Promise<void> => this.writeNow(name, pending);
    return this.options.betweenCountWrites ? this.options.betweenCountWrites(pending.fingerprint, write) : write();
  }

  /** Writes one RR's storm status unless it already shows as much, conditional on the version that was decided on. */
  private async writeNow(name: string, pending: PendingStorm): Promise<void> {
    try {
      let seen = this.options.current?.(pending.fingerprint, name) ?? (await this.rrs.get(name));
      for (let attempt = 1; ; attempt++) {
        // The RR's own count, if higher than the one this replica saw: replicas of one storm then write the same
        // count, and those whose flush comes later find it written (one storm write per refresh, not one per replica).
        const count = Math.max(pending.count, seen.status?.deduplication?.occurrenceCount ?? 0);
        if (showsAtLeast(seen, count)) return;
        const section: StormAggregationStatus = { aggregatedCount: count, isPartOfStorm: true, stormDetectedAt: pending.detectedAt };
        try {
          this.metrics.apiWrites.inc({ operation: "apply-storm" });
          // Not inside onWritten?.(…): without a listener, its arguments (the write itself) would not be evaluated.
          const written = await this.rrs.applyStatus(name, { stormAggregation: section }, { fieldManager: FIELD_MANAGERS.storm, resourceVersion: seen.metadata.resourceVersion });
          this.options.onWritten?.(written);
          return;
        } catch (err) {
          if (!(err instanceof ConflictError && err.isStale)) throw err;
          this.metrics.applyConflicts.inc({ field_manager: FIELD_MANAGERS.storm });
          if (attempt >= STORM_WRITE_ATTEMPTS) {
            // The RR keeps changing (count writes): leave it to the next flush.
            this.keepPending(name, pending);
            return;
          }
          seen = await this.rrs.get(name);
        }
      }
    } catch (err) {
      // Storm status is advisory: log it; the next occurrence schedules another write. A deleted RR needs none.
      if (!(err instanceof NotFoundError)) this.logger.warn({ rr: name, err: String(err) }, "could not write storm status");
    }
  }

  /** Puts a storm status back for the next flush, unless a newer count is pending already. */
  private keepPending(name: string, pending: PendingStorm): void {
    const newer = this.dirty.get(name);
    if (!newer || newer.count < pending.count) this.dirty.set(name, { ...pending, detectedAt: newer?.detectedAt ?? pending.detectedAt });
  }

  /** Writes what is pending now (at shutdown), after the flush in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    if (this.dirty.size > 0) await this.startFlush();
  }
}
