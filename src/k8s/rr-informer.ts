import type { RemediationRequest } from "../model/remediation-request";
import { RemediationRequestClient } from "./rr-client";
import { RemediationRequestWatch } from "./rr-watch";

export interface RemediationRequestChange {
  type: "upsert" | "delete";
  /** "watch": the API server's watch said so; "local": a writer of this process put back what its write returned. */
  origin: "watch" | "local";
}

/** What a component of the process wants to hear from the shared informer. */
export interface RemediationRequestSubscriber {
  /**
   * Every RR the store adds, updates or forgets, after the store has changed:
   * from the watch (replays after a relist included: be idempotent) or put
   * back by a writer of this process (observe/forget). Synchronous: keep it cheap.
   */
  onChange?: (rr: RemediationRequest, change: RemediationRequestChange) => void;
  /**
   * The resourceVersion of every change the watch delivers, once the store has
   * taken it, whether or not it changed the store (a writer may have put back
   * the same version first): how far the watch has come. Not called for what
   * writers put back.
   */
  onWatched?: (resourceVersion: string | undefined) => void;
  /** Every full list: the first one, and each relist after 410 Gone. */
  onList?: (items: number) => void;
  /** A watch failure (the watch restarts by itself). */
  onWatchError?: (err: unknown) => void;
}

export interface RemediationRequestInformerOptions {
  /**
   * TEST ONLY: apply every watch event to the store this many ms late, to
   * simulate a lagging watch (writes this process puts back are still seen
   * at once). 0, the default, in production.
   */
  watchEventDelayMs?: number;
}

/**
 * The process's one view of the RemediationRequests of a namespace, in the
 * manner of client-go's shared informer: ONE list-then-watch, ONE store of
 * every RR, indexed by spec.signalFingerprint and by name, and any number of
 * subscribers told of each change. Every component of a process (the
 * gateway's recorder, storm tracker and duplicate detector; the mock
 * orchestrator) is handed the same instance, so the API server serves one
 * watch per process and the process holds one copy of each RR.
 *
 * Stored RRs carry no metadata.managedFields (see stripManagedFields).
 * It answers reads on the hot path; the API server stays the arbiter of every
 * write (resourceVersion preconditions, AlreadyExists). Writers put what their
 * writes return back with observe(), so the store is never behind its own process.
 */
export class RemediationRequestInformer {
  private readonly byName = new Map<string, RemediationRequest>();
  private readonly byFingerprint = new Map<string, Map<string, RemediationRequest>>();
  private readonly subscribers = new Set<RemediationRequestSubscriber>();
  private readonly watch: RemediationRequestWatch;
  private started: Promise<void> | undefined;

  constructor(
    readonly rrs: RemediationRequestClient,
    options: RemediationRequestInformerOptions = {},
  ) {
    const delay = options.watchEventDelayMs ?? 0;
    const later = (apply: () => void): void => {
      if (delay > 0) setTimeout(apply, delay).unref();
      else apply();
    };
    this.watch = new RemediationRequestWatch(rrs, {
      onUpsert: rr =>
        later(() => {
          this.store(rr, "watch");
          this.watched(rr);
        }),
      onDelete: rr =>
        later(() => {
          this.remove(rr, "watch");
          this.watched(rr);
        }),
      onError: err => {
        for (const s of this.subscribers) s.onWatchError?.(err);
      },
      onList: items => {
        for (const s of this.subscribers) s.onList?.(items);
      },
    });
  }

  get namespace(): string {
    return this.rrs.namespace;
  }

