import { randomUUID } from 'node:crypto';
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticResult } from '../support/synthetic-result.js';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const submit = () => h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': randomUUID() } });
const count = async (table: 'test_results' | 'outbox_messages') =>
  Number((await h.db.owner.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

describe('without its key manager, the gateway', () => {
  it('answers 503 key-manager-unavailable, writes nothing, reports not ready, holds deliveries, and recovers', async () => {
    expect((await submit()).status).toBe(202); // data keys are cached now
    const keyring = path.join(h.dir, 'keyring.json');
    const hidden = `${keyring}.away`;
    await rename(keyring, hidden);
    try {
      const refused = await eventually(async () => {
        const r = await submit();
        return r.status === 503 ? r : undefined;
      }, 15_000);
      expect(refused.body).toMatchObject({ code: 'key-manager-unavailable' });
      expect(refused.headers['retry-after']).toEqual(expect.any(String));
      const before = await count('test_results');
      expect((await submit()).status).toBe(503);
      expect(await count('test_results')).toBe(before);
      expect((await fetch(`${h.metricsUrl}/readyz`)).status).toBe(503);
    } finally {
      await rename(hidden, keyring);
    }
    const accepted = await eventually(async () => {
      const r = await submit();
      return r.status === 202 ? r : undefined;
    }, 15_000);
    await eventually(async () => ((await h.call(PHARMACY_A, 'GET', accepted.body.statusUrl)).body.status === 'delivered' ? true : undefined));
    expect((await fetch(`${h.metricsUrl}/readyz`)).status).toBe(200);
  }, 40_000);
});
