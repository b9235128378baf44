/**
 * Every code a field issue of the intake can carry (DOMAIN.md §7 and its settled details).
 * A closed list: safe as a metrics label, and a typo in a rule fails to compile.
 */
export const INTAKE_ISSUE_CODES = [
  // shape
  'required',
  'invalid-type',
  'invalid-value',
  'invalid-format',
  'too-long',
  'unknown-field',
  'date-format',
  // formats
  'name-format',
  'insee-format',
  'postal-code-format',
  'country-format',
  'phone-format',
  'email-format',
  // identities
  'nir-length',
  'nir-format',
  'nir-checksum',
  'nir-sex-mismatch',
  'nir-birthdate-mismatch',
  'nir-or-reason',
  'contact-required',
  'finess-format',
  'finess-checksum',
  'rpps-format',
  'rpps-checksum',
  'adeli-format',
  // test coding
  'code-not-allowed',
  'result-not-allowed',
  'specimen-not-allowed',
  'device-unknown',
  'device-inactive',
  // time
  'date-range',
  'time-range',
  'result-before-collection',
  // privacy
  'external-ref-pii',
] as const;

export type IntakeIssueCode = (typeof INTAKE_ISSUE_CODES)[number];

const KNOWN_CODES: ReadonlySet<string> = new Set(INTAKE_ISSUE_CODES);

/** Narrows a code read back from a zod issue. */
export function isIntakeIssueCode(code: unknown): code is IntakeIssueCode {
  return typeof code === 'string' && KNOWN_CODES.has(code);
}
