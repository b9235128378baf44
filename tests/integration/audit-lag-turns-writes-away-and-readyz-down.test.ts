import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticResult } from '../support/synthetic-result.js';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ audit: { maxSealLagSeconds: 1, sealIntervalMs: 100 }, relay: { enabled: false } as never });
});
afterAll(() => h.close());

const submit = () => h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': randomUUID() } });
const readyz = async () => (await fetch(`${h.metricsUrl}/readyz`)).status;
const resultCount = async () => (await h.db.owner.selectFrom('test_results').select('id').execute()).length;

async function refusedWhileLagging(): Promise<void> {
  const refused = await eventually(async () => {
    const r = await submit();
    return r.status === 503 ? r : undefined;
  });
  expect(refused.body).toMatchObject({ code: 'audit-unavailable' });
  const before = await resultCount();
  expect((await submit()).status).toBe(503);
  expect(await resultCount()).toBe(before);
  expect(await readyz()).toBe(503);
}

async function acceptedAgain(): Promise<void> {
  await eventually(async () => ((await submit()).status === 202 ? true : undefined));
  expect(await readyz()).toBe(200);
}

describe('when the audit log lags beyond audit.maxSealLagSeconds', () => {
  it('answers 503 audit-unavailable to writes while a long transaction holds sealing back, then recovers', async () => {
    expect((await submit()).status).toBe(202);
    const slow = new pg.Client({ connectionString: h.db.runtimeUrl });
    await slow.connect();
    try {
      await slow.query('BEGIN');
      await slow.query(`INSERT INTO audit_events (actor_type, action, outcome) VALUES ('system', 'test.slow', 'success')`);
      expect((await submit()).status).toBe(202); // committed, but not sealable past the slow transaction
      await refusedWhileLagging();
      const id = (await h.db.owner.selectFrom('test_results').select('id').executeTakeFirstOrThrow()).id;
      expect((await h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`)).status).toBe(200); // reads still answer
      await slow.query('COMMIT');
    } finally {
      await slow.end();
    }
    await acceptedAgain();
  });

  it('answers 503 audit-unavailable while checkpoints cannot be copied to the sink, then recovers', async () => {
    await h.restartGateway({ audit: { maxSealLagSeconds: 1, sealIntervalMs: 100, sinkFile: path.join(h.dir, 'metrics-token', 'not-a-directory.jsonl') } });
    await submit(); // an event to seal, whose checkpoint the sink refuses
    await refusedWhileLagging();
    await h.restartGateway({ audit: { maxSealLagSeconds: 1, sealIntervalMs: 100 } });
    await acceptedAgain();
  });
});
