import type { FieldIssue } from '../../gateway/src/errors.js';
import { ValidationFailed } from '../../gateway/src/errors.js';
import { createIntakeSchema, parseIntake, type IntakeSchemaOptions } from '../../gateway/src/results/index.js';
import { SYNTHETIC_NOW, syntheticResult } from '../support/synthetic-result.js';

/** A body as JSON.parse gives it: free to break in any way. */
export type LooseBody = Record<string, any>;

/** A valid synthetic body at the fixed clock, changed by `mutate` (deep copy, any shape). */
export function bodyWith(mutate: (body: LooseBody) => void = () => {}): LooseBody {
  const body: LooseBody = structuredClone(syntheticResult({}, SYNTHETIC_NOW));
  mutate(body);
  return body;
}

/** The field issues of a body under the fixed clock; `[]` when it is valid. */
export function issuesOf(body: unknown, options: Partial<IntakeSchemaOptions> = {}): FieldIssue[] {
  try {
    parseIntake(createIntakeSchema({ now: () => SYNTHETIC_NOW, ...options }), body);
    return [];
  } catch (e) {
    if (e instanceof ValidationFailed) return e.errors;
    throw e;
  }
}

/** ISO time `minutes` away from the fixed clock. */
export function minutesFromNow(minutes: number): string {
  return new Date(SYNTHETIC_NOW.getTime() + minutes * 60_000).toISOString();
}
