import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "pino";
import { unrecordedDuplicates, type Duplicate } from "../dedup/duplicates";
import { ConflictError, NotFoundError } from "../k8s/errors";
import { FIELD_MANAGERS } from "../k8s/field-managers";
import type { RemediationRequestInformer } from "../k8s/rr-informer";
import type { RemediationRequestClient } from "../k8s/rr-client";
import type { RemediationRequest } from "../model/remediation-request";
import { backoffDelay, sleep } from "./backoff";
import type { GatewayMetrics } from "./metrics";

export interface DuplicateDetectorDeps {
  rrs: RemediationRequestClient;
  /** The process's shared RR informer. */
  cache: RemediationRequestInformer;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Attempts of a conflicting write before giving up until the next change. */
  maxAttempts?: number;
  /** Least time between two checks of one problem (default 1 s): bounds the reads a lagging cache can cause. */
  cooldownMs?: number;
  /**
   * False while the installed CRD has no status.deduplication.duplicateOf
   * (kubernaut's own): a duplicate is logged and counted once, never written,
   * and not suspected again.
   */
  marking?: () => boolean;
}

/**
 * Notices two active RRs of one problem, which the lockless create cannot rule
 * out when terminal RRs are deleted while signals arrive (docs/exactly-once.md),
 * and records it on the newer one: status.deduplication.duplicateOf names the
 * RR every replica keeps counting on. Fed by the RR cache, so it costs nothing
 * while each problem has at most one active RR; a suspicion is confirmed on
 * the API server (a list) before anything is written, at most once per
 * problem per cooldown. Every replica runs one: writes are idempotent and
 * carry a resourceVersion precondition.
 */
export class DuplicateDetector {
  private readonly checking = new Map<string, Promise<void>>();
  private readonly recheck = new Set<string>();
  /** RRs already counted in the metric by this process (by uid). */
  private readonly reported = new Set<string>();
  private readonly stopping = new AbortController();
  /** Set while this detector feeds the cache itself, so its own updates do not make it suspect again. */
  private feeding = false;

  private readonly unsubscribe: () => void;

  constructor(private readonly deps: DuplicateDetectorDeps) {
    this.unsubscribe = deps.cache.subscribe({ onChange: rr => this.suspect(rr.spec.signalFingerprint) });
  }

  /** On every cache change of a problem: cheap unless the cache shows two of its RRs active. */
  private suspect(fingerprint: string): void {
    if (this.feeding || this.stopping.signal.aborted || this.pending(this.deps.cache.rrsOf(fingerprint)).length === 0) return;
    if (this.checking.has(fingerprint)) {
      this.recheck.add(fingerprint);
      return;
    }
    const run = this.run(fingerprint).finally(() => {
      this.checking.delete(fingerprint);
      if (this.recheck.delete(fingerprint)) this.suspect(fingerprint);
    });
    this.checking.set(fingerprint, run);
  }

  /** One check, then a pause: at most one check per problem per cooldown, whatever the rate of changes. */
  private async run(fingerprint: string): Promise<void> {
    try {
      await this.check(fingerprint);
    } catch (err) {
      this.deps.logger.warn({ fingerprint, err: String(err) }, "could not check for duplicate RemediationRequests; will check again on the next change");
    }
    await delay(this.deps.cooldownMs ?? 1_000, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }

  /** Confirms on the API server and records each unrecorded duplicate, retrying on stale writes. */
  private async check(fingerprint: string): Promise<void> {
    const { rrs } = this.deps;
    const maxAttempts = this.deps.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      const current = await rrs.listByFingerprint(fingerprint);
      // A lagging cache can show an RR active that has ended: refresh it, so it stops suspecting.
      this.feed(...current);
      const pending = this.pending(current);
      if (pending.length === 0) return;
      try {
        for (const duplicate of pending) await this.record(fingerprint, duplicate);
        return;
      } catch (err) {
        const retryable = (err instanceof ConflictError && err.isStale) || err instanceof NotFoundError;
        if (!retryable || attempt >= maxAttempts) throw err;
        await sleep(backoffDelay(attempt));
      }
    }
  }

  /** The duplicates still to record: not yet on their RR, or (marking off) not yet reported by this process. */
  private pending(rrs: readonly RemediationRequest[]): Duplicate[] {
    const unrecorded = unrecordedDuplicates(rrs);
    return this.marking() ? unrecorded : unrecorded.filter(d => !this.reported.has(d.rr.metadata.uid!));
  }

  private marking(): boolean {
    return this.deps.marking?.() ?? true;
  }

  private async record(fingerprint: string, { rr, duplicateOf }: Duplicate): Promise<void> {
    const { rrs, metrics, logger } = this.deps;
    const name = rr.metadata.name!;
    if (!this.reported.has(rr.metadata.uid!)) {
      if (this.reported.size >= 10_000) this.reported.clear();
      this.reported.add(rr.metadata.uid!);
      metrics.duplicatesDetected.inc();
      const marking = this.marking();
      logger.error(
        { rr: name, duplicateOf, fingerprint },
        marking ? "two active RemediationRequests for one problem: recording it on the newer one" : "two active RemediationRequests for one problem (duplicate marking is off: the installed CRD has no status.deduplication.duplicateOf)",
      );
    }
    if (!this.marking()) return;
    metrics.apiWrites.inc({ operation: "apply-duplicate-of" });
    // The whole section, as the recorder writes it (same field manager): a field left out would be given up.
    const updated = await rrs.applyStatus(
      name,
      { deduplication: { ...rr.status?.deduplication, duplicateOf } },
      { fieldManager: FIELD_MANAGERS.deduplication, resourceVersion: rr.metadata.resourceVersion },
    );
    this.feed(updated);
  }

  private feed(...rrs: RemediationRequest[]): void {
    this.feeding = true;
    try {
      for (const rr of rrs) this.deps.cache.observe(rr);
    } finally {
      this.feeding = false;
    }
  }

  /** Stops reacting to changes and waits for the checks in progress. */
  async stop(): Promise<void> {
    this.unsubscribe();
    this.stopping.abort();
    await Promise.all(this.checking.values());
  }
}
