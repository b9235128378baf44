/**
 * The simulator's check of an incoming message, as strict as SI-DEP should be: FHIR R4 first
 * (Medplum's validator on the R4 definitions), then transaction semantics, then SI-DEP's own
 * rules. Issues name the element at fault and never quote a value.
 */
import type { Bundle } from '@medplum/fhirtypes';
import { isRecord } from '@sidep-gateway/gateway/sidep/index.js';
import { bindingAndReferenceIssues, structureIssues } from './fhir-r4.js';
import type { ContractVersion } from './faults.js';
import { issue, type OutcomeIssue } from './outcome.js';
import { sidepRuleIssues } from './sidep-rules.js';
import { transactionIssues } from './transaction-rules.js';

/** What the simulator keeps from an accepted message: ids, status and codes only. */
export interface BundleFacts {
  messageId: string;
  entryCount: number;
  observation: { path: string; status: string; loinc: string };
}

/**
 * `structure`: not valid FHIR R4 (answered 400); `rules`: valid R4 that breaks the
 * transaction's or SI-DEP's rules (answered 422, the status FHIR R4's RESTful API gives a
 * business-rule failure).
 */
export type BundleCheck = { ok: true; facts: BundleFacts } | { ok: false; kind: 'structure' | 'rules'; issues: OutcomeIssue[] };

/**
 * Checks that `body` is a message SI-DEP takes, reporting every fault rather than the first.
 * `now` (ms since the epoch) is the clock instants are checked against; `contract`, the version of
 * SI-DEP's rules in force.
 *
 * @example
 * checkTransactionBundle(body, header, Date.now()); // { ok: false, kind: 'rules', issues: [{ severity: 'error', code: 'code-invalid', expression: ['Bundle.entry[6].resource.code'] }] }
 */
export function checkTransactionBundle(body: unknown, idempotencyKey: string | undefined, now: number, contract: ContractVersion = '1'): BundleCheck {
  if (!isRecord(body) || body.resourceType !== 'Bundle') {
    return { ok: false, kind: 'structure', issues: [issue('structure', 'Bundle')] };
  }
  const bundle = body as unknown as Bundle;
  // Rules read the Bundle through its R4 types: only a structurally valid one gets that far.
  const structure = structureIssues(bundle);
  if (structure.length > 0) return { ok: false, kind: 'structure', issues: structure };
  const r4 = bindingAndReferenceIssues(bundle);
  const entries = bundle.entry ?? [];
  const index = entries.findIndex((e) => e.resource?.resourceType === 'Observation');
  const observation = entries[index]?.resource;
  // contract 2 requires the test method of the Observation
  const contractIssues = contract === '2' && observation?.resourceType === 'Observation' && observation.method === undefined ? [issue('required', `Bundle.entry[${index}].resource.method`)] : [];
  const issues = distinct([...r4, ...transactionIssues(bundle, idempotencyKey), ...sidepRuleIssues(bundle, now), ...contractIssues]);
  const loinc = observation?.resourceType === 'Observation' ? observation.code.coding?.[0]?.code : undefined;
  if (issues.length > 0 || observation?.resourceType !== 'Observation' || loinc === undefined || bundle.identifier?.value === undefined) {
    return { ok: false, kind: r4.length > 0 ? 'structure' : 'rules', issues };
  }
  return {
    ok: true,
    facts: {
      messageId: bundle.identifier.value.replace(/^urn:uuid:/, ''),
      entryCount: entries.length,
      observation: { path: `Bundle.entry[${index}]`, status: observation.status, loinc },
    },
  };
}

/**
 * One issue per element, the first found: a status outside R4's value set also breaks SI-DEP's
 * rule, a reference to no entry also misses the one it should name.
 */
function distinct(issues: OutcomeIssue[]): OutcomeIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = i.expression.join();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
