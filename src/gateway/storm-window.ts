/** When a problem is storming: threshold occurrences within a sliding window. */
export interface StormSettings {
  threshold: number;
  windowMs: number;
}

interface Observation {
  at: number;
  /** The RR's occurrenceCount after the observed write. */
  count: number;
  /** How many occurrences that write added. */
  added: number;
}

/**
 * Sliding-window storm detection per RR. It works from the RR's counts, not
 * from this process's own signals, so occurrences that other replicas
 * recorded are included.
 */
export class StormWindow {
  private readonly observations = new Map<string, Observation[]>();

  constructor(private readonly settings: StormSettings) {}

  /** Records a write that brought the RR to count (adding `added`); returns the occurrences within the window. */
  observe(rrName: string, count: number, added: number, now: number): number {
    const list = this.observations.get(rrName) ?? [];
    list.push({ at: now, count, added });
    const start = now - this.settings.windowMs;
    while (list.length > 0 && list[0].at < start) list.shift();
    this.observations.set(rrName, list);
    const first = list[0];
    const latest = Math.max(...list.map(o => o.count));
    return latest - (first.count - first.added);
  }

  isStorm(occurrencesInWindow: number): boolean {
    return occurrencesInWindow >= this.settings.threshold;
  }

  /** Drops RRs not written within the window (bounded memory). */
  prune(now: number): void {
    for (const [name, list] of this.observations) {
      if (list.length === 0 || list[list.length - 1].at < now - this.settings.windowMs) this.observations.delete(name);
    }
  }

  get size(): number {
    return this.observations.size;
  }
}
