import { ValidationFailed } from '../errors.js';
import { toFieldIssues } from './field-issues.js';
import type { IntakeSchema, TestResultInput } from './intake-schema.js';

/**
 * Parses an intake body into a `TestResultInput`, or throws `ValidationFailed` listing every
 * field at fault.
 *
 * @example
 * const result = parseIntake(createIntakeSchema({ now: () => new Date() }), await c.req.json());
 */
export function parseIntake(schema: IntakeSchema, body: unknown): TestResultInput {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ValidationFailed(toFieldIssues(parsed.error, body));
  return parsed.data;
}
