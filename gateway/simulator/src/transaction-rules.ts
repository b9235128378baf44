import type { Bundle } from '@medplum/fhirtypes';
import { issue, type OutcomeIssue } from './outcome.js';

const UUID_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * SI-DEP takes one kind of transaction (DOMAIN §1): a `transaction` Bundle whose identifier is
 * the `Idempotency-Key`, whose entries are all conditional creates (FHIR R4 RESTful API,
 * "Conditional create": `POST` with `ifNoneExist`, here naming one of the resource's own identifiers) under distinct
 * `urn:uuid:` fullUrls, so that a replay creates nothing.
 *
 * @example
 * transactionIssues(bundle, key); // [{ severity: 'error', code: 'not-supported', expression: ['Bundle.entry[7].request.method'] }]
 */
export function transactionIssues(bundle: Bundle, idempotencyKey: string | undefined): OutcomeIssue[] {
  const issues: OutcomeIssue[] = [];
  if (bundle.type !== 'transaction') issues.push(issue('invalid', 'Bundle.type'));
  const id = bundle.identifier?.value;
  // system urn:ietf:rfc:3986 carries the id as a URN; the header carries the bare UUID
  if (id === undefined) issues.push(issue('required', 'Bundle.identifier.value'));
  else if (idempotencyKey === undefined || (id !== idempotencyKey && id !== `urn:uuid:${idempotencyKey}`)) {
    issues.push(issue('invalid', 'Bundle.identifier.value'));
  }
  const entries = bundle.entry ?? [];
  if (entries.length === 0) issues.push(issue('required', 'Bundle.entry'));
  const fullUrls = new Set<string>();
  entries.forEach((entry, index) => {
    const path = `Bundle.entry[${index}]`;
    const { fullUrl, resource, request } = entry;
    if (fullUrl === undefined) issues.push(issue('required', `${path}.fullUrl`));
    else if (!UUID_URN.test(fullUrl) || fullUrls.has(fullUrl)) issues.push(issue('invalid', `${path}.fullUrl`));
    else fullUrls.add(fullUrl);
    if (resource === undefined) issues.push(issue('required', `${path}.resource`));
    if (request === undefined) {
      issues.push(issue('required', `${path}.request`));
      return;
    }
    if (request.method !== 'POST') issues.push(issue('not-supported', `${path}.request.method`));
    if (resource !== undefined && request.url !== resource.resourceType) issues.push(issue('invalid', `${path}.request.url`));
    if (request.ifNoneExist === undefined) issues.push(issue('required', `${path}.request.ifNoneExist`));
    else if (resource !== undefined && !namesOwnIdentifier(request.ifNoneExist, resource)) {
      issues.push(issue('invalid', `${path}.request.ifNoneExist`));
    }
  });
  return issues;
}

function namesOwnIdentifier(ifNoneExist: string, resource: object): boolean {
  const identifiers = (resource as { identifier?: { system?: string; value?: string }[] }).identifier ?? [];
  return identifiers.some((i) => ifNoneExist === `identifier=${i.system}|${i.value}`);
}
