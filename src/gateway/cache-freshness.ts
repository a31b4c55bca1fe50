/**
 * How current the RR cache is, in time: "it holds every RR change committed
 * before time T". Learnt from this process's own writes: a write sent at T
 * comes back with a resourceVersion r, so every change committed before T
 * has a smaller one; once the watch has delivered r (events come in
 * resourceVersion order), the cache reflects all of them.
 *
 * The recorder creates an RR from the cache alone only while the cache is
 * fresh (T no more than maxAgeMs ago); otherwise it reads the problem's RRs
 * from the API server first (docs/exactly-once.md, "Creating without a
 * read"). A replica whose watch is stuck or far behind never looks fresh.
 */
export class CacheFreshness {
  /** Writes whose resourceVersion the watch has not delivered yet (oldest first, at most MAX_PENDING). */
  private pending: { rv: bigint; sentAt: number }[] = [];
  private delivered = -1n;
  private freshAsOf = -Infinity;

  constructor(
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A write sent at `sentAt` (ms) was answered with this resourceVersion. */
  wrote(resourceVersion: string | undefined, sentAt: number): void {
    const rv = parse(resourceVersion);
    if (rv === undefined) return;
    if (rv <= this.delivered) {
      this.freshAsOf = Math.max(this.freshAsOf, sentAt);
      return;
    }
    // One that can no longer make the cache fresh is of no use.
    const horizon = this.now() - this.maxAgeMs;
    this.pending = this.pending.filter(p => p.sentAt > horizon);
    if (this.pending.length >= MAX_PENDING) this.pending.shift();
    this.pending.push({ rv, sentAt });
  }

  /** The watch handed the cache a change with this resourceVersion. */
  watched(resourceVersion: string | undefined): void {
    const rv = parse(resourceVersion);
    if (rv === undefined || rv <= this.delivered) return;
    this.delivered = rv;
    const still: typeof this.pending = [];
    for (const p of this.pending) {
      if (p.rv <= rv) this.freshAsOf = Math.max(this.freshAsOf, p.sentAt);
      else still.push(p);
    }
    this.pending = still;
  }

  /** True when the cache holds every change committed up to maxAgeMs ago. */
  isFresh(): boolean {
    return this.now() - this.freshAsOf <= this.maxAgeMs;
  }
}

const MAX_PENDING = 1_000;

/** etcd-backed resourceVersions are increasing integers (src/k8s/rr-cache.ts compares them the same way). */
function parse(resourceVersion: string | undefined): bigint | undefined {
  return resourceVersion && /^\d+$/.test(resourceVersion) ? BigInt(resourceVersion) : undefined;
}
