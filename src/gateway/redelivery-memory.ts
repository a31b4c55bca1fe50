/**
 * Remembers the results of signals recorded in a delivery that failed as a
 * whole (answered 5xx, so the sender will send it all again), so that the
 * redelivery gets the same answer instead of counting them twice. Entries are
 * consumed once and expire after ttlMs; the size is bounded.
 */
export class RedeliveryMemory<Result> {
  private readonly entries = new Map<string, { result: Result; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 100_000,
  ) {}

  remember(key: string, result: Result, now: number): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) this.expire(now);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { result, expiresAt: now + this.ttlMs });
  }

  /** The remembered result for this delivery key, removed from memory; undefined if none or expired. */
  take(key: string, now: number): Result | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    return entry.expiresAt > now ? entry.result : undefined;
  }

  private expire(now: number): void {
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
