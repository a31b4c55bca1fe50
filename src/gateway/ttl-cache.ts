/**
 * A bounded cache of short-lived answers (authentication and authorisation
 * reviews): each entry expires after its own TTL, the oldest inserted is
 * evicted when full, and concurrent lookups of one missing key share one load,
 * so a storm of requests is not a storm of reviews.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  private readonly loading = new Map<string, Promise<V>>();

  /** @param maxEntries 0 (or a TTL of 0) keeps nothing: every lookup loads. */
  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached value, if present and not expired. */
  get(key: string, now = Date.now()): V | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expiresAt > now ? entry.value : undefined;
  }

  set(key: string, value: V, ttlMs: number): void {
    if (ttlMs <= 0 || this.maxEntries <= 0) return;
    this.entries.delete(key);
    // TTLs are short and alike, so the oldest inserted is about the first to expire: evict it.
    while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expiresAt: Date.now() + ttlMs });
  }

  /**
   * The cached value, else the one `load` resolves to; a load already under
   * way for the key is shared. `load` decides what to cache (it calls set).
   */
  async getOrLoad(key: string, load: () => Promise<V>): Promise<V> {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = load().finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }
}
