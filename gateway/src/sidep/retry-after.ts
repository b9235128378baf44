/**
 * Reads a `Retry-After` header (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) as
 * milliseconds from `now`; `undefined` when absent or unreadable. A date in the past is 0.
 *
 * @example
 * retryAfterMs('120', Date.now()); // 120000
 */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
