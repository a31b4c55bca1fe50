/**
 * Maps items with at most `limit` calls in flight, keeping the order of the
 * results. A 5,000-alert payload started all at once would queue thousands of
 * API requests behind the client's connections, and a request that waits in
 * that queue past its timeout fails although the API server is fine.
 */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
