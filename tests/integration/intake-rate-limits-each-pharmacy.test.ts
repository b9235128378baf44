import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHARMACY_A, PHARMACY_B, startHarness, type Harness } from '../support/gateway-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ intake: { ratePerSecond: 1, rateBurst: 3 } as never });
});
afterAll(() => h.close());

describe('the per-pharmacy rate limit', () => {
  it('answers 429 with Retry-After once a pharmacy exhausts its burst, without slowing the others', async () => {
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await h.call(PHARMACY_A, 'GET', '/api/v1/test-results'));
    expect(answers.slice(0, 3).map((a) => a.status)).toEqual([200, 200, 200]);
    const limited = answers[4]!;
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 'rate-limited' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await h.call(PHARMACY_B, 'GET', '/api/v1/test-results')).status).toBe(200);
  });
});
