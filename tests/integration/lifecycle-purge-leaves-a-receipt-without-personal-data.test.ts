import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { purgeExpired } from '../../gateway/src/results/lifecycle/index.js';

const SETTINGS = { retention: { deliveredDays: 7, deadLetteredDays: 30 }, keyManager: { dataKeyWindowMinutes: 60 } };
import { syntheticResult } from '../support/synthetic-result.js';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const submit = async (body: unknown = syntheticResult()) => {
  const key = randomUUID();
  const res = await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body, headers: { 'idempotency-key': key } });
  return { id: res.body.id as string, key };
};
const status = async (id: string) => (await h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`)).body;
const age = (id: string, days: number) =>
  h.db.owner.updateTable('test_results').set({ updated_at: sql`now() - make_interval(days => ${days})` }).where('id', '=', id).execute();

describe('the purge', () => {
  it('destroys ciphertext, blind indexes and idempotency records past retention, and keeps a receipt', async () => {
    const body = syntheticResult();
    const { id } = await submit(body);
    const delivered = await eventually(async () => {
      const s = await status(id);
      return s.status === 'delivered' ? s : undefined;
    });
    await age(id, 8);
    expect((await purgeExpired(h.db.runtime, SETTINGS)).results).toBeGreaterThanOrEqual(1);

    const row = await h.db.owner.selectFrom('test_results').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ sealed: null, data_key_id: null, nir_index: null, external_ref_index: null, loinc: null, collected_minute: null });
    expect(await h.db.owner.selectFrom('idempotency_keys').select('key').where('result_id', '=', id).execute()).toEqual([]);
    const receipt = await status(id);
    expect(receipt).toMatchObject({ id, status: 'delivered', sidepAckId: delivered.sidepAckId, deliveredAt: delivered.deliveredAt });
    expect(receipt.purgedAt).toEqual(expect.any(String));
    // the same person and test can be submitted again: nothing links to the purged result
    expect((await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body, headers: { 'idempotency-key': randomUUID() } })).status).toBe(202);
    const audit = await h.db.owner.selectFrom('audit_events').select('action').where('object_id', '=', id).where('action', '=', 'result.purge').execute();
    expect(audit).toHaveLength(1);
  });

  it('keeps results inside retention, and dead letters until their own longer window', async () => {
    await h.simulatorControl('POST', '/_control/faults', { rejectWhen: { status: 400 } });
    const { id: deadId } = await submit();
    await eventually(async () => ((await status(deadId)).status === 'dead-lettered' ? true : undefined));
    await h.simulatorControl('POST', '/_control/faults', {});
    const { id: fresh } = await submit();
    await eventually(async () => ((await status(fresh)).status === 'delivered' ? true : undefined));
    await age(deadId, 8);
    await purgeExpired(h.db.runtime, SETTINGS);
    expect((await status(deadId)).purgedAt).toBeNull();
    expect((await status(fresh)).purgedAt).toBeNull();
    await age(deadId, 31);
    await purgeExpired(h.db.runtime, SETTINGS);
    expect((await status(deadId)).purgedAt).toEqual(expect.any(String));
  });

  it('never purges a result still waiting for delivery', async () => {
    await h.restartGateway({ relay: { enabled: false } as never });
    const { id } = await submit();
    await age(id, 400);
    await purgeExpired(h.db.runtime, SETTINGS);
    expect((await status(id)).purgedAt).toBeNull();
    await h.restartGateway();
  });
});
