/** An in-memory cache whose entries expire, loading each missing entry once for all callers. */
export interface ExpiringCache<T> {
  /** The entry if it is younger than the TTL. */
  get(name: string): T | undefined;
  put(name: string, value: T): void;
  /** Runs `loader` once for concurrent callers of the same name and caches its result. */
  load(name: string, loader: () => Promise<T>): Promise<T>;
}

/**
 * Entries live `ttlMs` from when they were stored; a failed load is shared by its concurrent
 * callers but not cached, so the next caller tries again.
 *
 * @example
 * const cache = createExpiringCache<Buffer>({ ttlMs: 300_000, clock: Date.now });
 * const key = cache.get(id) ?? (await cache.load(id, () => unwrap(id)));
 */
export function createExpiringCache<T>({ ttlMs, clock }: { ttlMs: number; clock: () => number }): ExpiringCache<T> {
  const entries = new Map<string, { value: T; expiresAt: number }>();
  const loading = new Map<string, Promise<T>>();

  function put(name: string, value: T): void {
    const now = clock();
    // Sweep on write: writes are rare (one per key per TTL), and past windows are never read again.
    for (const [other, entry] of entries) if (entry.expiresAt <= now) entries.delete(other);
    entries.set(name, { value, expiresAt: now + ttlMs });
  }

  return {
    get(name) {
      const entry = entries.get(name);
      return entry && entry.expiresAt > clock() ? entry.value : undefined;
    },
    put,
    load(name, loader) {
      let pending = loading.get(name);
      if (!pending) {
        pending = loader()
          .then((value) => {
            put(name, value);
            return value;
          })
          .finally(() => loading.delete(name));
        loading.set(name, pending);
      }
      return pending;
    },
  };
}
