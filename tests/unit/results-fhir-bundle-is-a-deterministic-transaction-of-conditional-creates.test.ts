import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  createIntakeSchema,
  parseIntake,
  toFhirBundle,
  type FhirMessageInput,
  type Resource,
  type TestResultInput,
  type TransactionBundle,
} from '../../gateway/src/results/index.js';
import { SYNTHETIC_NOW } from '../support/synthetic-result.js';
import { bodyWith, type LooseBody } from './results-intake-kit.js';

const MESSAGE_ID = '0b6a4d38-5f0e-4d3a-9a43-2f6f1f0c0a01';
const RESULT_ID = '6f1f0c0a-9a43-4d3a-8f0e-0b6a4d385f02';
const ORIGINAL_ID = '9a434d3a-0b6a-4d38-8f0e-6f1f0c0a5f03';

const schema = createIntakeSchema({ now: () => SYNTHETIC_NOW });
const resultOf = (mutate?: (body: LooseBody) => void): TestResultInput => parseIntake(schema, bodyWith(mutate));

function bundleOf(options: Partial<FhirMessageInput> = {}): TransactionBundle {
  return toFhirBundle({
    messageId: MESSAGE_ID,
    resultId: RESULT_ID,
    kind: 'original',
    result: resultOf(),
    pharmacy: { finess: '759999907' },
    issuedAt: SYNTHETIC_NOW,
    ...options,
  });
}

function resourceOf<T extends Resource['resourceType']>(bundle: TransactionBundle, type: T): Extract<Resource, { resourceType: T }> {
  const entry = bundle.entry.find((e) => e.resource.resourceType === type);
  if (entry === undefined) throw new Error(`no ${type} entry`);
  return entry.resource as Extract<Resource, { resourceType: T }>;
}

/** Every `reference` anywhere in a value. */
function referencesIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencesIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) => (key === 'reference' && typeof v === 'string' ? [v] : referencesIn(v)));
}

function expectWellFormedTransaction(bundle: TransactionBundle): void {
  const fullUrls = bundle.entry.map((e) => e.fullUrl);
  expect(new Set(fullUrls).size).toBe(fullUrls.length);
  for (const url of fullUrls) expect(url).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  for (const reference of referencesIn(bundle)) expect(fullUrls).toContain(reference);
  for (const { resource, request } of bundle.entry) {
    expect(request.method).toBe('POST');
    expect(request.url).toBe(resource.resourceType);
    const keys = resource.identifier.map((i) => `identifier=${i.system}|${i.value}`);
    expect(keys).toContain(request.ifNoneExist);
  }
}

