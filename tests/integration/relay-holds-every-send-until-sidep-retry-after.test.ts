import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, type Harness } from '../support/gateway-harness.js';
import { resultCalls } from '../support/result-calls.js';

const RETRY_AFTER_SECONDS = 4;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ relay: { enabled: false } as never });
});
afterAll(() => h.close());

const submit = resultCalls(() => h).submitted;

describe('the relay meeting a 429', () => {
  it("sends nothing, not even other messages, before SI-DEP's Retry-After, counts the 429, and not as an attempt", async () => {
    const ids = [await submit(), await submit(), await submit()];
    await h.simulatorControl('POST', '/_control/faults', { failNext: { count: 1, status: 429, retryAfterSeconds: RETRY_AFTER_SECONDS } });
    // one send at a time: the 429 meets the first, the others are claimed ahead behind it
    const started = Date.now();
    await h.restartGateway({ relay: { enabled: true, concurrency: 1, batchSize: 10 } as never });
    await eventually(async () => {
      const rows = await h.db.owner.selectFrom('test_results').select('status').where('id', 'in', ids).execute();
      return rows.every((r) => r.status === 'delivered') ? true : undefined;
    }, 60_000);
    const journal = (await h.simulatorControl('GET', '/_control/journal')) as { receivedAt: string }[];
    expect(journal).toHaveLength(ids.length);
    // a lower bound: a busy machine only makes the sends later
    for (const e of journal) expect(Date.parse(e.receivedAt) - started).toBeGreaterThanOrEqual(RETRY_AFTER_SECONDS * 1000);
    const metrics = await request(`${h.metricsUrl}/metrics`, { headers: { authorization: `Bearer ${h.metricsToken}` } });
    expect(await metrics.body.text()).toMatch(/^gateway_sidep_throttled_total 1$/m);
    // "not now" is not a failure: each message was sent once that counts, the throttled one too
    const attempts = await h.db.owner.selectFrom('outbox_messages').select('attempts').where('result_id', 'in', ids).execute();
    expect(attempts.map((m) => m.attempts)).toEqual([1, 1, 1]);
  });

  it('waits at most relay.maxRetryAfterSeconds when SI-DEP asks for hours', async () => {
    await h.restartGateway({ relay: { enabled: false } as never });
    const id = await submit();
    await h.simulatorControl('POST', '/_control/faults', { failNext: { count: 1, status: 429, retryAfterSeconds: 6 * 3_600 } });
    await h.restartGateway({ relay: { enabled: true, concurrency: 1, maxRetryAfterSeconds: 2 } as never });
    await eventually(async () => ((await h.db.owner.selectFrom('test_results').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status === 'delivered' ? true : undefined), 60_000);
  });
});
