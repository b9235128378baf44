const PARIS_CALENDAR = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
/** The last minute formatted and its date. */
let last: { minute: number; date: string } | undefined;

/**
 * The calendar date (`YYYY-MM-DD`) of an instant in Europe/Paris, where "today" is decided
 * for birth dates: at 00:30 in Paris it is already tomorrow in UTC terms.
 *
 * @example
 * parisDate(new Date('2021-12-31T23:30:00Z')); // '2022-01-01'
 */
export function parisDate(instant: Date): string {
  // Paris changes date only on a minute boundary: one formatting (≈ 1 % of intake's CPU when
  // done per request) per minute
  const minute = Math.floor(instant.getTime() / 60_000);
  if (last?.minute !== minute) {
    const parts = new Map(PARIS_CALENDAR.formatToParts(instant).map((p) => [p.type, p.value]));
    last = { minute, date: `${parts.get('year')}-${parts.get('month')}-${parts.get('day')}` };
  }
  return last.date;
}
