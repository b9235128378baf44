import { describe, expect, it } from 'vitest';
import { checkTransactionBundle } from '@sidep-gateway/sidep-simulator';
import { minimalTransactionBundle, PERSONAL_VALUES } from '../support/sidep-test-kit.js';

const ID = '0b8f6a52-4a43-4a3c-9d43-6c8e8c9b1f11';

type Entry = { resource?: Record<string, unknown>; request?: Record<string, unknown> };

function bundleWith(change: (bundle: Record<string, unknown>, entries: Entry[]) => void): Record<string, unknown> {
  const bundle = minimalTransactionBundle(ID);
  change(bundle, bundle.entry as Entry[]);
  return bundle;
}

function expressions(body: unknown, key = ID): [string, string[]][] {
  const check = checkTransactionBundle(body, key);
  return check.ok ? [] : check.issues.map((i) => [i.code, i.expression]);
}

describe('checkTransactionBundle', () => {
  it('accepts the minimal message and keeps only ids, status and codes', () => {
    expect(checkTransactionBundle(minimalTransactionBundle(ID), ID)).toEqual({
      ok: true,
      facts: { messageId: ID, entryCount: 2, observation: { path: 'Bundle.entry[1]', status: 'final', loinc: '94558-4' } },
    });
  });

  it('refuses anything but a Bundle', () => {
    expect(expressions({ resourceType: 'Patient' })).toEqual([['invalid', ['Bundle.resourceType']]]);
    expect(expressions(undefined)).toEqual([['invalid', ['Bundle.resourceType']]]);
  });

  it('requires a transaction whose identifier equals the Idempotency-Key', () => {
    expect(expressions(bundleWith((b) => (b.type = 'batch')))).toEqual([['invalid', ['Bundle.type']]]);
    expect(expressions(minimalTransactionBundle(ID), 'another-key')).toEqual([['invalid', ['Bundle.identifier.value']]]);
    expect(checkTransactionBundle(minimalTransactionBundle(ID), undefined)).toEqual({
      ok: false,
      issues: [{ severity: 'error', code: 'invalid', expression: ['Bundle.identifier.value'] }],
    });
    expect(expressions(bundleWith((b) => delete b.identifier))).toEqual([['required', ['Bundle.identifier.value']]]);
  });

  it('requires entries, each with a resource and a request', () => {
    expect(expressions(bundleWith((b) => (b.entry = [])))).toEqual([['required', ['Bundle.entry']]]);
    const issues = expressions(
      bundleWith((_, e) => {
        delete e[0]!.request;
        e[1]!.request!.method = 'SEND';
      }),
    );
    expect(issues).toEqual([
      ['required', ['Bundle.entry[0].request']],
      ['invalid', ['Bundle.entry[1].request.method']],
    ]);
  });

  it('requires a Patient and an Observation', () => {
    expect(expressions(bundleWith((b, e) => (b.entry = [e[1]])))).toEqual([
      ['required', ['Bundle.entry.resource.ofType(Patient)']],
    ]);
    expect(expressions(bundleWith((b, e) => (b.entry = [e[0]])))).toEqual([
      ['required', ['Bundle.entry.resource.ofType(Observation)']],
    ]);
  });

  it('reports every fault of the Observation at its path', () => {
    const issues = expressions(
      bundleWith((_, e) => {
        const observation = e[1]!.resource!;
        observation.code = { coding: [{ system: 'http://snomed.info/sct', code: '94558-4' }] };
        delete observation.valueCodeableConcept;
        observation.effectiveDateTime = '31/12/2021';
        delete observation.status;
      }),
    );
    expect(issues).toEqual([
      ['required', ['Bundle.entry[1].resource.status']],
      ['invalid', ['Bundle.entry[1].resource.code']],
      ['required', ['Bundle.entry[1].resource.valueCodeableConcept']],
      ['invalid', ['Bundle.entry[1].resource.effectiveDateTime']],
    ]);
  });

  it('never quotes a submitted value in its issues', () => {
    const body = bundleWith((_, e) => {
      e[0]!.resource!.resourceType = PERSONAL_VALUES.family;
      e[1]!.resource!.effectiveDateTime = PERSONAL_VALUES.birthDate.replaceAll('-', '/');
    });
    const check = checkTransactionBundle(body, ID);
    expect(check.ok).toBe(false);
    const text = JSON.stringify(check);
    for (const value of [...Object.values(PERSONAL_VALUES), '1985/03/14']) expect(text).not.toContain(value);
  });
});
