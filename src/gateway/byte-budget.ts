/**
 * Bounds the request bodies a gateway holds at once, in bytes: a large
 * Alertmanager group is read whole and parsed (its parsed form is several
 * times its size), so the memory a gateway needs is bounded by this budget,
 * not by how many large payloads arrive together. A request that would go
 * over it is answered 503 with Retry-After: Alertmanager retries, and the
 * retry succeeds once the payloads in flight are done.
 */
export class ByteBudget {
  private held = 0;

  constructor(readonly limit: number) {}

  /** Takes n bytes if they fit; false (and nothing taken) if they do not. */
  take(n: number): boolean {
    if (this.held + n > this.limit) return false;
    this.held += n;
    return true;
  }

  release(n: number): void {
    this.held = Math.max(0, this.held - n);
  }

  get inUse(): number {
    return this.held;
  }
}

/** One request's share of a ByteBudget: takes as the body arrives, gives all of it back once. */
export class BodyAllowance {
  private taken = 0;

  constructor(private readonly budget: ByteBudget) {}

  take(n: number): boolean {
    if (!this.budget.take(n)) return false;
    this.taken += n;
    return true;
  }

  releaseAll(): void {
    this.budget.release(this.taken);
    this.taken = 0;
  }
}
