import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticResult } from '../support/synthetic-result.js';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const post = (path: string, body: unknown, key = randomUUID()) => h.call(PHARMACY_A, 'POST', path, { body, headers: { 'idempotency-key': key } });
const status = async (id: string) => (await h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`)).body;
const until = (id: string, wanted: string) => eventually(async () => ((await status(id)).status === wanted ? status(id) : undefined));
type Entry = { messageId: string; observationStatus?: string; status?: string };
const journal = async (): Promise<Entry[]> => h.simulatorControl('GET', '/_control/journal');
const messages = (resultId: string) => h.db.owner.selectFrom('outbox_messages').selectAll().where('result_id', '=', resultId).orderBy('created_at').execute();

describe('corrections', () => {
  it('deliver a delivered result\'s correction as a new message after the original, once', async () => {
    const body = syntheticResult();
    const original = (await post('/api/v1/test-results', body)).body.id;
    await until(original, 'delivered');
    const corrected = { ...body, test: { ...body.test, result: '260373001' } };
    const key = randomUUID();
    const res = await post(`/api/v1/test-results/${original}/corrections`, { reason: 'wrong-result', result: corrected }, key);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ resultId: original, status: 'received', statusUrl: `/api/v1/test-results/${res.body.id}` });
    expect((await post(`/api/v1/test-results/${original}/corrections`, { reason: 'wrong-result', result: corrected }, key)).body).toEqual(res.body);

    await until(res.body.id, 'delivered');
    expect((await status(original)).supersededBy).toBe(res.body.id);
    const [correctionMessage] = await messages(res.body.id);
    expect(correctionMessage?.kind).toBe('correction');
    const entries = (await journal()).filter((e) => e.messageId === correctionMessage?.id);
    expect(entries).toHaveLength(1);
  });

  it('replace an undelivered original, which is then never sent', async () => {
    await h.restartGateway({ relay: { enabled: false } as never });
    const body = syntheticResult();
    const original = (await post('/api/v1/test-results', body)).body.id;
    const res = await post(`/api/v1/test-results/${original}/corrections`, { reason: 'data-entry-error', result: body });
    expect(res.status).toBe(202);
    await h.restartGateway();
    await until(res.body.id, 'delivered');
    const [originalMessage] = await messages(original);
    expect(originalMessage?.state).toBe('superseded');
    expect((await journal()).some((e) => e.messageId === originalMessage?.id)).toBe(false);
    const [replacement] = await messages(res.body.id);
    expect(replacement?.kind).toBe('original');
  });

  it('refuse an unknown reason and point into the corrected result', async () => {
    const original = (await post('/api/v1/test-results', syntheticResult())).body.id;
    const bad = syntheticResult();
    bad.patient.nir = '185036912345610';
    const res = await post(`/api/v1/test-results/${original}/corrections`, { reason: 'because', result: bad });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual(expect.arrayContaining([{ pointer: '/reason', code: 'invalid-type' }]));
    const res2 = await post(`/api/v1/test-results/${original}/corrections`, { reason: 'wrong-result', result: bad });
    expect(res2.body.errors).toEqual(expect.arrayContaining([{ pointer: '/result/patient/nir', code: 'nir-checksum' }]));
  });
});

describe('cancellations', () => {
  it('send entered-in-error for a delivered result, after it, and mark it cancelled', async () => {
    const original = (await post('/api/v1/test-results', syntheticResult())).body.id;
    await until(original, 'delivered');
    const res = await post(`/api/v1/test-results/${original}/cancellation`, { reason: 'entered-in-error' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ resultId: original, statusUrl: `/api/v1/test-results/${original}` });
    await until(original, 'cancelled');
    const [, cancellation] = await messages(original);
    expect(cancellation?.kind).toBe('cancellation');
    expect(cancellation?.state).toBe('delivered');
    expect((await post(`/api/v1/test-results/${original}/cancellation`, { reason: 'entered-in-error' })).status).toBe(409);
  });

  it('withdraw an undelivered result at once', async () => {
    await h.restartGateway({ relay: { enabled: false } as never });
    const original = (await post('/api/v1/test-results', syntheticResult())).body.id;
    const res = await post(`/api/v1/test-results/${original}/cancellation`, { reason: 'duplicate' });
    expect(res.body.status).toBe('cancelled');
    expect((await status(original)).status).toBe('cancelled');
    await h.restartGateway();
  });
});
