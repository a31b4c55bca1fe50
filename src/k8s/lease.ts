import { AlreadyExistsError, ConflictError, NotFoundError } from "./errors";
import { KubeClient } from "./kube-client";

/**
 * Leader election on a coordination.k8s.io/v1 Lease, the way client-go's
 * leaderelection does it, small:
 *
 * - A candidate takes the Lease when it has no holder, or when the holder's
 *   renewals stopped: either the Lease record did not change for
 *   leaseDurationSeconds as seen by this process's clock (no trust in other
 *   clocks), or its renewTime is older than that by our clock (a holder that
 *   died long before we started; assumes clocks agree to within the lease
 *   duration, as they do on one host and with NTP).
 * - Every write carries metadata.resourceVersion, so of two candidates only
 *   one wins; the other gets 409 and stays a follower.
 * - The holder renews every renewIntervalMs. It stops counting itself leader
 *   when renewDeadlineMs passes without a successful renewal (before anyone
 *   else may take over), so two leaders never act at the same time.
 * - stop() releases the Lease (no holder), so a follower takes over on its
 *   next try instead of waiting for the expiry.
 */

export const LEASE_API = "/apis/coordination.k8s.io/v1";

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease {
  apiVersion: "coordination.k8s.io/v1";
  kind: "Lease";
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

export interface LeaseElectorOptions {
  name: string;
  namespace: string;
  /** Unique per process: two candidates with one identity would both lead. */
  identity: string;
  /** Whole seconds (a Lease stores leaseDurationSeconds). */
  leaseDurationMs: number;
  /** Default: a third of the lease duration. */
  renewIntervalMs?: number;
  /** How often a follower tries; default: a third of the lease duration. */
  retryIntervalMs?: number;
  /** The leader steps down when it could not renew for this long; default: two thirds of the lease duration. */
  renewDeadlineMs?: number;
  onStartedLeading?: () => void;
  onStoppedLeading?: () => void;
  /** A failed attempt; the elector keeps trying. */
  onError?: (err: unknown) => void;
  now?: () => number;
}

/** MicroTime, as the API server expects it in a Lease: RFC 3339 with exactly 6 fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/**
 * True when the holder of a Lease may be replaced: no holder, or no renewal
 * seen for the lease's duration (locally observed since observedAt), or its
 * renewTime is older than the duration.
 */
export function leaseIsFree(spec: LeaseSpec | undefined, observedAt: number, now: number, defaultDurationMs: number): boolean {
  if (!spec?.holderIdentity) return true;
  const durationMs = spec.leaseDurationSeconds ? spec.leaseDurationSeconds * 1_000 : defaultDurationMs;
  if (now >= observedAt + durationMs) return true;
  const renewed = Date.parse(spec.renewTime ?? "");
  return !Number.isNaN(renewed) && now >= renewed + durationMs;
}

export class LeaseElector {
  private leading = false;
  private stopped = true;
  private lastRenewAt = 0;
  /** The last Lease seen, and when (our clock) it last changed. */
  private observed: Lease | undefined;
  private observedAt = 0;
  private sleepTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;
  private readonly now: () => number;
  private readonly renewIntervalMs: number;
  private readonly retryIntervalMs: number;
  private readonly renewDeadlineMs: number;

  constructor(
    private readonly kube: KubeClient,
    private readonly options: LeaseElectorOptions,
  ) {
    if (options.leaseDurationMs < 1_000 || options.leaseDurationMs % 1_000 !== 0) {
      throw new Error(`lease ${options.namespace}/${options.name}: the duration must be whole seconds, at least 1s (got ${options.leaseDurationMs} ms)`);
    }
    this.now = options.now ?? Date.now;
    this.renewIntervalMs = options.renewIntervalMs ?? Math.round(options.leaseDurationMs / 3);
    this.retryIntervalMs = options.retryIntervalMs ?? Math.round(options.leaseDurationMs / 3);
    this.renewDeadlineMs = options.renewDeadlineMs ?? Math.round((options.leaseDurationMs * 2) / 3);
  }

  /** True while this process holds the Lease and renewed it within the renew deadline. */
  get isLeader(): boolean {
    return this.leading && this.now() - this.lastRenewAt < this.renewDeadlineMs;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loopDone = this.loop();
  }

  /** Stops trying; a leader releases the Lease so a follower can take it at once. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.sleepTimer);
    this.wake?.();
    await this.loopDone;
    if (this.leading) {
      await this.release();
      this.setLeading(false);
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.tryAcquireOrRenew();
      } catch (err) {
        this.options.onError?.(err);
      }
      // The deadline holds even when the API server does not answer at all.
      if (this.leading && !this.isLeader) this.setLeading(false);
      if (this.stopped) break;
      await this.sleep(this.leading ? this.renewIntervalMs : this.retryIntervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise(resolve => {
      this.wake = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
    });
  }

  private path(name?: string): string {
    const base = `${LEASE_API}/namespaces/${encodeURIComponent(this.options.namespace)}/leases`;
    return name ? `${base}/${encodeURIComponent(name)}` : base;
  }

  private get what(): string {
    return `Lease ${this.options.namespace}/${this.options.name}`;
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const now = this.now();
    let lease: Lease;
    try {
      lease = await this.kube.request<Lease>({ method: "GET", path: this.path(this.options.name), what: `get ${this.what}`, timeoutMs: this.renewDeadlineMs });
    } catch (err) {
      if (err instanceof NotFoundError) return this.create(now);
      throw err;
    }
    this.observe(lease, now);
    const spec = lease.spec ?? {};
    const mine = spec.holderIdentity === this.options.identity;
    if (!mine && !leaseIsFree(spec, this.observedAt, now, this.options.leaseDurationMs)) {
      if (this.leading) this.setLeading(false);
      return;
    }
    const next: LeaseSpec = {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: this.options.leaseDurationMs / 1_000,
      acquireTime: mine && spec.acquireTime ? spec.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
    };
    try {
      const updated = await this.put(lease, next);
      this.observe(updated, now);
      this.lastRenewAt = now;
      this.setLeading(true);
    } catch (err) {
      // Someone else wrote the Lease first (another candidate took it): follow.
      if (err instanceof ConflictError) return this.setLeading(false);
      throw err;
    }
  }

  private async create(now: number): Promise<void> {
    const lease: Lease = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: this.options.name, namespace: this.options.namespace },
      spec: {
        holderIdentity: this.options.identity,
        leaseDurationSeconds: this.options.leaseDurationMs / 1_000,
        acquireTime: microTime(now),
        renewTime: microTime(now),
        leaseTransitions: 0,
      },
    };
    try {
      const created = await this.kube.request<Lease>({ method: "POST", path: this.path(), body: lease, what: `create ${this.what}`, timeoutMs: this.renewDeadlineMs });
      this.observe(created, now);
      this.lastRenewAt = now;
      this.setLeading(true);
    } catch (err) {
      if (err instanceof AlreadyExistsError) return; // another candidate created it first
      throw err;
    }
  }

  private put(lease: Lease, spec: LeaseSpec): Promise<Lease> {
    return this.kube.request<Lease>({
      method: "PUT",
      path: this.path(this.options.name),
      // metadata.resourceVersion makes this a compare-and-swap: 409 if the Lease changed since we read it.
      body: { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { ...lease.metadata }, spec },
      what: `update ${this.what}`,
      timeoutMs: this.renewDeadlineMs,
    });
  }

  private async release(): Promise<void> {
    if (!this.observed) return;
    const spec = this.observed.spec ?? {};
    try {
      await this.put(this.observed, {
        leaseDurationSeconds: 1,
        acquireTime: spec.acquireTime,
        renewTime: microTime(this.now()),
        leaseTransitions: spec.leaseTransitions,
      });
    } catch (err) {
      // Lost it already, or the API server is gone: the Lease then expires by itself.
      this.options.onError?.(err);
    }
  }

  private observe(lease: Lease, now: number): void {
    if (lease.metadata.resourceVersion !== this.observed?.metadata.resourceVersion) this.observedAt = now;
    this.observed = lease;
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    if (leading) this.options.onStartedLeading?.();
    else this.options.onStoppedLeading?.();
  }
}
