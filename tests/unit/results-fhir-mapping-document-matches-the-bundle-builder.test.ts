import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { createIntakeSchema } from '../../gateway/src/results/index.js';
import { messageOf } from '../support/sidep-test-kit.js';
import { SYNTHETIC_NIR, SYNTHETIC_NOW, syntheticNir, syntheticResult, type SyntheticOverrides } from '../support/synthetic-result.js';

const DOCUMENT = readFileSync(new URL('../../docs/sidep-mapping.md', import.meta.url), 'utf8');
const MESSAGE_ID = '5d0c7a43-2b1e-4f6a-8c9d-0e1f2a3b4c5d';
const minutesAgo = (minutes: number): string => new Date(SYNTHETIC_NOW.getTime() - minutes * 60_000).toISOString();
const address = (change: Record<string, unknown>) => ({ address: { line: ['1 rue de l’Exemple'], postalCode: '69001', city: 'Lyon', inseeCode: '69123', country: 'FR', ...change } });

/** Two valid bodies for each intake field, equal but for that field. */
const VARIANTS: Record<string, [SyntheticOverrides, SyntheticOverrides]> = {
  pharmacyFiness: [{ pharmacyFiness: '759999907' }, { pharmacyFiness: '759999915' }],
  'performer.rpps': [{ performer: { rpps: '10000123454' } }, { performer: { rpps: '99700771191' } }],
  'performer.adeli': [{ performer: { rpps: undefined, adeli: '691234567' } }, { performer: { rpps: undefined, adeli: '691234568' } }],
  'patient.nir': [{}, { patient: { nir: syntheticNir() } }],
  'patient.noNirReason': [{ patient: { nir: undefined, noNirReason: 'foreign-visitor' } }, { patient: { nir: undefined, noNirReason: 'unknown' } }],
  'patient.insStatus': [{ patient: { insStatus: 'PROV' } }, { patient: { insStatus: 'VALI' } }],
  'patient.birthName': [{ patient: { birthName: 'Testeur' } }, { patient: { birthName: 'Autrenom' } }],
  'patient.firstNames': [{ patient: { firstNames: ['Jean', 'Émile'] } }, { patient: { firstNames: ['Paul', 'Émile'] } }],
  'patient.usedName': [{ patient: { usedName: 'Alpha' } }, { patient: { usedName: 'Beta' } }],
  'patient.birthDate': [{ patient: { birthDate: '1985-03-14' } }, { patient: { birthDate: '1985-03-15' } }],
  'patient.sex': [{ patient: { nir: undefined, noNirReason: 'unknown', sex: 'F' } }, { patient: { nir: undefined, noNirReason: 'unknown', sex: 'U' } }],
  'patient.birthPlaceInsee': [{ patient: { birthPlaceInsee: '69123' } }, { patient: { birthPlaceInsee: '69124' } }],
  'patient.phone': [{ patient: { phone: '0639981234' } }, { patient: { phone: '0639981235' } }],
  'patient.email': [{ patient: { email: 'a@example.org' } }, { patient: { email: 'b@example.org' } }],
  'patient.address.line': [{ patient: address({}) }, { patient: address({ line: ['2 rue de l’Exemple'] }) }],
  'patient.address.postalCode': [{ patient: address({}) }, { patient: address({ postalCode: '69002' }) }],
  'patient.address.city': [{ patient: address({}) }, { patient: address({ city: 'Villeurbanne' }) }],
  'patient.address.inseeCode': [{ patient: address({}) }, { patient: address({ inseeCode: '69266' }) }],
  'patient.address.country': [{ patient: address({}) }, { patient: address({ country: 'BE' }) }],
  'test.loinc': [{ test: { loinc: '94558-4' } }, { test: { loinc: '97097-0' } }],
  'test.result': [{ test: { result: '260415000' } }, { test: { result: '260373001' } }],
  'test.specimen': [{ test: { specimen: '258500001' } }, { test: { specimen: '697989009' } }],
  'test.device.euRatId': [{ test: { device: { euRatId: '1232' } } }, { test: { device: { euRatId: '1468' } } }],
  'test.device.name': [{ test: { device: { name: 'Appareil A' } } }, { test: { device: { name: 'Appareil B' } } }],
  'test.collectedAt': [{ test: { collectedAt: minutesAgo(20) } }, { test: { collectedAt: minutesAgo(30) } }],
  'test.resultAt': [{ test: { resultAt: minutesAgo(5) } }, { test: { resultAt: minutesAgo(4) } }],
  externalRef: [{ externalRef: 'LGO-2021-000042' }, { externalRef: 'LGO-2021-000043' }],
};

