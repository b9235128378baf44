import { describe, expect, it } from 'vitest';
import { retryAfterMs } from '../../gateway/src/sidep/retry-after.js';

const NOW = Date.parse('2022-01-10T18:00:00Z');

describe('retryAfterMs', () => {
  it('reads delay-seconds', () => {
    expect(retryAfterMs('120', NOW)).toBe(120_000);
    expect(retryAfterMs(' 0 ', NOW)).toBe(0);
  });

  it('reads an HTTP-date relative to now, a past date as 0', () => {
    expect(retryAfterMs('Mon, 10 Jan 2022 18:00:30 GMT', NOW)).toBe(30_000);
    expect(retryAfterMs('Mon, 10 Jan 2022 17:00:00 GMT', NOW)).toBe(0);
    expect(retryAfterMs('Monday, 10-Jan-22 18:01:00 GMT', NOW)).toBe(60_000);
    expect(retryAfterMs('Mon Jan 10 18:00:05 2022', NOW)).toBe(5_000);
  });

  it.each([undefined, '', 'soon', '-5', '1.5'])('ignores %j', (header) => {
    expect(retryAfterMs(header, NOW)).toBeUndefined();
  });
});
