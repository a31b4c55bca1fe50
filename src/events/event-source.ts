import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "pino";
import type { KubeClient } from "../k8s/kube-client";
import { LeaseElector } from "../k8s/lease";
import { parseKubernetesEvent } from "../signal/kubernetes-event";
import { DEFAULT_SIGNAL_LIMITS, type SignalLimits } from "../signal/limits";
import type { Signal } from "../signal/signal";
import type { EventSourceConfig } from "./config";
import { EventWatch, type EventWatchOptions } from "./event-watch";
import { filteredOut } from "./filter";
import type { EventSourceMetrics } from "./metrics";
import { lastOccurredAt, occurrencesOf, type EventObject } from "./occurrences";
import { ProblemPacer, type SendResult } from "./pacer";

/**
 * The gateway's recording path, as the event source uses it: the same one
 * POST /api/v1/signals/kubernetes-event goes through (scope, fingerprint,
 * recorder, metrics, logs). src/gateway's SignalIngest implements it; the
 * event source does not import the gateway.
 */
export interface SignalIntake {
  ingest(signals: readonly Signal[], requestId: string): Promise<IntakeOutcome[]>;
}

/** What became of one signal (src/gateway/signal-result.ts), as far as the event source needs to know. */
export interface IntakeOutcome {
  kind: "recorded" | "rejected" | "unmanaged" | "ignored" | "forbidden" | "failed";
}

export interface EventSourceDeps {
  kube: KubeClient;
  intake: SignalIntake;
  config: EventSourceConfig;
  metrics: EventSourceMetrics;
  logger: Logger;
  /** Where the Lease lives (the gateway's namespace). */
  namespace: string;
  limits?: SignalLimits;
  /** Default 15 s; a replica that dies is replaced within it. */
  leaseDurationMs?: number;
  /** Unique per process (default: host name, pid and a random suffix). */
  identity?: string;
  watch?: EventWatchOptions;
}

/** The Lease that keeps one event source active across the gateway's replicas. */
export const EVENT_SOURCE_LEASE = "rr-gateway-event-source";

/**
 * The built-in Warning-event source (docs/events.md): while this replica
 * holds the Lease, it watches Warning events, filters them by the
 * EVENT_SOURCE_* settings, and hands each problem's new occurrences to the
 * gateway's recording path, at most EVENT_SOURCE_MAX_SIGNALS_PER_SECOND
 * times a second per problem (ProblemPacer folds the rest in).
 *
 * Each signal carries its Events' cumulative counts (uid → count); the
 * recorder adds only what the RR's watermark has not counted, in the same
 * conditional write as the count. A relist, a restart or a new leader sends
 * the same cumulative counts again and adds nothing: nothing is counted
 * twice, and what was not recorded yet is found again in the Events.
 */
export class EventSource {
  private readonly elector: LeaseElector;
  private readonly pacer: ProblemPacer<Signal>;
  private watch: EventWatch | undefined;
  /** Event uid → occurrences this process saw recorded (a filter before the RR's watermark, and `since` under kubernaut's CRD). */
  private recorded = new Map<string, number>();
  private stopped = false;
  /** Watch starts and stops, one after the other. */
  private transition: Promise<void> = Promise.resolve();

