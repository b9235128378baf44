import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcceptedSchema, ProblemSchema, ResultListSchema, ResultStatusSchema } from '../../gateway/src/api-schemas/index.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';

let h: Harness;
let doc: any;
beforeAll(async () => {
  h = await startHarness();
  doc = (await h.call(PHARMACY_A, 'GET', '/api/v1/openapi.json')).body;
});
afterAll(() => h.close());

describe('the OpenAPI document served at /api/v1/openapi.json', () => {
  it('is OpenAPI 3.1 and documents every intake route', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/.well-known/jwks.json', '/counter-prefills', '/test-results', '/test-results/{id}', '/test-results/{id}/cancellation', '/test-results/{id}/corrections', '/test-results/{id}/receipt']);
    const body = doc.paths['/test-results'].post.requestBody.content['application/json'].schema;
    expect(JSON.stringify(doc)).toContain('TestResultSubmission');
    expect(body).toBeDefined();
  });

  it('documents the schemas the real answers follow', async () => {
    const accepted = await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': randomUUID() } });
    expect(AcceptedSchema.parse(accepted.body)).toEqual(accepted.body);
    const status = await eventually(async () => {
      const s = await h.call(PHARMACY_A, 'GET', accepted.body.statusUrl);
      return s.body.status === 'delivered' ? s.body : undefined;
    });
    expect(ResultStatusSchema.parse(status)).toEqual(status);
    const list = await h.call(PHARMACY_A, 'GET', '/api/v1/test-results');
    expect(ResultListSchema.parse(list.body)).toEqual(list.body);
    const invalid = await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: { patient: {} }, headers: { 'idempotency-key': randomUUID() } });
    expect(ProblemSchema.parse(invalid.body)).toEqual(invalid.body);
    for (const code of [202, 400, 401, 409, 413, 415, 422, 429, 503]) expect(Object.keys(doc.paths['/test-results'].post.responses)).toContain(String(code));
  });

  it('carries a synthetic example submission for vendors', () => {
    const example = doc.components.schemas.TestResultSubmission.example;
    expect(example.patient.nir.replaceAll(' ', '')).toBe('185036912345609');
    expect(example.test.loinc).toBe('94558-4');
  });
});
