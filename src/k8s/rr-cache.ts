import type { RemediationRequest } from "../model/remediation-request";
import { RemediationRequestClient } from "./rr-client";
import { RemediationRequestWatch } from "./rr-watch";

/**
 * A watch-fed index of RemediationRequests by spec.signalFingerprint. It
 * answers "which RRs does this problem have?" on the hot path; the API server
 * stays the arbiter of every write (resourceVersion preconditions, AlreadyExists).
 */
export class RemediationRequestCache {
  private readonly byFingerprint = new Map<string, Map<string, RemediationRequest>>();
  private readonly watch: RemediationRequestWatch;

  constructor(rrs: RemediationRequestClient, onWatchError?: (err: unknown) => void) {
    this.watch = new RemediationRequestWatch(rrs, {
      onUpsert: rr => this.observe(rr),
      onDelete: rr => this.forget(rr),
      onError: onWatchError,
    });
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
  }

  forget(rr: RemediationRequest): void {
    const rrs = this.byFingerprint.get(rr.spec?.signalFingerprint ?? "");
    const name = rr.metadata.name ?? "";
    if (!rrs || rrs.get(name)?.metadata.uid !== rr.metadata.uid) return;
    rrs.delete(name);
    if (rrs.size === 0) this.byFingerprint.delete(rr.spec.signalFingerprint);
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
