import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticResult } from '../support/synthetic-result.js';
import { PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ intake: { bodyLimitBytes: 4096 } as never });
});
afterAll(() => h.close());

const post = (o: { body?: unknown; rawBody?: string | Readable; headers?: Record<string, string> }) =>
  h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { ...o, headers: { 'idempotency-key': randomUUID(), ...o.headers } });

function expectProblem(res: { status: number; headers: Record<string, unknown>; body: any }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: `urn:sidep-gateway:problem:${code}`, code, status, instance: expect.any(String) });
}

describe('intake problems', () => {
  it('415 for a body that is not JSON by type', async () => {
    expectProblem(await post({ rawBody: '{}', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported-media-type');
  });

  it('400 for malformed JSON', async () => {
    expectProblem(await post({ rawBody: '{"patient": ', headers: { 'content-type': 'application/json' } }), 400, 'malformed-json');
  });

  it('413 for a body over the configured limit', async () => {
    expectProblem(await post({ rawBody: JSON.stringify({ pad: 'x'.repeat(5000) }), headers: { 'content-type': 'application/json' } }), 413, 'payload-too-large');
  });

  it('413 for a chunked body (no declared length) that grows over the limit', async () => {
    const chunks = Readable.from(['{"pad": "', 'x'.repeat(3000), 'x'.repeat(3000), '"}']);
    expectProblem(await post({ rawBody: chunks, headers: { 'content-type': 'application/json' } }), 413, 'payload-too-large');
  });

  it('reads a chunked body within the limit like one of declared length', async () => {
    const text = JSON.stringify(syntheticResult());
    const res = await post({ rawBody: Readable.from([text.slice(0, 100), text.slice(100)]), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(202);
  });

  it('400 without an Idempotency-Key, or with one that is not a UUID', async () => {
    const missing = await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult() });
    expectProblem(missing, 400, 'idempotency-key-missing');
    expectProblem(await post({ body: syntheticResult(), headers: { 'idempotency-key': 'abc' } }), 400, 'idempotency-key-invalid');
  });

  it('422 listing every field at fault as pointers and codes, never the values', async () => {
    const body = syntheticResult();
    body.patient.nir = '185036912345610'; // wrong key
    body.test.loinc = '12345-6';
    (body as Record<string, unknown>).surprise = 'Dupont-Secret';
    body.patient.email = 'not-an-email-Dupont@';
    const res = await post({ body });
    expectProblem(res, 422, 'validation');
    const pointers = res.body.errors.map((e: { pointer: string; code: string }) => `${e.pointer} ${e.code}`);
    expect(pointers).toEqual(expect.arrayContaining(['/patient/nir nir-checksum', '/test/loinc code-not-allowed', '/surprise unknown-field', '/patient/email email-format']));
    const text = JSON.stringify(res.body);
    for (const value of ['185036912345610', 'Dupont', '12345-6', body.patient.birthName]) expect(text).not.toContain(value);
  });

  it('counts validation failures by rule in the metrics', async () => {
    const metrics = await fetch(`${h.metricsUrl}/metrics`, { headers: { authorization: `Bearer ${h.metricsToken}` } }).then((r) => r.text());
    expect(metrics).toMatch(/gateway_validation_failures_total\{rule="nir-checksum"\} [1-9]/);
    expect(metrics).toMatch(/gateway_intake_requests_total\{route="submit",outcome="validation"\} [1-9]/);
  });

  it('404 problem for an unknown path', async () => {
    expectProblem(await h.call(PHARMACY_A, 'GET', '/admin'), 404, 'not-found');
  });
});
