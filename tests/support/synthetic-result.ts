import { randomInt } from 'node:crypto';
import { EXAMPLE_SUBMISSION, nirKey, type TestResultSubmission } from '../../gateway/src/results/index.js';

/** A fixed server clock for tests that must not depend on the real one. */
export const SYNTHETIC_NOW = new Date('2021-12-31T14:00:00Z');

/** DOMAIN.md's synthetic NIR `1 85 03 69 123 456 09` (a man born in March 1985, Lyon). */
export const SYNTHETIC_NIR = '185036912345609';

type Section = 'performer' | 'patient' | 'test';

/** Top-level fields replace; `performer`, `patient` and `test` merge; `undefined` removes. */
export type SyntheticOverrides = {
  [K in keyof TestResultSubmission]?: K extends Section ? Partial<TestResultSubmission[K]> : TestResultSubmission[K];
};

// Random start, then consecutive: never the same number twice within a test file.
let nextSerial = randomInt(999_000);

/**
 * A valid synthetic NIR for the same man as `SYNTHETIC_NIR` (sex, year, month, département
 * kept), with commune and order number varied and the key computed: a new one per call.
 */
export function syntheticNir(): string {
  const serial = nextSerial++ % 999_000;
  const commune = String(Math.floor(serial / 999)).padStart(3, '0');
  const order = String((serial % 999) + 1).padStart(3, '0');
  const first13 = `1850369${commune}${order}`;
  return `${first13}${String(nirKey(first13)).padStart(2, '0')}`;
}

/**
 * A valid intake body made of synthetic data (DOMAIN.md): a fresh NIR on every call, so two
 * calls are two different results (neither an idempotent replay nor a duplicate), collected
 * 20 and read 5 minutes before `now`.
 *
 * @example
 * const body = syntheticResult({ patient: { nir: undefined, noNirReason: 'foreign-visitor' } });
 * const early = syntheticResult({}, SYNTHETIC_NOW);
 */
export function syntheticResult(overrides: SyntheticOverrides = {}, now: Date = new Date()): TestResultSubmission {
  const { externalRef: _exampleRef, ...example } = structuredClone(EXAMPLE_SUBMISSION);
  const minutesBefore = (minutes: number): string => new Date(now.getTime() - minutes * 60_000).toISOString();
  const { performer, patient, test, ...topLevel } = overrides;
  return withoutUndefined({
    ...example,
    ...topLevel,
    performer: withoutUndefined({ ...example.performer, ...performer }),
    patient: withoutUndefined({ ...example.patient, nir: syntheticNir(), ...patient }),
    test: withoutUndefined({ ...example.test, collectedAt: minutesBefore(20), resultAt: minutesBefore(5), ...test }),
  });
}

function withoutUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}
