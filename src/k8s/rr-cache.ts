import type { RemediationRequest } from "../model/remediation-request";
import { RemediationRequestClient } from "./rr-client";
import { RemediationRequestWatch } from "./rr-watch";

export interface RemediationRequestCacheOptions {
  /** Called when the watch fails (it restarts by itself). */
  onWatchError?: (err: unknown) => void;
  /** Called for every full list: the first one, and each relist after 410 Gone. */
  onList?: (items: number) => void;
  /**
   * TEST ONLY: hand every watch event to the cache this many ms late, to
   * simulate a lagging watch (writes this process makes itself are still seen
   * at once). 0, the default, in production.
   */
  watchEventDelayMs?: number;
  /** Told the resourceVersion of every change the watch hands the cache (not of observe()d writes): how far the watch has come. */
  onWatched?: (resourceVersion: string | undefined) => void;
}

/**
 * A watch-fed index of RemediationRequests by spec.signalFingerprint. It
 * answers "which RRs does this problem have?" on the hot path; the API server
 * stays the arbiter of every write (resourceVersion preconditions, AlreadyExists).
 */
export class RemediationRequestCache {
  private readonly byFingerprint = new Map<string, Map<string, RemediationRequest>>();
  private readonly watch: RemediationRequestWatch;
  private readonly listeners: ((fingerprint: string) => void)[] = [];

  constructor(rrs: RemediationRequestClient, options: RemediationRequestCacheOptions = {}) {
    const delay = options.watchEventDelayMs ?? 0;
    const later = (apply: () => void): void => {
      if (delay > 0) setTimeout(apply, delay).unref();
      else apply();
    };
    this.watch = new RemediationRequestWatch(rrs, {
      onUpsert: rr =>
        later(() => {
          this.observe(rr);
          options.onWatched?.(rr.metadata.resourceVersion);
        }),
      onDelete: rr =>
        later(() => {
          this.forget(rr);
          options.onWatched?.(rr.metadata.resourceVersion);
        }),
      onError: options.onWatchError,
      onList: options.onList,
    });
  }

  /** Calls listener with the fingerprint of every RR the cache adds, updates or forgets (synchronously: keep it cheap). */
  onChange(listener: (fingerprint: string) => void): void {
    this.listeners.push(listener);
  }

  start(): Promise<void> {
    return this.watch.start();
  }

  stop(): Promise<void> {
    return this.watch.stop();
  }

  get hasSynced(): boolean {
    return this.watch.hasSynced;
  }

  /** The RRs of one problem, as far as this cache knows. */
  rrsOf(fingerprint: string): RemediationRequest[] {
    return [...(this.byFingerprint.get(fingerprint)?.values() ?? [])];
  }

  get size(): number {
    let n = 0;
    for (const m of this.byFingerprint.values()) n += m.size;
    return n;
  }

  /** Adds or updates an RR, unless the cache already holds a newer version of it. */
  observe(rr: RemediationRequest): void {
    const fingerprint = rr.spec?.signalFingerprint;
    const name = rr.metadata.name;
    if (!fingerprint || !name) return;
    let rrs = this.byFingerprint.get(fingerprint);
    if (!rrs) this.byFingerprint.set(fingerprint, (rrs = new Map()));
    const known = rrs.get(name);
    if (known && known.metadata.uid === rr.metadata.uid && isNewer(known.metadata.resourceVersion, rr.metadata.resourceVersion)) return;
    rrs.set(name, rr);
    this.changed(fingerprint);
  }

  forget(rr: RemediationRequest): void {
    const rrs = this.byFingerprint.get(rr.spec?.signalFingerprint ?? "");
    const name = rr.metadata.name ?? "";
    if (!rrs || rrs.get(name)?.metadata.uid !== rr.metadata.uid) return;
    rrs.delete(name);
    if (rrs.size === 0) this.byFingerprint.delete(rr.spec.signalFingerprint);
    this.changed(rr.spec.signalFingerprint);
  }

  private changed(fingerprint: string): void {
    for (const listener of this.listeners) listener(fingerprint);
  }
}

/**
 * resourceVersions are opaque, but etcd-backed ones are increasing integers;
 * compare them as such when they are, and otherwise let the newest arrival win.
 */
function isNewer(known: string | undefined, incoming: string | undefined): boolean {
  if (!known || !incoming || !/^\d+$/.test(known) || !/^\d+$/.test(incoming)) return false;
  return BigInt(known) > BigInt(incoming);
}
