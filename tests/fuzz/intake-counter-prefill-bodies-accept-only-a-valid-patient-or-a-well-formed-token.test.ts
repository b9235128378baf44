import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../../gateway/src/errors.js';
import { parsePrefillBody, parseRedemptionBody, prefillBodySchema } from '../../gateway/src/intake/prefills.js';
import { createIntakeSchema, EXAMPLE_SUBMISSION } from '../../gateway/src/results/index.js';
import { SYNTHETIC_NOW } from '../support/synthetic-result.js';

/**
 * The two bodies of the counter prefill a caller controls: pharmacy software's `{patient}` (the
 * intake's own patient rules) and the counter page's `{token}`. Any value either parses to what
 * those rules allow, or is refused with `ValidationFailed` naming fields and codes, never a value.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const SEED = process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) };
const MARK = 'ZZMARK';
const schema = prefillBodySchema(createIntakeSchema({ now: () => SYNTHETIC_NOW }));
const anyValue = fc.oneof(fc.string({ maxLength: 120 }).map((s) => `${MARK}${s}`), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }), fc.object({ maxDepth: 1 }));

/** Either `parse` returns, or it throws ValidationFailed with pointers matching `pointers` and codes, never a value. */
function parsesOrNames<T>(parse: () => T, pointers: RegExp): T | undefined {
  try {
    return parse();
  } catch (e) {
    if (!(e instanceof ValidationFailed)) throw e;
    expect(e.errors.length).toBeGreaterThan(0);
    for (const issue of e.errors) {
      expect(issue.pointer).toMatch(pointers);
      expect(issue.code).toMatch(/^[a-z-]+$/);
    }
    expect(JSON.stringify(e.errors)).not.toContain(MARK);
    return undefined;
  }
}

const PATIENT_KEYS = Object.keys(EXAMPLE_SUBMISSION.patient);

describe('counter-prefill bodies', () => {
  it('pharmacy software: the example patient with any field replaced, removed or added parses only to a valid identity', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...PATIENT_KEYS, 'extra'), fc.option(anyValue, { nil: undefined }), { maxKeys: 4 }), fc.option(anyValue, { nil: undefined }), (changes, topExtra) => {
        const patient: Record<string, unknown> = { ...structuredClone(EXAMPLE_SUBMISSION.patient), ...changes };
        for (const key of Object.keys(patient)) if (patient[key] === undefined) delete patient[key];
        const body = { patient, ...(topExtra === undefined ? {} : { extra: topExtra }) };
        const p = parsesOrNames(() => parsePrefillBody(schema, body), /^\/(patient(\/.*)?|extra)$/);
        if (!p) return;
        expect(topExtra).toBeUndefined();
        expect(p.nir === undefined ? p.noNirReason : p.nir).toBeDefined();
        if (p.nir !== undefined) expect(p.nir).toMatch(/^[0-9AB]{15}$/);
        expect(p.phone ?? p.email).toBeDefined();
        expect(p.birthDate <= '2021-12-31' && p.birthDate >= '1900-01-01').toBe(true);
      }),
      { numRuns: RUNS, ...SEED },
    );
  });

  it('pharmacy software: any JSON value at all is a patient or named fields', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (body) => {
        parsesOrNames(() => parsePrefillBody(schema, body), /^(\/.*)?$/);
      }),
      { numRuns: RUNS, ...SEED },
    );
  });

  it('counter page: a token is 43 base64url characters, anything else is /token (or an unknown field)', () => {
    const token = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{43}$/), fc.string({ maxLength: 60 }).map((s) => `${MARK}${s}`), anyValue);
    fc.assert(
      fc.property(token, fc.boolean(), (t, extra) => {
        const parsed = parsesOrNames(() => parseRedemptionBody({ token: t, ...(extra ? { patient: {} } : {}) }), /^\/(token|patient)$/);
        if (parsed === undefined) return;
        expect(extra).toBe(false);
        expect(parsed).toMatch(/^[A-Za-z0-9_-]{43}$/);
      }),
      { numRuns: RUNS, ...SEED },
    );
  });
});
