import type { RejectionIssue } from './adapter.js';
import { isRecord } from './json.js';

/** FHIR IssueType codes are lowercase tokens (`invalid`, `business-rule`…). */
const ISSUE_CODE = /^[a-z][a-z-]{0,63}$/;
/**
 * Plain FHIRPath paths only: names, dots, indexes, type filters such as `ofType(Patient)`.
 * A quote, space or `=` could carry a literal, as in `name.where(family='…')`, so an
 * expression with any of them is dropped rather than stored.
 */
const PATH_EXPRESSION = /^[A-Za-z][A-Za-z0-9_.[\]()-]{0,255}$/;
/** Enough to correct a message; a longer list is noise for the dead-letter view. */
const MAX_ISSUES = 50;

/**
 * Reduces an SI-DEP error body to `[{code, expression}]`, keeping nothing else from it.
 * Anything that is not an OperationOutcome yields no issues; the HTTP status still tells.
 *
 * @example
 * rejectionIssues(JSON.parse(body)); // [{ code: 'required', expression: 'Bundle.entry[1].resource.code' }]
 */
export function rejectionIssues(body: unknown): RejectionIssue[] {
  if (!isRecord(body) || body.resourceType !== 'OperationOutcome' || !Array.isArray(body.issue)) return [];
  return body.issue.slice(0, MAX_ISSUES).map((issue: unknown) => ({
    code: isRecord(issue) && matches(issue.code, ISSUE_CODE) ? issue.code : 'unknown',
    expression: isRecord(issue) && Array.isArray(issue.expression) && matches(issue.expression[0], PATH_EXPRESSION)
      ? issue.expression[0]
      : '',
  }));
}

function matches(value: unknown, pattern: RegExp): value is string {
  return typeof value === 'string' && pattern.test(value);
}
