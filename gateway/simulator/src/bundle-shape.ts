/**
 * The simulator's check of an incoming message: the shape DOMAIN §1 gives a SI-DEP message,
 * not full FHIR validation. Issues point at paths and never quote a value.
 */
import { isRecord } from '@sidep-gateway/gateway/sidep/index.js';

/** An OperationOutcome issue as the simulator answers it. */
export interface OutcomeIssue {
  severity: 'error';
  code: string;
  expression: string[];
}

/** What the simulator keeps from a well-formed message: ids, status and codes only. */
export interface BundleFacts {
  messageId: string;
  entryCount: number;
  observation: { path: string; status: string; loinc: string };
}

export type BundleCheck = { ok: true; facts: BundleFacts } | { ok: false; issues: OutcomeIssue[] };

type Json = Record<string, unknown>;

const LOINC = 'http://loinc.org';
const HTTP_VERBS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH']);
/** FHIR R4 `dateTime` (§2.24.0.1): year, optionally month, day, then time with a zone. */
const FHIR_DATE_TIME = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

/**
 * Checks that `body` is a transaction Bundle whose `identifier.value` equals the
 * `Idempotency-Key` header, whose entries all carry `resource` and `request`, with a Patient
 * and an Observation holding status, a LOINC code, a coded value and `effectiveDateTime`.
 * Every fault is reported, not only the first.
 *
 * @example
 * checkTransactionBundle(body, header); // { ok: false, issues: [{ severity: 'error', code: 'required', expression: ['Bundle.entry[1].resource.code'] }] }
 */
export function checkTransactionBundle(body: unknown, idempotencyKey: string | undefined): BundleCheck {
  if (!isRecord(body) || body.resourceType !== 'Bundle') {
    return { ok: false, issues: [issue('invalid', 'Bundle.resourceType')] };
  }
  const issues: OutcomeIssue[] = [];
  const report = (code: IssueCode | undefined, expression: string): void => {
    if (code !== undefined) issues.push(issue(code, expression));
  };

  report(fault(body.type, (t) => t === 'transaction'), 'Bundle.type');
  const messageId = isRecord(body.identifier) ? body.identifier.value : undefined;
  // system urn:ietf:rfc:3986 carries the id as a URN; the header carries the bare UUID
  report(fault(messageId, (id) => isText(id) && (id === idempotencyKey || id === `urn:uuid:${idempotencyKey}`)), 'Bundle.identifier.value');

  const entries = Array.isArray(body.entry) ? body.entry : [];
  if (entries.length === 0) return { ok: false, issues: [...issues, issue('required', 'Bundle.entry')] };
  entries.forEach((entry: unknown, index) => {
    const path = `Bundle.entry[${index}]`;
    const resource = isRecord(entry) ? entry.resource : undefined;
    const request = isRecord(entry) ? entry.request : undefined;
    report(fault(resource, (r) => isRecord(r) && isText(r.resourceType)), `${path}.resource`);
    report(fault(request, isRecord), `${path}.request`);
    if (isRecord(request)) {
      report(fault(request.method, (m) => typeof m === 'string' && HTTP_VERBS.has(m)), `${path}.request.method`);
      report(fault(request.url, isText), `${path}.request.url`);
    }
  });

  const observations = resourcesOfType(entries, 'Observation');
  if (resourcesOfType(entries, 'Patient').length === 0) report('required', 'Bundle.entry.resource.ofType(Patient)');
  if (observations.length === 0) report('required', 'Bundle.entry.resource.ofType(Observation)');
  for (const { path, resource } of observations) issues.push(...observationIssues(resource, path));

  const first = observations[0];
  const status = first?.resource.status;
  const loinc = loincCode(first?.resource.code);
  // Without issues these all hold; the guards let the compiler see it too.
  if (issues.length > 0 || first === undefined || !isText(messageId) || !isText(status) || loinc === undefined) {
    return { ok: false, issues };
  }
  return {
    ok: true,
    facts: { messageId: messageId.replace(/^urn:uuid:/, ''), entryCount: entries.length, observation: { path: first.path, status, loinc } },
  };
}

function observationIssues(observation: Json, path: string): OutcomeIssue[] {
  const checks: [IssueCode | undefined, string][] = [
    [fault(observation.status, isText), 'status'],
    [fault(observation.code, (c) => loincCode(c) !== undefined), 'code'],
    [fault(observation.valueCodeableConcept, (v) => codings(v).some((c) => isText(c.code))), 'valueCodeableConcept'],
    [fault(observation.effectiveDateTime, (d) => isText(d) && FHIR_DATE_TIME.test(d) && !Number.isNaN(Date.parse(d))), 'effectiveDateTime'],
  ];
  return checks.flatMap(([code, element]) => (code === undefined ? [] : [issue(code, `${path}.resource.${element}`)]));
}

function resourcesOfType(entries: unknown[], type: string): { path: string; resource: Json }[] {
  return entries.flatMap((entry, index) =>
    isRecord(entry) && isRecord(entry.resource) && entry.resource.resourceType === type
      ? [{ path: `Bundle.entry[${index}]`, resource: entry.resource }]
      : [],
  );
}

function loincCode(concept: unknown): string | undefined {
  const code = codings(concept).find((c) => c.system === LOINC && isText(c.code))?.code;
  return typeof code === 'string' ? code : undefined;
}

function codings(concept: unknown): Json[] {
  return isRecord(concept) && Array.isArray(concept.coding) ? concept.coding.filter(isRecord) : [];
}

type IssueCode = 'required' | 'invalid';

/** `required` when absent, `invalid` when present but wrong, `undefined` when fine. */
function fault(value: unknown, isValid: (value: unknown) => boolean): IssueCode | undefined {
  if (value === undefined || value === null) return 'required';
  return isValid(value) ? undefined : 'invalid';
}

function issue(code: IssueCode, expression: string): OutcomeIssue {
  return { severity: 'error', code, expression: [expression] };
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}
