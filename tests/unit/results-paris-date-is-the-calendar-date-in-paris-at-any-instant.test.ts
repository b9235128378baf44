import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parisDate } from '../../gateway/src/results/paris-date.js';

/** The oracle: Intl asked afresh each time (en-CA writes YYYY-MM-DD). */
const fresh = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);

describe('parisDate', () => {
  it('turns at midnight in Paris, winter and summer time alike', () => {
    expect(parisDate(new Date('2021-12-31T22:59:59.999Z'))).toBe('2021-12-31');
    expect(parisDate(new Date('2021-12-31T23:00:00.000Z'))).toBe('2022-01-01');
    expect(parisDate(new Date('2022-07-14T21:59:59.999Z'))).toBe('2022-07-14');
    expect(parisDate(new Date('2022-07-14T22:00:00.000Z'))).toBe('2022-07-15');
  });

  it('matches a fresh calendar lookup for any instant, in any order of calls', () => {
    const instant = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true });
    // neighbours within a few minutes of each other exercise the per-minute memory
    const near = fc.tuple(instant, fc.integer({ min: -180_000, max: 180_000 })).map(([d, ms]) => [d, new Date(d.getTime() + ms)] as const);
    fc.assert(
      fc.property(fc.array(near, { minLength: 1, maxLength: 20 }), (pairs) => {
        for (const [a, b] of pairs) {
          expect(parisDate(a)).toBe(fresh(a));
          expect(parisDate(b)).toBe(fresh(b));
        }
      }),
      { numRuns: 300 },
    );
  });
});