interface Row {
  field: string;
  elements: string[];
  system: string;
}

/** The rows of the document's table; code spans hold the field, the elements and the system. */
function documentedRows(): Row[] {
  const spans = (cell = '') => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  return DOCUMENT.split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const [field, elements, , system] = line.split('|').slice(1, -1).map((cell) => cell.trim());
      return { field: spans(field)[0]!, elements: (elements ?? '').startsWith('—') ? [] : spans(elements), system: spans(system)[0] ?? '' };
    });
}

/** Every field of the intake contract, from its OpenAPI schema (arrays of text are one field). */
function intakeFields(): string[] {
  const app = new OpenAPIHono();
  const route = createRoute({ method: 'post', path: '/', request: { body: { content: { 'application/json': { schema: createIntakeSchema({ now: () => SYNTHETIC_NOW }) } } } }, responses: { 202: { description: 'ok' } } });
  app.openapi(route, (c) => c.body(null, 202));
  const schemas = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 'intake', version: '1' } }).components?.schemas ?? {};
  const fields = (schema: any, prefix: string): string[] =>
    schema?.type === 'object' || schema?.properties
      ? Object.entries(schema.properties ?? {}).flatMap(([key, sub]) => fields(sub, prefix === '' ? key : `${prefix}.${key}`))
      : [prefix];
  return fields(schemas.TestResultSubmission, '');
}

/** Leaves of a message by their path (`Patient.name[0].family`), the transaction's own fields aside. */
function leaves(value: unknown, path: string, out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(value)) value.forEach((item, i) => leaves(item, `${path}[${i}]`, out));
  else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) leaves(item, `${path}.${key}`, out);
  else out.set(path, value);
  return out;
}

function messageLeaves(overrides: SyntheticOverrides): Map<string, unknown> {
  const bundle = messageOf(syntheticResult({ ...overrides, patient: { nir: SYNTHETIC_NIR, ...overrides.patient } }, SYNTHETIC_NOW), { messageId: MESSAGE_ID, now: SYNTHETIC_NOW });
  const out = new Map<string, unknown>();
  for (const entry of bundle.entry) leaves(entry.resource, entry.resource.resourceType, out);
  return out;
}

/** What changes between two bodies: element paths without indexes, and the systems beside the changed codes and values. */
function mappingOf([a, b]: [SyntheticOverrides, SyntheticOverrides]): { elements: string[]; systems: string[] } {
  const before = messageLeaves(a);
  const after = messageLeaves(b);
  // a display follows its code from the code list
  const changed = [...new Set([...before.keys(), ...after.keys()])].filter((p) => before.get(p) !== after.get(p) && !p.endsWith('.display'));
  const systems = changed.flatMap((p) => (/\.(code|value)$/.test(p) ? [after.get(p.replace(/\.(code|value)$/, '.system'))] : [])).filter((s) => s !== undefined);
  return { elements: [...new Set(changed.map((p) => p.replace(/\[\d+\]/g, '')))].sort(), systems: [...new Set(systems as string[])] };
}

describe('docs/sidep-mapping.md', () => {
  it('has one row for every field of the intake contract', () => {
    const documented = documentedRows().map((r) => r.field);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual(intakeFields().sort());
    expect(Object.keys(VARIANTS).sort()).toEqual(intakeFields().sort());
  });

  it.each(documentedRows().map((row) => [row.field, row]))('maps %s to the elements and system the message builder uses', (field, row) => {
    expect(mappingOf(VARIANTS[field]!)).toEqual({ elements: [...row.elements].sort(), systems: row.system === '' ? [] : [row.system] });
  });

  it('names every profile and extension the message uses', () => {
    const full = messageLeaves({ patient: { usedName: 'Alpha', insStatus: 'QUAL', ...address({}) } });
    const qualified = [...full.entries()].filter(([p]) => /(meta\.profile\[\d+\]|\.url)$/.test(p)).map(([, v]) => String(v));
    const provisional = [...messageLeaves({}).entries()].filter(([p]) => p.endsWith('.profile[0]')).map(([, v]) => String(v));
    for (const url of [...qualified, ...provisional]) expect(DOCUMENT, url).toContain(url.startsWith('https://hl7.fr/') ? url.split('/').at(-1)! : url);
  });
});