  /** Registers a subscriber; the returned function removes it. Subscribe before start() to hear the first list. */
  subscribe(subscriber: RemediationRequestSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /**
   * Starts the list-then-watch once, however many components call it; each
   * call resolves when the first list is in the store (or stop() is called).
   */
  start(): Promise<void> {
    this.started ??= this.watch.start();
    return this.started;
  }

  /** Stops the watch: only the owner of the informer (whoever created it) calls this. */
  async stop(): Promise<void> {
    await this.watch.stop();
  }

  /** True once the first list is in the store. */
  get hasSynced(): boolean {
    return this.watch.hasSynced;
  }

  get size(): number {
    return this.byName.size;
  }

  get(name: string): RemediationRequest | undefined {
    return this.byName.get(name);
  }

  names(): IterableIterator<string> {
    return this.byName.keys();
  }

  /** The stored RRs counted by a key (for metrics: one pass over the store, at scrape time). */
  countBy<K>(key: (rr: RemediationRequest) => K): Map<K, number> {
    const counts = new Map<K, number>();
    for (const rr of this.byName.values()) {
      const k = key(rr);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return counts;
  }

  /** The RRs of one problem, as far as this process knows. */
  rrsOf(fingerprint: string): RemediationRequest[] {
    return [...(this.byFingerprint.get(fingerprint)?.values() ?? [])];
  }

  /** Puts back what a write of this process returned, unless the store already holds a newer version; subscribers hear of it. */
  observe(rr: RemediationRequest): void {
    this.store(rr, "local");
  }

  /** Forgets an RR this process deleted (the same object: same uid); subscribers hear of it. */
  forget(rr: RemediationRequest): void {
    this.remove(rr, "local");
  }

  private store(rr: RemediationRequest, origin: RemediationRequestChange["origin"]): void {
    stripManagedFields(rr);
    const fingerprint = rr.spec?.signalFingerprint;
    const name = rr.metadata.name;
    if (!fingerprint || !name) return;
    const known = this.byName.get(name);
    if (known && known.metadata.uid === rr.metadata.uid && isNewer(known.metadata.resourceVersion, rr.metadata.resourceVersion)) return;
    // A name reused by an RR of another problem (deleted and recreated) leaves its old index entry.
    if (known && known.spec.signalFingerprint !== fingerprint) this.unindex(known);
    this.byName.set(name, rr);
    let rrs = this.byFingerprint.get(fingerprint);
    if (!rrs) this.byFingerprint.set(fingerprint, (rrs = new Map()));
    rrs.set(name, rr);
    this.changed(rr, { type: "upsert", origin });
  }

  private remove(rr: RemediationRequest, origin: RemediationRequestChange["origin"]): void {
    const name = rr.metadata.name ?? "";
    const known = this.byName.get(name);
    if (!known || known.metadata.uid !== rr.metadata.uid) return;
    this.byName.delete(name);
    this.unindex(known);
    this.changed(known, { type: "delete", origin });
  }

  private unindex(rr: RemediationRequest): void {
    const fingerprint = rr.spec.signalFingerprint;
    const rrs = this.byFingerprint.get(fingerprint);
    if (!rrs) return;
    rrs.delete(rr.metadata.name ?? "");
    if (rrs.size === 0) this.byFingerprint.delete(fingerprint);
  }

  private changed(rr: RemediationRequest, change: RemediationRequestChange): void {
    for (const s of this.subscribers) s.onChange?.(rr, change);
  }

  private watched(rr: RemediationRequest): void {
    for (const s of this.subscribers) s.onWatched?.(rr.metadata.resourceVersion);
  }
}

/**
 * Drops metadata.managedFields, in place, before an RR is stored (as
 * controller-runtime's cache.TransformStripManagedFields does): nothing in the
 * process reads them from the store (ownership is the API server's to
 * enforce), and they are about a third of a stored RR. In place, because the
 * watch's own object cache holds the same object: a copy would keep both.
 */
function stripManagedFields(rr: RemediationRequest): void {
  if (rr.metadata?.managedFields) delete rr.metadata.managedFields;
}

/**
 * resourceVersions are opaque, but etcd-backed ones are increasing integers;
 * compare them as such when they are, and otherwise let the newest arrival win.
 */
function isNewer(known: string | undefined, incoming: string | undefined): boolean {
  if (!known || !incoming || !/^\d+$/.test(known) || !/^\d+$/.test(incoming)) return false;
  return BigInt(known) > BigInt(incoming);
}
