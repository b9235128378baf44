import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PHARMACY_A, PHARMACY_B } from '../support/gateway-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { webApiCalls, webHarnessWithAResult } from '../support/web-api-calls.js';

/**
 * Today's list at the counter (`GET /api/web/v1/counter/results`) tells patients apart without
 * opening each result: every row carries the patient's initials and the result, opened
 * server-side, and a correction names the result it replaces; nothing else of the sealed data
 * leaves. Each row shown is audited as read by the person; another pharmacy's list is refused.
 */
const w = webHarnessWithAResult();
const { as } = webApiCalls(w);

const NEGATIVE = '260415000';
const POSITIVE = '260373001';

interface Row {
  id: string;
  initials: string | null;
  result: string | null;
  replaces: string | null;
  supersededBy: string | null;
}

describe("today's list at the counter", () => {
  it('shows initials and result of each row, links a correction and its original, and audits each row shown', async () => {
    const { h, person } = w();
    const body = syntheticResult({ patient: { birthName: 'Zola', firstNames: ['Émile', 'Édouard'], usedName: undefined }, test: { result: NEGATIVE } });
    const original = (await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body, headers: { 'idempotency-key': randomUUID() } })).body.id as string;
    const fixed = { ...body, patient: { ...body.patient, usedName: 'Rougon' }, test: { ...body.test, result: POSITIVE } };
    const correction = await h.call(PHARMACY_A, 'POST', `/api/v1/test-results/${original}/corrections`, { body: { reason: 'wrong-result', result: fixed }, headers: { 'idempotency-key': randomUUID() } });
    expect(correction.status).toBe(202);
    const correctionId = correction.body.id as string;
    // a purged result keeps its row, without anything of the patient
    const purged = (await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': randomUUID() } })).body.id as string;
    await h.db.owner.updateTable('test_results').set({ sealed: null, data_key_id: null, purged_at: new Date() }).where('id', '=', purged).execute();

    const res = await as('pharmacien1', 'GET', `/api/web/v1/counter/results?pharmacy=${PHARMACY_A}&limit=500`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const rows = res.json().items as Row[];
    const row = (id: string) => rows.find((r) => r.id === id);
    expect(row(original)).toMatchObject({ initials: 'ÉZ', result: NEGATIVE, replaces: null, supersededBy: correctionId });
    // the used name, when there is one, is the one the patient goes by
    expect(row(correctionId)).toMatchObject({ initials: 'ÉR', result: POSITIVE, replaces: original, supersededBy: null });
    expect(row(purged)).toMatchObject({ initials: null, result: null });
    // nothing else of the sealed document: no name, NIR, birth date or contact
    for (const value of ['Zola', 'Rougon', 'Émile', 'Édouard', body.patient.nir, body.patient.birthDate, body.patient.phone, body.patient.email]) expect(res.text).not.toContain(String(value));

    const events = await h.db.owner.selectFrom('audit_events').select(['action', 'actor_id', 'object_id', 'outcome']).where('request_id', '=', res.headers['x-request-id'] as string).execute();
    expect(events.map((e) => e.object_id).sort()).toEqual(rows.map((r) => r.id).sort());
    for (const e of events) expect(e).toMatchObject({ action: 'result.list-summary', actor_id: `dev:${person('pharmacien1').subject}`, outcome: 'success' });
  });

  it("refuses another pharmacy's list, and audits the refusal", async () => {
    const { h, person } = w();
    const res = await as('pharmacien1', 'GET', `/api/web/v1/counter/results?pharmacy=${PHARMACY_B}`);
    expect(res.status).toBe(403);
    const refusals = await h.db.owner.selectFrom('audit_events').select(['action', 'actor_id', 'outcome']).where('request_id', '=', res.headers['x-request-id'] as string).execute();
    expect(refusals).toEqual([{ action: 'admin.reveal', actor_id: `dev:${person('pharmacien1').subject}`, outcome: 'denied' }]);
  });

  it('asks a person of two pharmacies which one', async () => {
    const res = await as('pharmacien-deux-officines', 'GET', '/api/web/v1/counter/results');
    expect(res.status).toBe(422);
    expect(res.json()).toMatchObject({ errors: [{ pointer: '/pharmacy', code: 'required' }] });
  });
});
