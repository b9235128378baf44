/**
 * Gathers items for up to `maxWaitMs` or `maxSize` items and hands them to `flush` together:
 * one database round trip settles a whole batch of deliveries instead of one transaction each.
 * Each `add` resolves (or rejects) with its own batch.
 */
export function createBatcher<T>(flush: (items: T[]) => Promise<void>, o: { maxSize: number; maxWaitMs: number }) {
  let items: T[] = [];
  let waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;

  function run(): void {
    clearTimeout(timer);
    timer = undefined;
    const batch = items;
    const settled = waiters;
    items = [];
    waiters = [];
    flush(batch).then(
      () => settled.forEach((w) => w.resolve()),
      (e: unknown) => settled.forEach((w) => w.reject(e)),
    );
  }

  return {
    add(item: T): Promise<void> {
      return new Promise((resolve, reject) => {
        items.push(item);
        waiters.push({ resolve, reject });
        if (items.length >= o.maxSize) run();
        else timer ??= setTimeout(run, o.maxWaitMs);
      });
    },
  };
}
