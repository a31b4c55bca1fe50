/**
 * Group commit: concurrent submissions for one key are folded into one flush
 * of the whole batch, while each submitter still gets its own result. At most
 * one flush per key runs at a time; what arrives during a flush waits for the
 * next one, unless the flush takes it in (`more`, when it must write again
 * anyway). This keeps API writes far below the signal rate under a storm.
 */
export class GroupCommit<Item, Result> {
  private readonly pending = new Map<string, { item: Item; resolve: (r: Result) => void; reject: (e: unknown) => void }[]>();
  private readonly running = new Set<string>();

  /**
   * @param flush records a batch; returns one result per item, in order: the
   * items it was given, then those `more()` handed it (what has arrived for
   * the key since). If it throws, every item of the batch gets the error.
   */
  constructor(private readonly flush: (key: string, items: Item[], more: () => Item[]) => Promise<Result[]>) {}

  submit(key: string, item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      let queue = this.pending.get(key);
      if (!queue) this.pending.set(key, (queue = []));
      queue.push({ item, resolve, reject });
      if (!this.running.has(key)) void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    this.running.add(key);
    try {
      for (let batch = this.take(key); batch.length > 0; batch = this.take(key)) {
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
      }
    } finally {
      this.running.delete(key);
    }
  }

  private take(key: string): { item: Item; resolve: (r: Result) => void; reject: (e: unknown) => void }[] {
    const batch = this.pending.get(key) ?? [];
    this.pending.delete(key);
    return batch;
  }
}