  constructor(private readonly deps: EventSourceDeps) {
    const leaseDurationMs = deps.leaseDurationMs ?? 15_000;
    this.pacer = new ProblemPacer<Signal>({
      intervalMs: 1_000 / deps.config.maxSignalsPerSecond,
      send: (key, signal, marks) => this.send(key, signal, marks),
    });
    this.elector = new LeaseElector(deps.kube, {
      name: EVENT_SOURCE_LEASE,
      namespace: deps.namespace,
      identity: deps.identity ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`,
      leaseDurationMs,
      onStartedLeading: () => this.lead(),
      onStoppedLeading: () => this.follow(),
      onError: err => deps.logger.debug({ err: String(err) }, "event source Lease: attempt failed; retrying"),
    });
  }

  get isLeader(): boolean {
    return this.elector.isLeader;
  }

  start(): void {
    this.deps.logger.info({ lease: `${this.deps.namespace}/${EVENT_SOURCE_LEASE}` }, "event source started: it watches Warning events while it holds the Lease");
    this.elector.start();
  }

  /** Stops watching and releases the Lease (another replica takes over at once); signals being recorded finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.elector.stop();
    this.follow();
    await this.transition;
    await this.pacer.settled();
  }

  /** Leads: list and watch Warning events. */
  private lead(): void {
    if (this.stopped) return;
    this.deps.metrics.leader.set(1);
    this.deps.logger.info("event source: this replica holds the Lease; watching Warning events");
    this.transition = this.transition.then(() => {
      if (this.stopped || !this.elector.isLeader) return;
      this.watch = new EventWatch(
        this.deps.kube,
        {
          onEvent: event => this.observe(event),
          onDeleted: event => this.recorded.delete(event.metadata?.uid ?? ""),
          onList: uids => this.listed(uids),
          onError: err => {
            this.deps.metrics.watchRestarts.inc();
            this.deps.logger.warn({ err: String(err) }, "Warning event watch failed; restarting");
          },
        },
        this.deps.watch,
      );
      this.watch.start();
    });
  }

  /** Follows: stop watching and forget what waits; the leader (maybe this replica again later) relists. */
  private follow(): void {
    this.deps.metrics.leader.set(0);
    const watch = this.watch;
    this.watch = undefined;
    this.pacer.clear();
    this.recorded = new Map();
    if (!watch) return;
    this.deps.logger.info("event source: this replica no longer holds the Lease; stopped watching");
    this.transition = this.transition.then(() => watch.stop());
  }

  /** After a full list: forget the Events that no longer exist. */
  private listed(uids: ReadonlySet<string>): void {
    this.deps.metrics.lists.inc();
    for (const uid of this.recorded.keys()) if (!uids.has(uid)) this.recorded.delete(uid);
  }

  /** One Event as listed or watched. */
  private observe(event: EventObject): void {
    const { metrics, config, logger } = this.deps;
    const filtered = filteredOut(event, config);
    if (filtered) {
      metrics.events.inc({ outcome: `filtered_${filtered === "not_warning" ? "reason" : filtered}` });
      return;
    }
    const uid = event.metadata?.uid ?? "";
    const count = occurrencesOf(event);
    if (!uid || count <= (this.recorded.get(uid) ?? 0)) {
      metrics.events.inc({ outcome: uid ? "unchanged" : "invalid" });
      return;
    }
    let signal: Signal;
    try {
      signal = parseKubernetesEvent(event, this.deps.limits ?? DEFAULT_SIGNAL_LIMITS);
    } catch (err) {
      metrics.events.inc({ outcome: "invalid" });
      logger.debug({ event: `${event.metadata?.namespace}/${event.metadata?.name}`, err: String(err) }, "Warning event is not a valid signal: skipped");
      return;
    }
    metrics.events.inc({ outcome: "accepted" });
    if (this.pacer.offer(problemKey(signal), signal, uid, count)) metrics.coalesced.inc();
  }

  /** Hands one problem's folded updates to the gateway; "retry" when they could not be recorded. */
  private async send(key: string, signal: Signal, marks: Map<string, number>): Promise<SendResult> {
    const { intake, metrics, logger } = this.deps;
    const eventSeries = [...marks].map(([uid, count]) => ({ uid, count, since: this.recorded.get(uid) ?? 0 }));
    const event = signal.original as EventObject;
    const requestId = `event/${event.metadata?.namespace ?? ""}/${event.metadata?.name ?? key}`;
    const [outcome] = await intake.ingest([{ ...signal, eventSeries }], requestId);
    metrics.signals.inc({ outcome: outcome.kind });
    if (outcome.kind === "failed") {
      logger.debug({ requestId }, "event source: signal not recorded; it will be sent again");
      return "retry";
    }
    // Recorded, or refused for good (out of scope, invalid): either way these occurrences are done.
    for (const { uid, count } of eventSeries) this.recorded.set(uid, Math.max(count, this.recorded.get(uid) ?? 0));
    if (outcome.kind === "recorded") {
      const occurred = lastOccurredAt(event);
      if (!Number.isNaN(occurred)) metrics.lag.set(Math.max(0, (Date.now() - occurred) / 1_000));
    }
    return "done";
  }
}

/** One problem: the event's reason and the object it is about (the HTTP endpoint's resource fingerprint, before hashing). */
function problemKey(signal: Signal): string {
  const { kind, namespace, name } = signal.target;
  return `${signal.name}\u0000${namespace}\u0000${kind}\u0000${name}`;
}
