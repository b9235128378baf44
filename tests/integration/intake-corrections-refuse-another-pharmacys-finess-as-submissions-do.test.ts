import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHARMACY_A, PHARMACY_B } from '../support/gateway-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { startWebHarness, type WebHarness } from '../support/web-harness.js';

/**
 * A result names its own pharmacy or none, whether a submission or a correction carries it, on
 * the mTLS API and on the web: another pharmacy's FINESS is 403 `finess-mismatch`, audited alike
 * (the action attempted, denied, as the caller), and changes nothing.
 */
let w: WebHarness;
beforeAll(async () => {
  w = await startWebHarness();
}, 60_000);
afterAll(async () => {
  await w?.close();
});

const idempotent = () => ({ 'idempotency-key': randomUUID() });

/** The denied events of a request, as the audit log holds them. */
const deniedEvents = (requestId: string) =>
  w.h.db.owner.selectFrom('audit_events').select(['actor_type', 'actor_id', 'action', 'object_type', 'object_id', 'outcome', 'reason']).where('request_id', '=', requestId).where('outcome', '=', 'denied').execute();

/** The result that superseded `id`: a correction that went through sets it. */
const supersededBy = async (id: string) => (await w.h.db.owner.selectFrom('test_results').select('superseded_by').where('id', '=', id).executeTakeFirstOrThrow()).superseded_by;

describe('a correction naming another pharmacy', () => {
  it('is refused on the mTLS API like a submission: 403 finess-mismatch, the same denied event, nothing corrected', async () => {
    const original = await w.h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: idempotent() });
    expect(original.status).toBe(202);
    const foreign = syntheticResult({ pharmacyFiness: PHARMACY_B });

    const submission = await w.h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: foreign, headers: idempotent() });
    const correction = await w.h.call(PHARMACY_A, 'POST', `/api/v1/test-results/${original.body.id}/corrections`, { body: { reason: 'wrong-result', result: foreign }, headers: idempotent() });
    for (const res of [submission, correction]) expect({ status: res.status, code: res.body.code }).toEqual({ status: 403, code: 'finess-mismatch' });

    const [submitted] = await deniedEvents(submission.headers['x-request-id'] as string);
    expect(submitted).toMatchObject({ actor_type: 'pharmacy', action: 'result.create', outcome: 'denied', reason: 'finess-mismatch' });
    expect(await deniedEvents(correction.headers['x-request-id'] as string)).toEqual([{ ...submitted, action: 'result.correct' }]);
    expect(await supersededBy(original.body.id)).toBeNull();
  });

  it('is refused on the web path for a pharmacist, as the person', async () => {
    const { browser } = await w.signIn('pharmacien1');
    const csrf = (await browser.fetch('GET', `${w.webUrl}/api/web/v1/me`)).json().csrfToken as string;
    const post = async (path: string, json: unknown) => {
      const res = await browser.fetch('POST', `${w.webUrl}${path}`, { json, headers: { 'x-csrf-token': csrf, ...idempotent() } });
      return { status: res.status, body: JSON.parse(res.text), requestId: res.headers['x-request-id'] as string };
    };
    const performer = { rpps: '10000123454' };
    const original = await post('/api/web/v1/test-results', syntheticResult({ pharmacyFiness: PHARMACY_A, performer }));
    expect(original.status).toBe(202);

    const correction = await post(`/api/web/v1/test-results/${original.body.id}/corrections`, { reason: 'wrong-result', result: syntheticResult({ pharmacyFiness: PHARMACY_B, performer }) });
    expect({ status: correction.status, code: correction.body.code }).toEqual({ status: 403, code: 'finess-mismatch' });
    expect(await deniedEvents(correction.requestId)).toEqual([
      { actor_type: 'user', actor_id: `dev:${w.person('pharmacien1').subject}`, action: 'result.correct', object_type: null, object_id: null, outcome: 'denied', reason: 'finess-mismatch' },
    ]);
    expect(await supersededBy(original.body.id)).toBeNull();
  });
});
