// Bounded parallelism for independent storage calls: enough in flight to hide round trips, few enough
// not to burst one partition into throttling.

/**
 * Maps `items` through `fn` with at most `limit` calls in flight; results in input order. After a call
 * fails no new call starts, and the returned promise rejects (with the first error) only once the calls
 * in flight have settled: when it rejects, nothing is still running in the background.
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}
