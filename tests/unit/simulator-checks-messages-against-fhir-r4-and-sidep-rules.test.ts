import { describe, expect, it } from 'vitest';
import { crawlTypedValue, toTypedValue } from '@medplum/core';
import { checkTransactionBundle, loadR4Definitions } from '@sidep-gateway/sidep-simulator';
import { PERSONAL_VALUES, validTransactionBundle } from '../support/sidep-test-kit.js';

const ID = '0b8f6a52-4a43-4a3c-9d43-6c8e8c9b1f11';
// entries of the gateway's message, in its order
const [PATIENT, PRACTITIONER, ORGANIZATION, ROLE, DEVICE, SPECIMEN, OBSERVATION] = [0, 1, 2, 3, 4, 5, 6].map((i) => `Bundle.entry[${i}]`);

type Json = Record<string, any>;

function bundleWith(change: (bundle: Json) => void = () => {}): Json {
  const bundle = validTransactionBundle(ID);
  change(bundle);
  return bundle;
}

function issuesOf(body: unknown, ...key: [string | undefined] | []): [string, string][] {
  const check = checkTransactionBundle(body, key.length === 0 ? ID : key[0], Date.now());
  return check.ok ? [] : check.issues.map((i) => [i.code, i.expression.join()]);
}

/** Removes the element at a FHIRPath-like path (`Bundle.entry[6].resource.subject`). */
function without(path: string): Json {
  return bundleWith((bundle) => {
    const steps = path.split('.').slice(1).flatMap((step) => step.split(/\[(\d+)\]/).filter((s) => s !== ''));
    const last = steps.pop()!;
    // a choice element (`value[x]`) is the one property sent under its name
    const property = (node: any, step: string): string => (step.endsWith('[x]') ? Object.keys(node).find((k) => k.startsWith(step.slice(0, -3)))! : step);
    const parent = steps.reduce<any>((node, step) => node[property(node, step)], bundle);
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  });
}

/** Paths of the gateway's message whose element R4 requires (`min ≥ 1`), read from the R4 definitions. */
function r4RequiredPaths(): string[] {
  loadR4Definitions();
  const paths = new Set<string>();
  crawlTypedValue(toTypedValue(bundleWith()), {
    visitProperty(_parent, key, _path, values, schema) {
      const min = schema.elements[key]?.min ?? 0;
      if (min >= 1) for (const value of values.flat()) paths.add(value.path);
    },
  });
  return [...paths];
}

