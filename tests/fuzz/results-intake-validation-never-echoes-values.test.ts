import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ValidationFailed, type FieldIssue } from '../../gateway/src/errors.js';
import { EXAMPLE_SUBMISSION, INTAKE_ISSUE_CODES, createIntakeSchema, parseIntake } from '../../gateway/src/results/index.js';
import { SYNTHETIC_NOW, syntheticResult } from '../support/synthetic-result.js';

const schema = createIntakeSchema({ now: () => SYNTHETIC_NOW });

/** The issues of a body; anything thrown other than ValidationFailed fails the property. */
function issuesOf(body: unknown): FieldIssue[] {
  try {
    parseIntake(schema, body);
    return [];
  } catch (e) {
    if (e instanceof ValidationFailed) return e.errors;
    throw e;
  }
}

function walk(value: unknown, visit: (key: string | undefined, leaf: unknown) => void): void {
  if (Array.isArray(value)) return value.forEach((item) => walk(item, visit));
  if (typeof value !== 'object' || value === null) return visit(undefined, value);
  for (const [key, item] of Object.entries(value)) {
    visit(key, undefined);
    walk(item, visit);
  }
}

function keysAndStringsOf(value: unknown): { keys: string[]; strings: string[] } {
  const keys: string[] = [];
  const strings: string[] = [];
  walk(value, (key, leaf) => {
    if (key !== undefined) keys.push(key);
    if (typeof leaf === 'string') strings.push(leaf);
  });
  return { keys, strings };
}

const SCHEMA_FIELDS = [...keysAndStringsOf(EXAMPLE_SUBMISSION).keys, 'noNirReason', 'usedName', 'adeli', 'name'];
const CODES: readonly string[] = INTAKE_ISSUE_CODES;

/**
 * No issue carries a submitted value: codes come from the closed list, pointers are made of
 * keys (submitted or of the schema) and array indices, and no submitted string of 3+
 * characters appears in the serialised issues. Strings that could legitimately occur there,
 * being part of a key, a code or the JSON around them, are not searched for.
 */
function expectNoValueEchoed(body: unknown, issues: FieldIssue[]): void {
  const { keys, strings } = keysAndStringsOf(body);
  const allowedSegments = new Set([...keys, ...SCHEMA_FIELDS]);
  for (const issue of issues) {
    expect(Object.keys(issue).sort()).toEqual(['code', 'pointer']);
    expect(CODES).toContain(issue.code);
    for (const segment of issue.pointer.split('/').slice(1)) {
      const key = segment.replace(/~1/g, '/').replace(/~0/g, '~');
      expect(allowedSegments.has(key) || /^\d+$/.test(key)).toBe(true);
    }
  }
  const serialised = JSON.stringify(issues);
  const vocabulary = [...allowedSegments, ...CODES, 'pointer', 'code'];
  for (const value of strings) {
    const couldBeStructure = /[/"\\,:{}[\]~]/.test(value) || /^\d{1,4}$/.test(value) || vocabulary.some((word) => word.includes(value));
    if (value.length >= 3 && !couldBeStructure) expect(serialised).not.toContain(value);
  }
}

type Path = readonly (string | number)[];

const FIELD_PATHS: Path[] = [
  ['pharmacyFiness'],
  ['performer'],
  ['performer', 'rpps'],
  ['performer', 'adeli'],
  ['patient'],
  ['patient', 'nir'],
  ['patient', 'noNirReason'],
  ['patient', 'insStatus'],
  ['patient', 'birthName'],
  ['patient', 'firstNames'],
  ['patient', 'firstNames', 0],
  ['patient', 'firstNames', 1],
  ['patient', 'usedName'],
  ['patient', 'birthDate'],
  ['patient', 'sex'],
  ['patient', 'birthPlaceInsee'],
  ['patient', 'phone'],
  ['patient', 'email'],
  ['patient', 'address'],
  ['patient', 'address', 'line'],
  ['patient', 'address', 'postalCode'],
  ['patient', 'address', 'city'],
  ['patient', 'address', 'inseeCode'],
  ['patient', 'address', 'country'],
  ['test'],
  ['test', 'loinc'],
  ['test', 'result'],
  ['test', 'specimen'],
  ['test', 'device'],
  ['test', 'device', 'euRatId'],
  ['test', 'device', 'name'],
  ['test', 'collectedAt'],
  ['test', 'resultAt'],
  ['externalRef'],
];

/** Values a buggy or hostile client might send, personal-looking ones included. */
const hostileValue = fc.oneof(
  fc.string({ minLength: 3 }),
  fc.stringMatching(/^[0-9AB ]{12,17}$/),
  fc.stringMatching(/^[a-z.]{3,12}@[a-z]{3,8}(\.[a-z]{2,3})?$/),
  fc.stringMatching(/^(\+33|0)[0-9 .]{8,14}$/),
  fc.stringMatching(/^[A-Za-zÀ-ÿ' -]{3,30}[0-9_!]?$/),
  fc.string({ unit: 'grapheme', minLength: 3, maxLength: 120 }),
  fc.constant(undefined),
  fc.anything(),
);

const mutation = fc.oneof(
  fc.record({ path: fc.constantFrom(...FIELD_PATHS), value: hostileValue }),
  fc.record({ path: fc.tuple(fc.constantFrom<Path>([], ['patient'], ['test'], ['performer'], ['test', 'device']), fc.string({ minLength: 1 })).map(([p, k]) => [...p, k]), value: hostileValue }),
);

function setAt(body: Record<string, unknown>, path: Path, value: unknown): void {
  let node: unknown = body;
  for (const segment of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return;
    node = Reflect.get(node, segment);
  }
  const last = path.at(-1);
  if (typeof node !== 'object' || node === null || last === undefined) return;
  if (value === undefined) Reflect.deleteProperty(node, last);
  else Reflect.set(node, last, value);
}

describe('intake validation under random input', () => {
  it('answers any JSON value with a result or ValidationFailed, never echoing a value', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything()), (body) => {
        expectNoValueEchoed(body, issuesOf(body));
      }),
      { numRuns: 400 },
    );
  });

  it('answers sections of random content the same way', () => {
    const sections = fc.record({ performer: fc.anything(), patient: fc.anything(), test: fc.anything(), externalRef: fc.anything() }, { requiredKeys: [] });
    fc.assert(
      fc.property(sections, (body) => {
        expectNoValueEchoed(body, issuesOf(body));
      }),
      { numRuns: 300 },
    );
  });

  it('answers a valid result with random fields replaced, removed or added the same way', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (mutations) => {
        const body: Record<string, unknown> = structuredClone(syntheticResult({}, SYNTHETIC_NOW));
        for (const { path, value } of mutations) setAt(body, path, value);
        expectNoValueEchoed(body, issuesOf(body));
      }),
      { numRuns: 600 },
    );
  });

  it('still points at a NIR, e-mail and phone that fail, without their values', () => {
    const body = syntheticResult({ patient: { nir: '185036912345610', email: 'jean.secret@', phone: '06 39 98 12 3' }, externalRef: 'dupont.secret@example.org' }, SYNTHETIC_NOW);
    const issues = issuesOf(body);
    expect(issues).toEqual(
      expect.arrayContaining([
        { pointer: '/patient/nir', code: 'nir-checksum' },
        { pointer: '/patient/email', code: 'email-format' },
        { pointer: '/patient/phone', code: 'phone-format' },
        { pointer: '/externalRef', code: 'external-ref-pii' },
      ]),
    );
    expectNoValueEchoed(body, issues);
  });
});
