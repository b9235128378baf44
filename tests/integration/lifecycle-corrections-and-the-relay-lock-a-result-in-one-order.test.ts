import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';
import { resultCalls } from '../support/result-calls.js';
import { syntheticResult } from '../support/synthetic-result.js';

/**
 * The relay claims or settles a message, then updates its result; a correction or cancellation
 * of that result must take the two in the same order, or the two transactions deadlock and
 * Postgres aborts one: a pharmacy's correction answered 500, or a delivery's settlement was lost.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ relay: { enabled: false } as never });
});
afterAll(() => h.close());

const submit = resultCalls(() => h).submitted;

describe('a correction or cancellation meeting the relay on the same result', () => {
  it.each(['corrections', 'cancellation'] as const)('waits for the relay’s message lock, and both commit (%s)', async (change) => {
    const id = await submit();
    // the relay's transaction: the message first, then (below) its result
    const relay = new pg.Client({ connectionString: h.db.ownerUrl });
    await relay.connect();
    try {
      await relay.query('BEGIN');
      await relay.query('SELECT id FROM outbox_messages WHERE result_id = $1 FOR UPDATE', [id]);
      const body = change === 'corrections' ? { reason: 'wrong-result', result: syntheticResult({ pharmacyFiness: PHARMACY_A }) } : { reason: 'entered-in-error' };
      const answer = h.call(PHARMACY_A, 'POST', `/api/v1/test-results/${id}/${change}`, { body, headers: { 'idempotency-key': randomUUID() } });
      // the change is under way and waits on a lock before the relay takes the result's
      await new Promise((r) => setTimeout(r, 500));
      await relay.query("UPDATE test_results SET status = 'delivering' WHERE id = $1", [id]);
      await relay.query('COMMIT');
      expect((await answer).status).toBeLessThan(300);
    } finally {
      await relay.end();
    }
  });
});