describe('the simulator checks each message', () => {
  it('accepts the gateway message and keeps only ids, status and codes', () => {
    expect(checkTransactionBundle(bundleWith(), ID, Date.now())).toEqual({
      ok: true,
      facts: { messageId: ID, entryCount: 7, observation: { path: OBSERVATION, status: 'final', loinc: '94558-4' } },
    });
  });

  it('refuses anything but a Bundle', () => {
    expect(issuesOf({ resourceType: 'Patient' })).toEqual([['structure', 'Bundle']]);
    expect(issuesOf(undefined)).toEqual([['structure', 'Bundle']]);
  });

  it('refuses what is not valid FHIR R4 with a 400 kind of fault, one issue per fault', () => {
    const body = bundleWith((b) => {
      b.entry[6].resource.status = 'bogus-status';
      b.entry[6].resource.effectiveDateTime = 12;
      b.entry[0].resource.nickname = 'x';
    });
    const check = checkTransactionBundle(body, ID, Date.now());
    expect(check).toMatchObject({ ok: false, kind: 'structure' });
    expect(issuesOf(body)).toEqual(expect.arrayContaining([
      ['structure', `${PATIENT}.resource.nickname`],
      ['structure', `${OBSERVATION}.resource.effectiveDateTime`],
    ]));
  });

  it('refuses a code outside the value set of its required R4 binding as not FHIR R4', () => {
    const bogusStatus = bundleWith((b) => (b.entry[6].resource.status = 'bogus-status'));
    expect(checkTransactionBundle(bogusStatus, ID, Date.now())).toMatchObject({ ok: false, kind: 'structure' });
    expect(issuesOf(bogusStatus)).toEqual([['code-invalid', `${OBSERVATION}.resource.status`]]);
    const martian = bundleWith((b) => (b.entry[0].resource.gender = 'martian'));
    expect(issuesOf(martian)).toEqual([['code-invalid', `${PATIENT}.resource.gender`]]);
  });

  it.each<[string, (b: Json) => void, [string, string][]]>([
    ['an empty Patient', (b) => (b.entry[0].resource = { resourceType: 'Patient' }), [
      ['invalid', `${PATIENT}.request.ifNoneExist`],
      ['required', `${PATIENT}.resource.name`],
      ['required', `${PATIENT}.resource.gender`],
      ['required', `${PATIENT}.resource.birthDate`],
      ['required', `${PATIENT}.resource.telecom`],
    ]],
    ['a DELETE entry', (b) => b.entry.push({ fullUrl: 'urn:uuid:7a1c1b0e-0000-4000-8000-000000000009', request: { method: 'DELETE', url: 'Patient/1' } }), [
      ['required', 'Bundle.entry[7].resource'],
      ['not-supported', 'Bundle.entry[7].request.method'],
      ['required', 'Bundle.entry[7].request.ifNoneExist'],
    ]],
    ['a GET entry', (b) => b.entry.push({ fullUrl: 'urn:uuid:7a1c1b0e-0000-4000-8000-000000000009', request: { method: 'GET', url: 'Patient' } }), [
      ['required', 'Bundle.entry[7].resource'],
      ['not-supported', 'Bundle.entry[7].request.method'],
      ['required', 'Bundle.entry[7].request.ifNoneExist'],
    ]],
    ['a code that is not LOINC', (b) => (b.entry[6].resource.code = { coding: [{ system: 'http://loinc.org', code: 'not-a-loinc' }] }), [['code-invalid', `${OBSERVATION}.resource.code`]]],
    ['a value coded under urn:anything', (b) => (b.entry[6].resource.valueCodeableConcept = { coding: [{ system: 'urn:anything', code: '260415000' }] }), [['code-invalid', `${OBSERVATION}.resource.valueCodeableConcept`]]],
    ['a collection in "2099"', (b) => (b.entry[6].resource.effectiveDateTime = '2099'), [
      ['invalid', `${OBSERVATION}.resource.effectiveDateTime`],
      ['business-rule', `${OBSERVATION}.resource.issued`],
    ]],
    ['a collection in the future', (b) => {
      const future = new Date(Date.now() + 3_600_000).toISOString();
      b.entry[6].resource.effectiveDateTime = future;
      b.entry[5].resource.collection.collectedDateTime = future;
    }, [
      ['business-rule', `${SPECIMEN}.resource.collection.collectedDateTime`],
      ['business-rule', `${OBSERVATION}.resource.effectiveDateTime`],
      ['business-rule', `${OBSERVATION}.resource.issued`],
    ]],
    ['a result read before collection', (b) => (b.entry[6].resource.issued = '2021-01-01T00:00:00Z'), [['business-rule', `${OBSERVATION}.resource.issued`]]],
    ['a specimen that is not in the SNOMED CT list', (b) => (b.entry[5].resource.type.coding[0].code = '123456'), [['code-invalid', `${SPECIMEN}.resource.type`]]],
    ['a NIR with a wrong key', (b) => (b.entry[0].resource.identifier[0].value = '185036912345610'), [['invalid', `${PATIENT}.resource.identifier[0].value`]]],
    ['an RPPS with a wrong Luhn key', (b) => (b.entry[1].resource.identifier[0].value = '10000123455'), [['invalid', `${PRACTITIONER}.resource.identifier[0].value`], ['invalid', `${PRACTITIONER}.request.ifNoneExist`]]],
    ['a FINESS with a wrong Luhn key', (b) => (b.entry[2].resource.identifier[0].value = '759999908'), [['invalid', `${ORGANIZATION}.request.ifNoneExist`], ['invalid', `${ORGANIZATION}.resource.identifier[0].value`]]],
    ['a device outside the EU list', (b) => (b.entry[4].resource.identifier[0].value = '999999'), [['invalid', `${DEVICE}.request.ifNoneExist`], ['code-invalid', `${DEVICE}.resource.identifier[0].value`]]],
    ['a reference to no entry', (b) => (b.entry[6].resource.subject.reference = 'urn:uuid:7a1c1b0e-0000-4000-8000-00000000000f'), [['not-found', `${OBSERVATION}.resource.subject`]]],
    ['a reference to an entry of the wrong type', (b) => (b.entry[6].resource.specimen.reference = b.entry[4].fullUrl), [['invalid', `${OBSERVATION}.resource.specimen`]]],
    ['a batch', (b) => (b.type = 'batch'), [['invalid', 'Bundle.type']]],
    ['a PUT', (b) => (b.entry[3].request.method = 'PUT'), [['not-supported', `${ROLE}.request.method`]]],
  ])('refuses %s, naming each element at fault', (_, change, expected) => {
    expect(issuesOf(bundleWith(change)).sort()).toEqual(expected.sort());
  });

  it('requires the identifier to be the Idempotency-Key', () => {
    expect(issuesOf(bundleWith(), 'another-key')).toEqual([['invalid', 'Bundle.identifier.value']]);
    expect(issuesOf(bundleWith(), undefined)).toEqual([['invalid', 'Bundle.identifier.value']]);
  });

  it.each([
    ...r4RequiredPaths().map((path): [string, string] => [path, path.replace('value[x]', 'valueAddress')]),
    ['Bundle.identifier', 'Bundle.identifier.value'],
    [`${PATIENT}.fullUrl`, `${PATIENT}.fullUrl`],
    [`${PATIENT}.resource`, `${PATIENT}.resource`],
    [`${PATIENT}.request`, 'Bundle'], // R4 invariant bdl-3, on the Bundle
    [`${PATIENT}.request.ifNoneExist`, `${PATIENT}.request.ifNoneExist`],
    [`${PATIENT}.resource.name`, `${PATIENT}.resource.name`],
    [`${PATIENT}.resource.gender`, `${PATIENT}.resource.gender`],
    [`${PATIENT}.resource.birthDate`, `${PATIENT}.resource.birthDate`],
    [`${PRACTITIONER}.resource.identifier`, `${PRACTITIONER}.resource.identifier`],
    [`${ORGANIZATION}.resource.identifier`, `${ORGANIZATION}.resource.identifier`],
    [`${ROLE}.resource.practitioner`, `${ROLE}.resource.practitioner`],
    [`${ROLE}.resource.organization`, `${ROLE}.resource.organization`],
    [`${SPECIMEN}.resource.type`, `${SPECIMEN}.resource.type`],
    [`${SPECIMEN}.resource.subject`, `${SPECIMEN}.resource.subject`],
    [`${SPECIMEN}.resource.collection`, `${SPECIMEN}.resource.collection.collectedDateTime`],
    [`${OBSERVATION}.resource.subject`, `${OBSERVATION}.resource.subject`],
    [`${OBSERVATION}.resource.valueCodeableConcept`, `${OBSERVATION}.resource.valueCodeableConcept`],
    [`${OBSERVATION}.resource.specimen`, `${OBSERVATION}.resource.specimen`],
    [`${OBSERVATION}.resource.device`, `${OBSERVATION}.resource.device`],
    [`${OBSERVATION}.resource.performer`, `${OBSERVATION}.resource.performer`],
    [`${OBSERVATION}.resource.effectiveDateTime`, `${OBSERVATION}.resource.effectiveDateTime`],
    [`${OBSERVATION}.resource.issued`, `${OBSERVATION}.resource.issued`],
    ...['Patient', 'Practitioner', 'Organization', 'PractitionerRole', 'Device', 'Specimen', 'Observation'].map((type, i): [string, string] => [
      `Bundle.entry[${i}]`,
      `Bundle.entry.resource.ofType(${type})`,
    ]),
  ])('refuses the message without %s, naming %s', (removed, named) => {
    expect(issuesOf(without(removed)).map(([, expression]) => expression)).toContain(named);
  });

  it('requires a contact for a patient without a NIR', () => {
    const noNir = bundleWith((b) => {
      b.entry[0].resource.identifier.shift();
      delete b.entry[0].resource.telecom;
    });
    expect(issuesOf(noNir)).toEqual([['required', `${PATIENT}.resource.telecom`]]);
  });

  it('never quotes a submitted value in its issues', () => {
    const body = bundleWith((b) => {
      b.entry[0].resource.birthDate = PERSONAL_VALUES.birthDate.replaceAll('-', '/');
      b.entry[0].resource.identifier[0].value = `${PERSONAL_VALUES.nir}0`;
      b.entry[0].resource.name[0].family = 42;
    });
    const text = JSON.stringify(checkTransactionBundle(body, ID, Date.now()));
    expect(text).toContain('"ok":false');
    for (const value of [...Object.values(PERSONAL_VALUES), '1985/03/14']) expect(text).not.toContain(value);
  });
});
