import { readFileSync } from 'node:fs';
import type { RejectionIssue } from './adapter.js';
import { isRecord } from './json.js';

/** FHIR IssueType codes are lowercase tokens (`invalid`, `business-rule`…). */
const ISSUE_CODE = /^[a-z][a-z-]{0,63}$/;
/** Enough to correct a message; a longer list is noise for the dead-letter view. */
const MAX_ISSUES = 50;
const MAX_EXPRESSION_CHARS = 256;
/** A list index: small, so that no number (a NIR, a phone) can pass for one. */
const INDEX = /^(0|[1-9]\d{0,2})$/;

/**
 * R4 resource types and element names (choice types expanded), generated from the R4
 * definitions by `gateway/simulator/src/r4-element-names.ts`; a test keeps them equal.
 */
const R4 = JSON.parse(readFileSync(new URL('./r4-element-names.json', import.meta.url), 'utf8')) as {
  resourceTypes: string[];
  elementNames: string[];
};
const RESOURCE_TYPES: ReadonlySet<string> = new Set(R4.resourceTypes);
const ELEMENT_NAMES: ReadonlySet<string> = new Set(R4.elementNames);

/**
 * Reduces an SI-DEP error body to `[{code, expression}]`, keeping nothing else from it: never
 * `diagnostics`, `details`, `location` or the narrative, which may quote submitted values.
 * Anything that is not an OperationOutcome yields no issues; the HTTP status still tells.
 *
 * @example
 * rejectionIssues(JSON.parse(body)); // [{ code: 'required', expression: 'Bundle.entry[1].resource.code' }]
 */
export function rejectionIssues(body: unknown): RejectionIssue[] {
  if (!isRecord(body) || body.resourceType !== 'OperationOutcome' || !Array.isArray(body.issue)) return [];
  return body.issue.slice(0, MAX_ISSUES).map((issue: unknown) => ({
    code: isRecord(issue) && typeof issue.code === 'string' && ISSUE_CODE.test(issue.code) ? issue.code : 'unknown',
    expression: isRecord(issue) && Array.isArray(issue.expression) ? strictExpression(issue.expression[0]) : '',
  }));
}

/**
 * `expression` when it is a path of R4 names, else only its resource type (or `''`):
 *
 *   path    := ResourceType ( "." step )*
 *   step    := elementName ( "[" index "]" )? | "ofType(" ResourceType ")"
 *
 * Element names are those of the R4 definitions and indexes at most 999, so a value written
 * into a path (`Patient.identifier[185036912345609]`, `Patient.telecom.0611223344`,
 * `name.where(family='…')`) cannot pass: the path is cut back to `Patient`.
 *
 * @example
 * strictExpression('Bundle.entry[6].resource.status'); // 'Bundle.entry[6].resource.status'
 * strictExpression('Patient.telecom.0611223344'); // 'Patient'
 */
export function strictExpression(expression: unknown): string {
  if (typeof expression !== 'string' || expression.length > MAX_EXPRESSION_CHARS) return '';
  const [type = '', ...steps] = expression.split('.');
  if (!RESOURCE_TYPES.has(type)) return '';
  return steps.every(isStep) ? expression : type;
}

function isStep(step: string): boolean {
  const ofType = /^ofType\((\w+)\)$/.exec(step);
  if (ofType !== null) return RESOURCE_TYPES.has(ofType[1] ?? '');
  const indexed = /^(\w+)\[(\w+)\]$/.exec(step);
  if (indexed !== null) return ELEMENT_NAMES.has(indexed[1] ?? '') && INDEX.test(indexed[2] ?? '');
  return ELEMENT_NAMES.has(step);
}
