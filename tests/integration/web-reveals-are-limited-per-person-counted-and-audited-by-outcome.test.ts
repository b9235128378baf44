import { rename } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { eventually, PHARMACY_A } from '../support/gateway-harness.js';
import { webApiCalls, webHarnessWithAResult } from '../support/web-api-calls.js';

/**
 * Reveals of a sealed result through the web listener: at most a burst of 20 per person, each
 * counted by outcome (`gateway_reveals_total`) and audited with what happened — `success` only
 * once the result decrypted. The refill is set to one a minute, so "the 21st within a minute" is
 * refused however fast the requests go (the default is 10 a minute).
 */
const w = webHarnessWithAResult({ web: { revealsPerMinute: 1 } });
const { as } = webApiCalls(w);

/** The result intake stored and sealed for the first pharmacy (the harness submitted it). */
async function sealedResult(): Promise<string> {
  const row = await w().h.db.owner.selectFrom('test_results').select('id').where('pharmacy_id', '=', w().h.pharmacyIds[PHARMACY_A] as string).where('sealed', 'is not', null).executeTakeFirstOrThrow();
  return row.id;
}

const reveal = async (who: string, id: string) => as(who, 'POST', `/api/web/v1/test-results/${id}/reveal`, { purpose: 'receipt-reprint' });

/** `gateway_reveals_total{outcome}` as the metrics listener shows it now. */
async function revealsCounted(outcome: string): Promise<number> {
  const { h } = w();
  const text = await fetch(`${h.metricsUrl}/metrics`, { headers: { authorization: `Bearer ${h.metricsToken}` } }).then((r) => r.text());
  return Number(new RegExp(`^gateway_reveals_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
}

const auditOf = (requestId: string) => w().h.db.owner.selectFrom('audit_events').select(['action', 'outcome', 'reason', 'object_id']).where('request_id', '=', requestId).execute();

describe('revealing a sealed result on the web', () => {
  it('answers a person 20 reveals in a minute and refuses the 21st with 429, counting and auditing each one answered', async () => {
    const id = await sealedResult();
    const before = await revealsCounted('success');
    const answers = [];
    for (let i = 0; i < 21; i++) answers.push(await reveal('pharmacien1', id));
    expect(answers.map((a) => a.status)).toEqual([...Array<number>(20).fill(200), 429]);
    const refused = answers[20] as (typeof answers)[number];
    expect(refused.json().code).toBe('rate-limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(await revealsCounted('success')).toBe(before + 20);
    for (const a of answers.slice(0, 20)) expect(await auditOf(a.headers['x-request-id'] as string)).toEqual([{ action: 'result.reveal', outcome: 'success', reason: 'receipt-reprint', object_id: id }]);
    // nothing opened for the refused one
    expect(await auditOf(refused.headers['x-request-id'] as string)).toEqual([]);
    // the limit is the person's: another one of the pharmacy still reveals
    expect((await reveal('titulaire1', id)).status).toBe(200);
  });

  it('audits a reveal the key manager cannot decrypt as failed with its problem code, returns nothing and counts it', async () => {
    const { h } = w();
    const id = await sealedResult();
    const before = await revealsCounted('key-manager-unavailable');
    const keyring = path.join(h.dir, 'keyring.json');
    await rename(keyring, `${keyring}.away`);
    try {
      // Intake fails at once on its next key-manager call; a reveal opens with a cached data key
      // until the guard's last success is older than its limit (5 s): ask once a second, within
      // the person's allowance of reveals, until it refuses.
      const res = await eventually(async () => {
        const r = await reveal('pharmacien-deux-officines', id);
        if (r.status === 503 && r.json().code === 'key-manager-unavailable') return r;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        return undefined;
      });
      expect(res.status).toBe(503);
      expect(res.json()).toMatchObject({ code: 'key-manager-unavailable' });
      expect(res.json()).not.toHaveProperty('patient');
      expect(await auditOf(res.headers['x-request-id'] as string)).toEqual([{ action: 'result.reveal', outcome: 'failure', reason: 'key-manager-unavailable', object_id: id }]);
      expect(await revealsCounted('key-manager-unavailable')).toBe(before + 1);
    } finally {
      await rename(`${keyring}.away`, keyring);
    }
  });

  it('returns no personal data when the audit event of a decrypted result cannot be written', async () => {
    const { h } = w();
    const id = await sealedResult();
    expect((await as('titulaire1', 'GET', '/api/web/v1/me')).status).toBe(200); // signed in while the audit log takes events
    const before = await revealsCounted('audit-unavailable');
    // in this test's database only: the gateway's role loses its insert on the audit log
    await sql`REVOKE INSERT ON audit_events FROM gateway_runtime`.execute(h.db.owner);
    try {
      const res = await reveal('titulaire1', id);
      expect(res.status).toBe(503);
      expect(res.json()).toMatchObject({ code: 'audit-unavailable' });
      expect(res.text).not.toMatch(/birthName|patient/);
      expect(await revealsCounted('audit-unavailable')).toBe(before + 1);
    } finally {
      await sql`GRANT INSERT (actor_type, actor_id, action, object_type, object_id, outcome, reason, request_id, source_ip) ON audit_events TO gateway_runtime`.execute(h.db.owner);
    }
  });
});
