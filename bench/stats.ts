/** Latency and throughput of one measured run. */
export interface RunStats {
  /** Operations that completed (successfully or not). */
  count: number;
  /** Operations that failed (an exception, or an unexpected status code). */
  errors: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  /** Completed operations per second of wall time. */
  throughputPerS: number;
  wallMs: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarize(latenciesMs: readonly number[], wallMs: number, errors = 0): RunStats {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    errors,
    p50Ms: round(percentile(sorted, 50), 3),
    p95Ms: round(percentile(sorted, 95), 3),
    p99Ms: round(percentile(sorted, 99), 3),
    maxMs: round(sorted.at(-1) ?? NaN, 3),
    meanMs: round(sorted.length ? sum / sorted.length : NaN, 3),
    throughputPerS: round(wallMs > 0 ? (sorted.length * 1000) / wallMs : NaN, 1),
    wallMs: round(wallMs, 1),
  };
}

/** Several runs of one kind (bursts) as one: latencies pooled, wall times added. */
export function pool(runs: readonly { latenciesMs: readonly number[]; wallMs: number; errors: number }[]): RunStats {
  return summarize(
    runs.flatMap(r => r.latenciesMs),
    runs.reduce((a, r) => a + r.wallMs, 0),
    runs.reduce((a, r) => a + r.errors, 0),
  );
}

export function ratio(a: number, b: number): number {
  return round(b > 0 ? a / b : NaN, 2);
}

export function round(x: number, digits = 2): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
