/**
 * A small seeded pseudo-random generator (mulberry32) for randomized tests:
 * the same seed draws the same trials, so a failure prints its seed and can
 * be replayed with RRGW_SEED=<seed>.
 */
export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A whole number from min to max, both included. */
  int(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) throw new Error(`int(${min}, ${max}): not a range of whole numbers`);
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[this.int(0, items.length - 1)];
  }

  /** n distinct items, in random order. */
  sample<T>(items: readonly T[], n: number): T[] {
    if (n > items.length) throw new Error(`sample of ${n} from ${items.length} items`);
    const pool = [...items];
    for (let i = 0; i < n; i++) {
      const j = this.int(i, pool.length - 1);
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    return pool.slice(0, n);
  }
}

/** The seed a randomized test runs with: RRGW_SEED if set, else a fresh one (print it). */
export function seedFromEnv(env: Record<string, string | undefined> = process.env): number {
  const raw = env.RRGW_SEED;
  if (raw !== undefined && raw !== "") {
    if (!/^\d+$/.test(raw)) throw new Error(`RRGW_SEED=${JSON.stringify(raw)}: must be a whole number`);
    return Number(raw) >>> 0;
  }
  return Math.floor(Math.random() * 2 ** 32) >>> 0;
}
