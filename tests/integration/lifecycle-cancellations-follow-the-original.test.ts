import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticResult } from '../support/synthetic-result.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { resultCalls } from '../support/result-calls.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const { post, status, until, messages } = resultCalls(() => h);

describe('cancellations', () => {
  it('send entered-in-error for a delivered result, after it, and mark it cancelled', async () => {
    const original = (await post('/api/v1/test-results', syntheticResult())).body.id;
    await until(original, 'delivered');
    const res = await post(`/api/v1/test-results/${original}/cancellation`, { reason: 'entered-in-error' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ resultId: original, statusUrl: `/api/v1/test-results/${original}` });
    await until(original, 'cancelled');
    const [, cancellation] = await messages(original);
    expect(cancellation?.kind).toBe('cancellation');
    expect(cancellation?.state).toBe('delivered');
    expect((await post(`/api/v1/test-results/${original}/cancellation`, { reason: 'entered-in-error' })).status).toBe(409);
  });

  it('withdraw an undelivered result at once', async () => {
    await h.restartGateway({ relay: { enabled: false } as never });
    const original = (await post('/api/v1/test-results', syntheticResult())).body.id;
    const res = await post(`/api/v1/test-results/${original}/cancellation`, { reason: 'duplicate' });
    expect(res.body.status).toBe('cancelled');
    expect((await status(original)).status).toBe('cancelled');
    await h.restartGateway();
  });
});
