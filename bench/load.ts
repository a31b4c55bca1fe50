import { performance } from "node:perf_hooks";

/** One operation of a run: resolves true on success, false on an unexpected answer; a throw counts as an error too. */
export type Operation = (i: number) => Promise<boolean>;

export interface LoadOptions {
  /** Operations to run at most (bounded in count). */
  count: number;
  /** Operations in flight at once (closed loop: each worker starts its next one when the last finished). */
  concurrency: number;
  /** No operation starts after this much time (bounded in time); those in flight finish. */
  timeLimitMs: number;
}

export interface LoadResult {
  latenciesMs: number[];
  wallMs: number;
  errors: number;
  /** Set when the time limit stopped the run before count operations. */
  truncated: boolean;
  firstError?: string;
}

/**
 * A closed-loop load generator: `concurrency` workers take operation numbers
 * 0..count-1 in order until they run out or the time is up.
 */
export async function runLoad(op: Operation, { count, concurrency, timeLimitMs }: LoadOptions): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let errors = 0;
  let next = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + timeLimitMs;
  const worker = async (): Promise<void> => {
    while (next < count && performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      let ok = false;
      try {
        ok = await op(i);
      } catch (err) {
        firstError ??= err instanceof Error ? err.message : String(err);
      }
      latenciesMs.push(performance.now() - t0);
      if (!ok) errors++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  return { latenciesMs, wallMs: performance.now() - started, errors, truncated: latenciesMs.length < count, firstError };
}

/** Fires all operations at once (a burst) and measures each from the common start. */
export async function burst(op: Operation, size: number): Promise<LoadResult> {
  const latenciesMs: number[] = new Array(size);
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: size }, async (_, i) => {
      let ok = false;
      try {
        ok = await op(i);
      } catch (err) {
        firstError ??= err instanceof Error ? err.message : String(err);
      }
      latenciesMs[i] = performance.now() - started;
      if (!ok) errors++;
    }),
  );
  return { latenciesMs, wallMs: performance.now() - started, errors, truncated: false, firstError };
}
