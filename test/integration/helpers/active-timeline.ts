import { isActive } from "../../../src/dedup/decision";
import type { RemediationRequestClient } from "../../../src/k8s/rr-client";
import { RemediationRequestWatch } from "../../../src/k8s/rr-watch";
import type { RemediationRequest } from "../../../src/model/remediation-request";

/** A moment at which one problem had more than one active RR. */
export interface Overlap {
  fingerprint: string;
  active: string[];
  resourceVersion?: string;
}

/**
 * Watches a namespace's RRs from the API server (as the admin) and replays
 * every change in resourceVersion order, remembering each moment a problem
 * had two active RRs at once: "at most one active RR at any time" is checked
 * on the API server's own history, not on final states or the gateway's word.
 */
export class ActiveTimeline {
  private readonly active = new Map<string, Set<string>>();
  private readonly overlaps: Overlap[] = [];
  private readonly watch: RemediationRequestWatch;
  /** The newest resourceVersion seen of each RR, by uid. */
  private readonly versions = new Map<string, string>();

  constructor(admin: RemediationRequestClient) {
    this.watch = new RemediationRequestWatch(admin, { onUpsert: rr => this.upsert(rr), onDelete: rr => this.remove(rr) });
  }

  start(): Promise<void> {
    return this.watch.start();
  }

  stop(): Promise<void> {
    return this.watch.stop();
  }

  /** True once the watch has delivered every one of these RRs at (at least) the given version. */
  hasCaughtUp(rrs: readonly RemediationRequest[]): boolean {
    return rrs.every(rr => BigInt(this.versions.get(rr.metadata.uid!) ?? "0") >= BigInt(rr.metadata.resourceVersion ?? "0"));
  }

  /** The overlaps seen for one problem (or for all). */
  overlapsOf(fingerprint?: string): Overlap[] {
    return this.overlaps.filter(o => fingerprint === undefined || o.fingerprint === fingerprint);
  }

  private upsert(rr: RemediationRequest): void {
    const fingerprint = rr.spec.signalFingerprint;
    const name = rr.metadata.name!;
    this.versions.set(rr.metadata.uid!, rr.metadata.resourceVersion ?? "0");
    let names = this.active.get(fingerprint);
    if (!names) this.active.set(fingerprint, (names = new Set()));
    if (isActive(rr)) names.add(name);
    else names.delete(name);
    if (names.size > 1) this.overlaps.push({ fingerprint, active: [...names], resourceVersion: rr.metadata.resourceVersion });
  }

  private remove(rr: RemediationRequest): void {
    this.active.get(rr.spec.signalFingerprint)?.delete(rr.metadata.name!);
  }
}
