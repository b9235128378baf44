import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHARMACY_A, PHARMACY_B, startHarness, type Harness } from '../support/gateway-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';

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

  it('limits submissions too, storing nothing for a refused one', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await h.call(PHARMACY_B, 'POST', '/api/v1/test-results', { body: syntheticResult({ pharmacyFiness: PHARMACY_B }), headers: { 'idempotency-key': randomUUID() } });
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect(statuses).toContain(429);
    const stored = await h.db.owner.selectFrom('test_results').select(h.db.owner.fn.countAll<string>().as('n')).where('pharmacy_id', '=', h.pharmacyIds[PHARMACY_B] as string).executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(statuses.filter((s) => s === 202).length);
  });
});
