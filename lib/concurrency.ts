// Bounded parallelism: many independent registry operations, at most `limit` in flight, so a
// large job neither runs one request at a time nor opens thousands at once.

/** Runs `fn` over `items` with at most `limit` running; rejects with the first error, after the others settle. */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
    let next = 0;
    let failed = false;
    const worker = async () => {
        while (!failed && next < items.length) {
            const i = next++;
            try {
                await fn(items[i]!, i);
            } catch (error) {
                failed = true;
                throw error;
            }
        }
    };
    const results = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (rejected) throw rejected.reason;
}
