import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticResult } from '../support/synthetic-result.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { resultCalls } from '../support/result-calls.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const { post, status, until, journal, messages } = resultCalls(() => h);

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
