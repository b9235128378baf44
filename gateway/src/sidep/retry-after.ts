/** The three HTTP-date forms of RFC 9110 §5.6.7 all open with a day name and are in GMT. */
const HTTP_DATE = /^[A-Za-z]{3}/;

/**
 * Reads a `Retry-After` header (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) as
 * milliseconds from `now`; `undefined` when absent or unreadable. A date in the past is 0.
 *
 * @example
 * retryAfterMs('120', Date.now()); // 120000
 */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  const value = header?.trim() ?? '';
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // asctime() dates carry no zone: without one, Date.parse would read them as local time.
  const date = HTTP_DATE.test(value) ? Date.parse(value.endsWith('GMT') ? value : `${value} GMT`) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
