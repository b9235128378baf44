/**
 * Token buckets per key, in memory: each replica limits on its own, which bounds a runaway
 * client without a shared counter on the hot path.
 */
export function createRateLimiter(o: { ratePerSecond: number; burst: number; clock?: () => number }) {
  const now = o.clock ?? Date.now;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    /** Takes one token; returns 0, or the seconds to wait when the bucket is empty. */
    take(key: string): number {
      const t = now();
      const b = buckets.get(key) ?? { tokens: o.burst, at: t };
      b.tokens = Math.min(o.burst, b.tokens + ((t - b.at) / 1000) * o.ratePerSecond);
      b.at = t;
      buckets.set(key, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return (1 - b.tokens) / o.ratePerSecond;
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
