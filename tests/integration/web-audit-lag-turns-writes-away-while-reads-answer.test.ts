import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/gateway-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { startWebHarness, type WebHarness } from '../support/web-harness.js';

/** The web listener fails closed like intake: no data change while the audit log cannot seal it. */
let w: WebHarness;
beforeAll(async () => {
  w = await startWebHarness({ audit: { maxSealLagSeconds: 1, sealIntervalMs: 100 } });
});
afterAll(() => w?.close());

describe('web listener while the audit log lags beyond audit.maxSealLagSeconds', () => {
  it('answers 503 audit-unavailable to writes, still answers GET /api/web/v1/me, then accepts writes again', async () => {
    const { browser: b } = await w.signIn('pharmacien1');
    const csrf = (await b.fetch('GET', `${w.webUrl}/api/web/v1/me`)).json().csrfToken as string;
    const submit = () =>
      b.fetch('POST', `${w.webUrl}/api/web/v1/test-results`, {
        json: syntheticResult({ pharmacyFiness: '759999907', performer: { rpps: '10000123454' } }),
        headers: { 'x-csrf-token': csrf, 'idempotency-key': randomUUID() },
      });
    expect((await submit()).status).toBe(202);
    const slow = new pg.Client({ connectionString: w.h.db.runtimeUrl });
    await slow.connect();
    try {
      // an open transaction holding an audit event: nothing after it can be sealed
      await slow.query('BEGIN');
      await slow.query(`INSERT INTO audit_events (actor_type, action, outcome) VALUES ('system', 'test.slow', 'success')`);
      const refused = await eventually(async () => {
        const r = await submit();
        return r.status === 503 ? r : undefined;
      });
      expect(refused.json()).toMatchObject({ code: 'audit-unavailable' });
      // a refused write stores nothing (counted around one refused call)
      const stored = async () => (await w.h.db.owner.selectFrom('test_results').select('id').execute()).length;
      const { before, after } = await eventually(async () => {
        const count = await stored();
        return (await submit()).status === 503 ? { before: count, after: await stored() } : undefined;
      });
      expect(after).toBe(before);
      const me = await b.fetch('GET', `${w.webUrl}/api/web/v1/me`);
      expect(me.status).toBe(200);
      await slow.query('COMMIT');
    } finally {
      await slow.end();
    }
    await eventually(async () => ((await submit()).status === 202 ? true : undefined));
  });
});
