/** Beyond this many keys held at once, the least recently used go first (10 MB at ~100 B each). */
const MAX_KEYS = 100_000;

/**
 * Token buckets per key, in memory: each replica limits on its own, which bounds a runaway
 * client without a shared counter on the hot path. A bucket left alone until it is full again
 * says nothing a new one would not, so it is dropped: swept once per refill time
 * (`burst / ratePerSecond`), the map holds the keys of the last two refill times at most, and
 * never more than `maxKeys`, however many client addresses the sign-in limiter meets.
 * @example const limiter = createRateLimiter({ ratePerSecond: 50, burst: 100 }); if (limiter.take(pharmacyId) > 0) …
 */
export function createRateLimiter(o: { ratePerSecond: number; burst: number; maxKeys?: number; clock?: () => number }) {
  const now = o.clock ?? Date.now;
  const maxKeys = o.maxKeys ?? MAX_KEYS;
  const refillMs = (o.burst / o.ratePerSecond) * 1000;
  // In order of last use (each take re-inserts its key): the idle ones are always at the front.
  const buckets = new Map<string, { tokens: number; at: number }>();
  let sweptAt = now();

  /**
   * Drops the buckets full again by now and, past `maxKeys`, the least recently used down to
   * 90 % of it. Runs once per refill time, or when crowded: a pass over the front of the map
   * costs as much as the entries deleted since the last one, so it is not made on every take.
   */
  function sweep(t: number): void {
    const crowded = buckets.size > maxKeys;
    if (!crowded && t - sweptAt < refillMs) return;
    sweptAt = t;
    const target = crowded ? Math.floor(maxKeys * 0.9) : maxKeys;
    for (const [key, b] of buckets) {
      if (t - b.at < refillMs && buckets.size <= target) return;
      buckets.delete(key);
    }
  }

  return {
    /** Takes one token; returns 0, or the seconds to wait when the bucket is empty. */
    take(key: string): number {
      const t = now();
      const b = buckets.get(key) ?? { tokens: o.burst, at: t };
      buckets.delete(key);
      b.tokens = Math.min(o.burst, b.tokens + ((t - b.at) / 1000) * o.ratePerSecond);
      b.at = t;
      buckets.set(key, b);
      sweep(t);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return (1 - b.tokens) / o.ratePerSecond;
    },
    /** How many keys the limiter holds now. */
    size: (): number => buckets.size,
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
