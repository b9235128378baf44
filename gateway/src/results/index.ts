/** Domain of a test result: validation rules, the intake schema, the FHIR message. */
export { hasValidLuhnKey } from './luhn.js';
export { normalizeNir, nirIssue, nirKey, nirMatchesSex, nirMatchesBirthDate, type NirIssue, type NirOptions } from './nir.js';
export { finessIssue, type FinessIssue } from './finess.js';
export { rppsIssue, adeliIssue, type RppsIssue } from './rpps.js';
export {
  ALLOWED_TEST_CODES,
  RESULT_CODES,
  SPECIMEN_CODES,
  DEVICE_LIST_VERSION,
  findAntigenDevice,
  listAntigenDevices,
  resultOutcome,
  type AntigenDevice,
  type ResultOutcome,
} from './codes.js';
export { toE164, isEmailAddress } from './contact.js';
export { normalizeName, isValidName } from './names.js';
export { looksLikePersonalData } from './external-ref.js';
export {
  createIntakeSchema,
  EXAMPLE_SUBMISSION,
  type IntakeSchema,
  type IntakeSchemaOptions,
  type TestResultInput,
  type TestResultSubmission,
} from './intake-schema.js';
export { toFieldIssues } from './field-issues.js';
export { INTAKE_ISSUE_CODES, type IntakeIssueCode } from './issue-codes.js';
export { parseIntake } from './parse-intake.js';
export {
  toFhirBundle,
  RESULT_IDENTIFIER_SYSTEM,
  CANCELLATION_IDENTIFIER_SYSTEM,
  type FhirMessageInput,
} from './fhir.js';
export type { TransactionBundle, TransactionEntry, Resource } from './fhir-types.js';
