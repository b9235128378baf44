/** Retry settings of the relay (`relay.*`). */
export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
  maxAgeMs: number;
}

/**
 * Capped exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"): spreads the retries of many messages after an outage instead of a thundering herd.
 * SI-DEP's `Retry-After` is a floor.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, retryAfterMs = 0, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.max(retryAfterMs, Math.floor(random() * ceiling));
}

/** The relay gives up after `maxAttempts` attempts or once the message is older than `maxAgeMs`. */
export function givesUp(policy: RetryPolicy, attempts: number, createdAt: Date, now: number): 'max-attempts' | 'max-age' | undefined {
  if (attempts >= policy.maxAttempts) return 'max-attempts';
  if (now - createdAt.getTime() >= policy.maxAgeMs) return 'max-age';
  return undefined;
}
