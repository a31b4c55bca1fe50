/** Bounded exponential backoff with full jitter: attempt 1 waits up to baseMs, doubling to at most maxMs. */
export function backoffDelay(attempt: number, baseMs = 5, maxMs = 500, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}

export const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms));