describe('FHIR message (DOMAIN.md §1)', () => {
  it('is a transaction Bundle identified by the message id, stamped with the receipt time', () => {
    const bundle = bundleOf();
    expect(bundle).toMatchObject({
      resourceType: 'Bundle',
      type: 'transaction',
      identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${MESSAGE_ID}` },
      timestamp: SYNTHETIC_NOW.toISOString(),
    });
    expect(bundle.entry.map((e) => e.resource.resourceType)).toEqual([
      'Patient',
      'Practitioner',
      'Organization',
      'PractitionerRole',
      'Device',
      'Specimen',
      'Observation',
    ]);
    expectWellFormedTransaction(bundle);
  });

  it('carries the result as a final Observation keyed on the result id', () => {
    const result = resultOf();
    const bundle = bundleOf({ result });
    const observation = resourceOf(bundle, 'Observation');
    const url = (type: string) => bundle.entry.find((e) => e.resource.resourceType === type)?.fullUrl;
    expect(observation).toMatchObject({
      status: 'final',
      identifier: [{ system: 'urn:sidep-gateway:result', value: RESULT_ID }],
      code: { coding: [{ system: 'http://loinc.org', code: '94558-4' }] },
      valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '260415000', display: 'Not detected' }] },
      effectiveDateTime: result.test.collectedAt,
      issued: result.test.resultAt,
      subject: { reference: url('Patient') },
      specimen: { reference: url('Specimen') },
      device: { reference: url('Device') },
      performer: [{ reference: url('PractitionerRole') }, { reference: url('Organization') }],
    });
    expect(observation.extension).toBeUndefined();
    expect(bundle.entry.at(-1)?.request.ifNoneExist).toBe(`identifier=urn:sidep-gateway:result|${RESULT_ID}`);
  });

  it('describes a provisional identity with fr-core-patient and the NIR as social security number', () => {
    const result = resultOf();
    const patient = resourceOf(bundleOf({ result }), 'Patient');
    expect(patient.meta.profile).toEqual(['https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient']);
    expect(patient.identifier[0]).toEqual({
      use: 'official',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'NH' }] },
      system: 'urn:oid:1.2.250.1.213.1.4.8',
      value: result.patient.nir,
    });
    expect(patient.extension[0]?.extension?.[0]?.valueCoding?.code).toBe('PROV');
    expect(patient).toMatchObject({
      gender: 'male',
      birthDate: '1985-03-14',
      name: [{ use: 'official', family: 'Testeur', given: ['Jean'], extension: [{ valueString: 'Jean Émile' }] }],
      telecom: [
        { system: 'phone', value: '+33639981234' },
        { system: 'email', value: 'jean.testeur@example.org' },
      ],
    });
  });

  it('uses fr-core-patient-ins and the INS-NIR only for a qualified identity', () => {
    const patient = resourceOf(bundleOf({ result: resultOf((b) => (b.patient.insStatus = 'QUAL')) }), 'Patient');
    expect(patient.meta.profile).toEqual(['https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-ins']);
    expect(patient.identifier[0]?.type?.coding?.[0]).toEqual({ system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203', code: 'INS-NIR' });
    expect(patient.extension.map((e) => e.url)).toContain('http://hl7.org/fhir/StructureDefinition/patient-birthPlace');
    for (const status of ['RECUP', 'VALI']) {
      const other = resourceOf(bundleOf({ result: resultOf((b) => (b.patient.insStatus = status)) }), 'Patient');
      expect(other.meta.profile).toEqual(['https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient']);
    }
  });

  it('sends no NIR identifier for a patient without one', () => {
    const result = resultOf((b) => {
      delete b.patient.nir;
      b.patient.noNirReason = 'foreign-visitor';
    });
    const patient = resourceOf(bundleOf({ result }), 'Patient');
    expect(patient.identifier).toEqual([{ system: 'urn:sidep-gateway:result', value: RESULT_ID }]);
  });

  it('names the performer by RPPS, or by idNatPs 0+ADELI, and the organisation by the pharmacy FINESS', () => {
    const bundle = bundleOf({ pharmacy: { finess: '759999915' } });
    expect(resourceOf(bundle, 'Practitioner').identifier).toEqual([
      { type: { coding: [{ system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203', code: 'RPPS' }] }, system: 'https://rpps.esante.gouv.fr', value: '10000123454' },
    ]);
    expect(resourceOf(bundle, 'Organization').identifier).toEqual([{ system: 'https://finess.esante.gouv.fr', value: '759999915' }]);
    const adeli = bundleOf({ result: resultOf((b) => (b.performer = { adeli: '691234567' })) });
    expect(resourceOf(adeli, 'Practitioner').identifier[0]).toMatchObject({ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '0691234567' });
    expect(adeli.entry[1]?.request.ifNoneExist).toBe('identifier=urn:oid:1.2.250.1.71.4.2.1|0691234567');
  });

  it('identifies a listed device by its JRC id and an unlisted one by name', () => {
    expect(resourceOf(bundleOf(), 'Device')).toEqual({
      resourceType: 'Device',
      identifier: [{ system: 'https://covid-19-diagnostics.jrc.ec.europa.eu/devices', value: '1232' }],
      deviceName: [{ name: 'Abbott Rapid Diagnostics, Panbio COVID-19 Ag Rapid Test', type: 'user-friendly-name' }],
    });
    const named = resourceOf(bundleOf({ result: resultOf((b) => (b.test.device = { name: 'Autotest X' })) }), 'Device');
    expect(named.deviceName).toEqual([{ name: 'Autotest X', type: 'user-friendly-name' }]);
    expect(named.identifier).toEqual([{ system: 'urn:sidep-gateway:result', value: RESULT_ID }]);
  });

  it('types the specimen in SNOMED CT with its collection time', () => {
    const result = resultOf();
    expect(resourceOf(bundleOf({ result }), 'Specimen')).toMatchObject({
      type: { coding: [{ system: 'http://snomed.info/sct', code: '258500001' }] },
      collection: { collectedDateTime: result.test.collectedAt },
    });
  });

  it('marks a correction as corrected, replacing the original by its result id', () => {
    const observation = resourceOf(bundleOf({ kind: 'correction', replaces: ORIGINAL_ID }), 'Observation');
    expect(observation.status).toBe('corrected');
    expect(observation.extension).toEqual([
      {
        url: 'http://hl7.org/fhir/StructureDefinition/observation-replaces',
        valueReference: { type: 'Observation', identifier: { system: 'urn:sidep-gateway:result', value: ORIGINAL_ID } },
      },
    ]);
  });

  it('marks a cancellation as entered-in-error under its own key, so ifNoneExist does not swallow it', () => {
    const bundle = bundleOf({ kind: 'cancellation' });
    const observation = resourceOf(bundle, 'Observation');
    expect(observation.status).toBe('entered-in-error');
    expect(observation.identifier).toEqual([{ system: 'urn:sidep-gateway:cancellation', value: RESULT_ID }]);
    expect(observation.extension?.[0]?.valueReference?.identifier?.value).toBe(RESULT_ID);
    expectWellFormedTransaction(bundle);
  });

  it('is byte-identical when rebuilt, also from a result that went through JSON (sealed and opened)', () => {
    const result = resultOf();
    const first = JSON.stringify(bundleOf({ result }));
    expect(JSON.stringify(bundleOf({ result: JSON.parse(JSON.stringify(result)) }))).toBe(first);
    const other = bundleOf({ result, resultId: ORIGINAL_ID });
    expect(other.entry.map((e) => e.fullUrl)).not.toEqual(bundleOf({ result }).entry.map((e) => e.fullUrl));
  });

  it('stays a well-formed, deterministic transaction for any mix of optional parts', () => {
    const variant = fc.record({
      kind: fc.constantFrom('original' as const, 'correction' as const, 'cancellation' as const),
      insStatus: fc.constantFrom('PROV', 'RECUP', 'VALI', 'QUAL'),
      withoutNir: fc.boolean(),
      contact: fc.constantFrom('phone', 'email', 'both'),
      performer: fc.constantFrom({ rpps: '10000123454' }, { adeli: '691234567' }, { rpps: '10000123454', adeli: '691234567' }),
      device: fc.constantFrom({ euRatId: '1468' }, { name: 'Autotest' }, { euRatId: '1223', name: 'Biosynex' }),
      resultId: fc.uuid(),
    });
    fc.assert(
      fc.property(variant, (v) => {
        const result = resultOf((b) => {
          b.patient.insStatus = v.insStatus;
          if (v.withoutNir && v.insStatus !== 'QUAL') {
            delete b.patient.nir;
            b.patient.noNirReason = 'unknown';
          }
          if (v.contact === 'phone') delete b.patient.email;
          if (v.contact === 'email') delete b.patient.phone;
          b.performer = v.performer;
          b.test.device = v.device;
        });
        const input = { kind: v.kind, resultId: v.resultId, result, ...(v.kind === 'correction' ? { replaces: ORIGINAL_ID } : {}) };
        const bundle = bundleOf(input);
        expectWellFormedTransaction(bundle);
        expect(JSON.stringify(bundleOf(input))).toBe(JSON.stringify(bundle));
      }),
      { numRuns: 60 },
    );
  });
});
