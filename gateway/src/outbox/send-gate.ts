import { createRateLimiter } from '../http/rate-limit.js';

/**
 * When the relay may send its next message to SI-DEP. Not before a `Retry-After` SI-DEP gave:
 * a quota is the target's, not one message's, so every send waits instead of each meeting its
 * own 429. And, when `ratePerSecond` is set (SI-DEP's quota), at most that many a second: a
 * relay under the quota meets few 429s, each of which idles it for a whole second (delay-seconds
 * are whole numbers, RFC 9110 §10.2.3).
 *
 * @example
 * const gate = createSendGate({ ratePerSecond: 500 });
 * const waitMs = gate.take(); // 0: send now
 * gate.pauseUntil(Date.now() + retryAfterMs);
 */
export function createSendGate(o: { ratePerSecond?: number | undefined; clock?: () => number }) {
  const now = o.clock ?? Date.now;
  // a tenth of a second deep: a paced relay never sends a whole second's quota in one burst
  const pace = o.ratePerSecond === undefined ? undefined : createRateLimiter({ ratePerSecond: o.ratePerSecond, burst: Math.max(1, o.ratePerSecond / 10), clock: now });
  let pausedUntil = 0;
  return {
    /** Takes the right to send one message: 0 (taken), or the milliseconds to wait before asking again. */
    take(): number {
      const paused = pausedUntil - now();
      if (paused > 0) return paused;
      return Math.ceil((pace?.take('sidep') ?? 0) * 1000);
    },
    /** How long SI-DEP's last `Retry-After` still holds the sends (0: not paused). */
    pausedForMs: (): number => Math.max(0, pausedUntil - now()),
    /** No send before `t` (ms since the epoch); an earlier `t` than a pause already set changes nothing. */
    pauseUntil(t: number): void {
      pausedUntil = Math.max(pausedUntil, t);
    },
  };
}

export type SendGate = ReturnType<typeof createSendGate>;
