/**
 * A small work queue in the style of client-go's: keys (RR names), not
 * events, are queued, so a burst of events for one RR is one reconcile.
 *
 * - Per-key serialization: a key is never handled twice at once; a key added
 *   while it is being handled runs once more right after.
 * - Delayed adds keep only the earliest pending time per key (timers that
 *   advance phases).
 * - A handler that throws is retried with exponential backoff and jitter
 *   (Pepr's Reconcile drops failed callbacks; this queue never does).
 */

export interface WorkResult {
  /** Handle the key again after this many ms (a phase timer). */
  requeueAfterMs?: number;
}

export interface WorkQueueOptions {
  /** Keys handled at the same time (each key still one at a time). */
  concurrency?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * Longest delay scheduled at once: later times are reached in steps (the
   * handler recomputes what is left). Keeps setTimeout under its 24.8-day
   * limit and makes a clock jump cost at most one step.
   */
  maxDelayMs?: number;
  /** Told about every failed attempt and when it is retried. */
  onError?: (key: string, err: unknown, retryInMs: number) => void;
}

export type WorkHandler = (key: string) => Promise<WorkResult | void>;

export class WorkQueue {
  private readonly ready: string[] = [];
  private readonly queued = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private readonly idleWaiters: (() => void)[] = [];
  private stopped = false;
  private readonly concurrency: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly handler: WorkHandler,
    private readonly options: WorkQueueOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 8;
    this.baseBackoffMs = options.baseBackoffMs ?? 200;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.maxDelayMs = options.maxDelayMs ?? 3_600_000;
  }

  /** Handle the key as soon as possible (replaces any pending timer of the key). */
  add(key: string): void {
    if (this.stopped) return;
    this.cancelTimer(key);
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.ready.push(key);
    this.pump();
  }

  /** Handle the key after delayMs, unless it is already due earlier. */
  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    if (delayMs <= 0) return this.add(key);
    const at = Date.now() + Math.min(delayMs, this.maxDelayMs);
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, at - Date.now());
    this.timers.set(key, { at, timer });
  }

  /** Forgets all pending work and timers (e.g. the lease was lost); handlers already running finish. */
  clear(): void {
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.ready.length = 0;
    this.queued.clear();
    this.dirty.clear();
    this.failures.clear();
  }

  /** Number of keys waiting, running or scheduled (for tests and logs). */
  get size(): number {
    return new Set([...this.queued, ...this.active, ...this.timers.keys()]).size;
  }

  /** Stops taking work, drops what is pending and waits for running handlers to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clear();
    if (this.active.size === 0) return;
    await new Promise<void>(resolve => this.idleWaiters.push(resolve));
  }

  private cancelTimer(key: string): void {
    const pending = this.timers.get(key);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.timers.delete(key);
  }

  private pump(): void {
    while (!this.stopped && this.active.size < this.concurrency && this.ready.length > 0) {
      const key = this.ready.shift() as string;
      this.queued.delete(key);
      this.active.add(key);
      void this.run(key);
    }
  }

  private async run(key: string): Promise<void> {
    let result: WorkResult | void = undefined;
    let failed = false;
    try {
      result = await this.handler(key);
      this.failures.delete(key);
    } catch (err) {
      failed = true;
      const attempt = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, attempt);
      const delay = this.backoff(attempt);
      this.options.onError?.(key, err, delay);
      result = { requeueAfterMs: delay };
    } finally {
      this.active.delete(key);
    }
    // An add that arrived while the handler ran means the RR changed: look again now, unless
    // the handler failed (then the backoff stands, so a failing key cannot spin).
    if (this.dirty.delete(key) && !failed) this.add(key);
    else if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
    if (this.active.size === 0 && this.idleWaiters.length > 0) this.idleWaiters.splice(0).forEach(resolve => resolve());
    this.pump();
  }

  private backoff(attempt: number): number {
    const exp = Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** Math.min(attempt - 1, 30));
    // Full jitter over the upper half, so many failing keys do not retry in lockstep.
    return Math.round(exp / 2 + (Math.random() * exp) / 2);
  }
}
