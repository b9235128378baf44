import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulatorFixture, validTransactionBundle, type SimulatorFixture } from '../support/sidep-test-kit.js';

let fixture: SimulatorFixture;
beforeAll(async () => {
  fixture = await startSimulatorFixture();
});
afterAll(async () => {
  await fixture?.dispose();
});

type Json = Record<string, any>;

/** The loose message SI-DEP must refuse: every fault of it was once answered "ok". */
function looseBundle(messageId: string): Json {
  const bundle: Json = validTransactionBundle(messageId);
  bundle.entry[0].resource = { resourceType: 'Patient' };
  bundle.entry.push(
    { fullUrl: 'urn:uuid:7a1c1b0e-0000-4000-8000-000000000008', request: { method: 'DELETE', url: 'Patient/1' } },
    { fullUrl: 'urn:uuid:7a1c1b0e-0000-4000-8000-000000000009', request: { method: 'GET', url: 'Patient' } },
  );
  const observation = bundle.entry[6].resource;
  observation.code = { coding: [{ system: 'http://loinc.org', code: 'not-a-loinc' }] };
  observation.valueCodeableConcept = { coding: [{ system: 'urn:anything', code: 'anything' }] };
  observation.effectiveDateTime = '2099';
  return bundle;
}

describe('the SI-DEP simulator over mTLS', () => {
  it('answers a valid message 201 with a transaction-response Bundle, one entry per request', async () => {
    const id = randomUUID();
    const answer = await fixture.postMessage(validTransactionBundle(id), id);
    expect(answer.status).toBe(201);
    expect(answer.contentType).toMatch(/^application\/fhir\+json/);
    expect(answer.json).toMatchObject({ resourceType: 'Bundle', type: 'transaction-response', id: expect.any(String) });
    expect((answer.json as Json).entry).toHaveLength(7);
    for (const entry of (answer.json as Json).entry) expect(entry.response.status).toBe('201 Created');
  });

  it('refuses the loose message 422 with an OperationOutcome naming each element at fault', async () => {
    const id = randomUUID();
    const answer = await fixture.postMessage(looseBundle(id), id);
    expect(answer.status).toBe(422);
    expect(answer.json).toMatchObject({ resourceType: 'OperationOutcome' });
    const issues = (answer.json as Json).issue.map((i: Json) => [i.severity, i.code, ...i.expression]);
    expect(issues).toEqual(
      expect.arrayContaining([
        ['error', 'required', 'Bundle.entry[0].resource.name'],
        ['error', 'required', 'Bundle.entry[0].resource.birthDate'],
        ['error', 'not-supported', 'Bundle.entry[7].request.method'],
        ['error', 'not-supported', 'Bundle.entry[8].request.method'],
        ['error', 'code-invalid', 'Bundle.entry[6].resource.code'],
        ['error', 'code-invalid', 'Bundle.entry[6].resource.valueCodeableConcept'],
        ['error', 'invalid', 'Bundle.entry[6].resource.effectiveDateTime'],
      ]),
    );
    const journal = await fixture.control('GET', 'journal');
    expect((journal.json as Json[]).map((entry) => entry.messageId)).not.toContain(id);
  });

  it('refuses an Observation status outside R4 400, as a message that is not FHIR R4', async () => {
    const id = randomUUID();
    const bundle = validTransactionBundle(id) as Json;
    bundle.entry[6].resource.status = 'bogus-status';
    const answer = await fixture.postMessage(bundle, id);
    expect(answer.status).toBe(400);
    expect((answer.json as Json).issue).toEqual([{ severity: 'error', code: 'code-invalid', expression: ['Bundle.entry[6].resource.status'] }]);
  });
});
