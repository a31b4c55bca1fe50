/** A submitter waiting for its item's result. */
interface Waiter<Item, Result> { item: Item; resolve: (r: Result) => void; reject: (e: unknown) => void }

/** Other work on a key that must not overlap its flushes (see GroupCommit.between). */
type Task = () => Promise<void>;

export interface GroupCommitOptions {
  /**
   * After a flush of a contended key (its batch had several items, or more
   * were waiting when it ended), wait this long before taking the next batch,
   * so the senders just answered can send again into it (0: never wait). A
   * key written one signal at a time never waits, nor a batch that already
   * holds more than the flush just answered (a burst).
   */
  lingerMs?: number;
  /** Waits ms (tests replace it). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Group commit: concurrent submissions for one key are folded into one flush
 * of the whole batch, while each submitter still gets its own result. At most
 * one flush per key runs at a time; what arrives during a flush waits for the
 * next one, unless the flush takes it in (`more`, when it must write again
 * anyway). This keeps API writes far below the signal rate under a storm.
 *
 * Under a sustained storm each sender waits for its answer before it sends
 * again, so without a pause a key's writes would alternate between those who
 * were waiting and those just answered: about one write per signal at two in
 * flight. The linger after a contended flush lets both groups meet in one.
 *
 * Other writes of the same object go `between` flushes: they never overlap
 * one, so neither sends the other's write to a resourceVersion conflict.
 */
export class GroupCommit<Item, Result> {
  private readonly pending = new Map<string, Waiter<Item, Result>[]>();
  private readonly running = new Set<string>();
  private readonly tasks = new Map<string, Task[]>();
  private readonly lingerMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  /**
   * @param flush records a batch; returns one result per item, in order: the
   * items it was given, then those `more()` handed it (what has arrived for
   * the key since). If it throws, every item of the batch gets the error.
   */
  constructor(
    private readonly flush: (key: string, items: Item[], more: () => Item[]) => Promise<Result[]>,
    options: GroupCommitOptions = {},
  ) {
    this.lingerMs = options.lingerMs ?? 0;
    this.sleep = options.sleep ?? (ms => new Promise(resolve => setTimeout(resolve, ms)));
  }

  submit(key: string, item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      let queue = this.pending.get(key);
      if (!queue) this.pending.set(key, (queue = []));
      queue.push({ item, resolve, reject });
      if (!this.running.has(key)) void this.drain(key);
    });
  }

  /**
   * Runs task when no flush of key is running, and holds the key's next
   * flush until it has finished (what arrives meanwhile waits and is folded
   * into that flush). Resolves or rejects as the task does.
   */
  between<T>(key: string, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let queue = this.tasks.get(key);
      if (!queue) this.tasks.set(key, (queue = []));
      queue.push(() => Promise.resolve().then(task).then(resolve, reject));
      if (!this.running.has(key)) void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    this.running.add(key);
    try {
      // Awaited only when there are tasks: a lone signal's flush starts in the same tick as its submit.
      if (this.tasks.has(key)) await this.runTasks(key);
      for (let batch = this.take(key); batch.length > 0; batch = this.contended(key, batch.length) ? await this.lingerThenTake(key) : this.take(key)) {
        const more = (): Item[] => {
          const arrived = this.take(key);
          batch.push(...arrived);
          return arrived.map(w => w.item);
        };
        try {
          const results = await this.flush(key, batch.map(w => w.item), more);
          if (results.length !== batch.length) throw new Error(`flush returned ${results.length} results for ${batch.length} items`);
          batch.forEach((w, i) => w.resolve(results[i]));
        } catch (err) {
          batch.forEach(w => w.reject(err));
        }
        if (this.tasks.has(key)) await this.runTasks(key);
      }
    } finally {
      this.running.delete(key);
      // What arrived between the last take and now (the linger's take resolves a tick later) starts the next drain.
      if (this.pending.has(key) || this.tasks.has(key)) void this.drain(key);
    }
  }

  /** Runs the tasks waiting for key, and those that arrive while they run. */
  private async runTasks(key: string): Promise<void> {
    for (let queue = this.tasks.get(key); queue; queue = this.tasks.get(key)) {
      this.tasks.delete(key);
      for (const task of queue) await task();
    }
  }

  /**
   * The batch just flushed had several items, or more are waiting: a storm,
   * worth the linger, unless more are waiting already than were just answered
   * (a burst: those answered would add little to a batch that size).
   */
  private contended(key: string, flushed: number): boolean {
    const waiting = this.pending.get(key)?.length ?? 0;
    return this.lingerMs > 0 && (flushed > 1 || waiting > 0) && waiting <= flushed;
  }

  private async lingerThenTake(key: string): Promise<Waiter<Item, Result>[]> {
    await this.sleep(this.lingerMs);
    return this.take(key);
  }

  private take(key: string): Waiter<Item, Result>[] {
    const batch = this.pending.get(key) ?? [];
    this.pending.delete(key);
    return batch;
  }
}
