import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrol, revokeEnrolment } from '../../gateway/src/auth/enrolments.js';
import type { Browser, WebHarness } from '../support/web-harness.js';
import { startWebHarness } from '../support/web-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';

/**
 * The pharmacist's entry page posts to the same intake service as the mTLS API: one validation,
 * one idempotency, one authorization. On the web path the pharmacy is one of the person's and the
 * performer is the person (DOMAIN.md §7).
 */
let w: WebHarness;
const P1 = '759999907';
const P2 = '759999915';

beforeAll(async () => {
  w = await startWebHarness();
});
afterAll(async () => {
  await w?.close();
});

async function signedIn(username: string): Promise<{ b: Browser; post: (path: string, json: unknown, key?: string) => Promise<{ status: number; body: any }> }> {
  const { browser: b } = await w.signIn(username);
  const csrf = (await b.fetch('GET', `${w.webUrl}/api/web/v1/me`)).json().csrfToken as string;
  const post = async (path: string, json: unknown, key: string = randomUUID()) => {
    const res = await b.fetch('POST', `${w.webUrl}${path}`, { json, headers: { 'x-csrf-token': csrf, 'idempotency-key': key } });
    return { status: res.status, body: JSON.parse(res.text) };
  };
  return { b, post };
}

describe('pharmacist entry on the web listener', () => {
  it('accepts a result for the pharmacist own pharmacy, audited as the person, and lists its status', async () => {
    const { b, post } = await signedIn('pharmacien1');
    const key = randomUUID();
    const body = syntheticResult({ pharmacyFiness: P1, performer: { rpps: '10000123454' } });
    const res = await post('/api/web/v1/test-results', body, key);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'received', statusUrl: `/api/web/v1/test-results/${res.body.id}` });
    // the same key and body replay the first answer, as on the API
    expect((await post('/api/web/v1/test-results', body, key)).body.id).toBe(res.body.id);
    const row = await w.h.db.owner.selectFrom('test_results').select(['pharmacy_id']).where('id', '=', res.body.id).executeTakeFirstOrThrow();
    expect(row.pharmacy_id).toBe(w.h.pharmacyIds[P1]);
    const audit = await w.h.db.owner.selectFrom('audit_events').select(['actor_type', 'actor_id']).where('action', '=', 'result.create').where('object_id', '=', res.body.id).executeTakeFirstOrThrow();
    expect(audit).toEqual({ actor_type: 'user', actor_id: `dev:${w.person('pharmacien1').subject}` });
    const status = await b.fetch('GET', `${w.webUrl}/api/web/v1/test-results/${res.body.id}`);
    expect(status.json()).toMatchObject({ id: res.body.id });
    const list = (await b.fetch('GET', `${w.webUrl}/api/web/v1/test-results?limit=10`)).json();
    expect(list.items.map((i: { id: string }) => i.id)).toContain(res.body.id);
  });

  it('refuses another performer than the signed-in pharmacist (performer-mismatch)', async () => {
    const { post } = await signedIn('pharmacien1');
    const res = await post('/api/web/v1/test-results', syntheticResult({ pharmacyFiness: P1, performer: { rpps: '10000123462' } }));
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ pointer: '/performer/rpps', code: 'performer-mismatch' }]);
  });

  it('corrects and cancels through the same correction service, as the pharmacist only', async () => {
    const { post } = await signedIn('pharmacien1');
    const original = await post('/api/web/v1/test-results', syntheticResult({ pharmacyFiness: P1, performer: { rpps: '10000123454' } }));
    const other = await post('/api/web/v1/test-results', syntheticResult({ pharmacyFiness: P1, performer: { rpps: '10000123454' } }));
    const asOther = await post(`/api/web/v1/test-results/${original.body.id}/corrections`, { reason: 'wrong-result', result: syntheticResult({ pharmacyFiness: P1, performer: { rpps: '10000123462' } }) });
    expect(asOther.status).toBe(422);
    expect(asOther.body.errors).toEqual([{ pointer: '/result/performer/rpps', code: 'performer-mismatch' }]);
    const corrected = await post(`/api/web/v1/test-results/${original.body.id}/corrections`, { reason: 'wrong-result', result: syntheticResult({ pharmacyFiness: P1, performer: { rpps: '10000123454' } }) });
    expect(corrected.status).toBe(202);
    expect(corrected.body).toMatchObject({ resultId: original.body.id, statusUrl: `/api/web/v1/test-results/${corrected.body.id}` });
    const cancelled = await post(`/api/web/v1/test-results/${other.body.id}/cancellation`, { reason: 'entered-in-error' });
    expect(cancelled.status).toBe(202);
    expect(cancelled.body.statusUrl).toBe(`/api/web/v1/test-results/${other.body.id}`);
    const actions = await w.h.db.owner.selectFrom('audit_events').select(['action', 'actor_type']).where('object_id', 'in', [original.body.id, other.body.id]).where('action', 'in', ['result.correct', 'result.cancel']).orderBy('seq').execute();
    expect(actions).toEqual([
      { action: 'result.correct', actor_type: 'user' },
      { action: 'result.cancel', actor_type: 'user' },
    ]);
  });

  it('refuses a pharmacy outside the enrolment (finess-mismatch, audited) and hides its results', async () => {
    const { b, post } = await signedIn('pharmacien1');
    const res = await post('/api/web/v1/test-results', syntheticResult({ pharmacyFiness: P2, performer: { rpps: '10000123454' } }));
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('finess-mismatch');
    expect((await b.fetch('GET', `${w.webUrl}/api/web/v1/test-results?pharmacy=${P2}`)).status).toBe(403);
    const other = await w.h.call(P2, 'POST', '/api/v1/test-results', { body: syntheticResult({ pharmacyFiness: P2 }), headers: { 'idempotency-key': randomUUID() } });
    expect((await b.fetch('GET', `${w.webUrl}/api/web/v1/test-results/${other.body.id}`)).status).toBe(404);
    expect((await post(`/api/web/v1/test-results/${other.body.id}/cancellation`, { reason: 'entered-in-error' })).status).toBe(404);
    expect(await w.h.db.owner.selectFrom('test_results').select('status').where('id', '=', other.body.id).executeTakeFirstOrThrow()).toEqual({ status: expect.not.stringMatching('cancelled') });
    const denied = await w.h.db.owner.selectFrom('audit_events').select('reason').where('actor_id', '=', `dev:${w.person('pharmacien1').subject}`).where('outcome', '=', 'denied').execute();
    expect(denied).toContainEqual({ reason: 'finess-mismatch' });
  });

  it('requires pharmacyFiness from a pharmacist of several pharmacies', async () => {
    const { b, post } = await signedIn('pharmacien-deux-officines');
    const missing = await post('/api/web/v1/test-results', syntheticResult({ pharmacyFiness: undefined, performer: { rpps: '10000123470' } }));
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual([{ pointer: '/pharmacyFiness', code: 'required' }]);
    expect((await post('/api/web/v1/test-results', syntheticResult({ pharmacyFiness: P2, performer: { rpps: '10000123470' } }))).status).toBe(202);
    expect((await b.fetch('GET', `${w.webUrl}/api/web/v1/test-results`)).status).toBe(422);
    expect((await b.fetch('GET', `${w.webUrl}/api/web/v1/test-results?pharmacy=${P2}`)).status).toBe(200);
  });

  it('takes a revoked enrolment away from a live session at once', async () => {
    const p = w.person('pharmacien1');
    const { b } = await signedIn('pharmacien1');
    const [live] = await w.h.db.owner.selectFrom('enrolments').select('id').where('subject', '=', p.subject).where('revoked_at', 'is', null).execute();
    await revokeEnrolment(w.h.db.owner, (live as { id: string }).id, { type: 'system', id: 'test' });
    expect((await b.fetch('GET', `${w.webUrl}/api/web/v1/test-results?limit=1`)).status).toBe(403);
    expect((await b.fetch('GET', `${w.webUrl}/api/web/v1/me`)).json().roles).toEqual([]);
    await enrol(w.h.db.owner, { issuer: 'dev', subject: p.subject, role: 'pharmacist', pharmacy: P1, expiresAt: new Date(Date.now() + 3_600_000), actor: { type: 'system', id: 'test' } });
    expect((await b.fetch('GET', `${w.webUrl}/api/web/v1/test-results?limit=1`)).status).toBe(200);
  });
});
