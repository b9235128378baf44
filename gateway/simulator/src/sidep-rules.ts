import type {
  Bundle,
  CodeableConcept,
  Device,
  Identifier,
  Observation,
  Organization,
  Patient,
  Practitioner,
  Reference,
  Resource,
  Specimen,
} from '@medplum/fhirtypes';
// Code lists are data that SI-DEP publishes to both sides; the checks below are the simulator's own.
import { ALLOWED_TEST_CODES, RESULT_CODES, SPECIMEN_CODES, findAntigenDevice } from '@sidep-gateway/gateway/results/codes.js';
import { isFiness, isIdNatPs, isNir, isRpps } from './identifier-keys.js';
import { issue, type OutcomeIssue } from './outcome.js';

const SYSTEMS = {
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  insNir: 'urn:oid:1.2.250.1.213.1.4.8',
  finess: 'https://finess.esante.gouv.fr',
  rpps: 'https://rpps.esante.gouv.fr',
  idNatPs: 'urn:oid:1.2.250.1.71.4.2.1',
  jrcDevices: 'https://covid-19-diagnostics.jrc.ec.europa.eu/devices',
} as const;
/** The resources of a message, one each (DOMAIN §1). */
const MESSAGE_TYPES = ['Patient', 'Practitioner', 'Organization', 'PractitionerRole', 'Device', 'Specimen', 'Observation'] as const;
type MessageType = (typeof MESSAGE_TYPES)[number];
/** An original, a correction, a cancellation. */
const OBSERVATION_STATUSES = new Set(['final', 'corrected', 'entered-in-error']);
/** An instant to the second with its zone: a date alone or `2099` says too little of a test. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
/** Clocks disagree: an instant up to 5 minutes ahead is not yet "in the future" (DOMAIN §7). */
const CLOCK_SKEW_MS = 5 * 60_000;

interface Located<T> {
  path: string;
  resource: T;
}

/**
 * The rules SI-DEP adds to FHIR R4 for a screening result (DOMAIN §1, §3, §4), on a Bundle that
 * is already valid R4: one resource of each kind, LOINC from the allow-list, SNOMED CT results
 * and specimens, INS-NIR, FINESS and RPPS identifiers with valid keys, a device of the EU list or
 * named, instants complete and not in the future, the result read after collection.
 *
 * @example
 * sidepRuleIssues(bundle, Date.now()); // [{ severity: 'error', code: 'code-invalid', expression: ['Bundle.entry[6].resource.code'] }]
 */
export function sidepRuleIssues(bundle: Bundle, now: number): OutcomeIssue[] {
  const issues: OutcomeIssue[] = [];
  const found = new Map<string, Located<Resource>[]>();
  (bundle.entry ?? []).forEach((entry, index) => {
    if (entry.resource === undefined) return;
    const path = `Bundle.entry[${index}].resource`;
    if (!(MESSAGE_TYPES as readonly string[]).includes(entry.resource.resourceType)) issues.push(issue('not-supported', path));
    found.set(entry.resource.resourceType, [...(found.get(entry.resource.resourceType) ?? []), { path, resource: entry.resource }]);
  });
  const one = <T extends MessageType>(type: T): Located<Extract<Resource, { resourceType: T }>> | undefined => {
    const all = found.get(type) ?? [];
    if (all.length === 0) issues.push(issue('required', `Bundle.entry.resource.ofType(${type})`));
    all.slice(1).forEach((extra) => issues.push(issue('not-supported', extra.path)));
    return all[0] as Located<Extract<Resource, { resourceType: T }>> | undefined;
  };
  const resources = {
    patient: one('Patient'),
    practitioner: one('Practitioner'),
    organization: one('Organization'),
    role: one('PractitionerRole'),
    device: one('Device'),
    specimen: one('Specimen'),
    observation: one('Observation'),
  };
  const fullUrlOf = new Map((bundle.entry ?? []).flatMap((e) => (e.fullUrl && e.resource ? [[e.resource, e.fullUrl]] : [])));
  const report = (code: string, path: string) => issues.push(issue(code, path));
  /** `required` without a reference, `invalid` with one to another entry than `target`. */
  const link = (path: string, reference: Reference | undefined, target: Located<Resource> | undefined): void => {
    if (reference?.reference === undefined) report('required', path);
    else if (target === undefined || reference.reference !== fullUrlOf.get(target.resource)) report('invalid', path);
  };
  const future = (path: string, instant: string | undefined): void => {
    if (instant !== undefined && Date.parse(instant) > now + CLOCK_SKEW_MS) report('business-rule', path);
  };
  future('Bundle.timestamp', bundle.timestamp);

  if (resources.patient) patientIssues(resources.patient, now, report);
  if (resources.practitioner) practitionerIssues(resources.practitioner, report);
  if (resources.organization) organizationIssues(resources.organization, report);
  if (resources.role) {
    const { path, resource } = resources.role;
    link(`${path}.practitioner`, resource.practitioner, resources.practitioner);
    link(`${path}.organization`, resource.organization, resources.organization);
  }
  if (resources.device) deviceIssues(resources.device, report);
  if (resources.specimen) {
    const { path, resource } = resources.specimen;
    if (!codedIn(resource.type, SYSTEMS.snomed, SPECIMEN_CODES)) report(resource.type ? 'code-invalid' : 'required', `${path}.type`);
    link(`${path}.subject`, resource.subject, resources.patient);
    instantIssues(`${path}.collection.collectedDateTime`, resource.collection?.collectedDateTime, report, future);
  }
  if (resources.observation) {
    const { path, resource } = resources.observation;
    if (!OBSERVATION_STATUSES.has(resource.status)) report('code-invalid', `${path}.status`);
    if (!codedIn(resource.code, SYSTEMS.loinc, ALLOWED_TEST_CODES)) report('code-invalid', `${path}.code`);
    const value = resource.valueCodeableConcept;
    if (!codedIn(value, SYSTEMS.snomed, RESULT_CODES)) report(value ? 'code-invalid' : 'required', `${path}.valueCodeableConcept`);
    link(`${path}.subject`, resource.subject, resources.patient);
    link(`${path}.specimen`, resource.specimen, resources.specimen);
    link(`${path}.device`, resource.device, resources.device);
    const role = resources.role === undefined ? undefined : fullUrlOf.get(resources.role.resource);
    if (!(resource.performer ?? []).some((p) => p.reference === role)) report('required', `${path}.performer`);
    instantIssues(`${path}.effectiveDateTime`, resource.effectiveDateTime, report, future);
    instantIssues(`${path}.issued`, resource.issued, report, future);
    observationTimes(resources.observation, resources.specimen?.resource, report);
  }
  return issues;
}

type Report = (code: string, path: string) => void;

function patientIssues({ path, resource }: Located<Patient>, now: number, report: Report): void {
  const identifiers = resource.identifier ?? [];
  identifiers.forEach((identifier, i) => {
    if (identifier.system === SYSTEMS.insNir && !isNir(identifier.value ?? '')) report('invalid', `${path}.identifier[${i}].value`);
  });
  const official = (resource.name ?? []).find((n) => n.use === 'official');
  if (official?.family === undefined) report('required', `${path}.name`);
  if (resource.gender === undefined) report('required', `${path}.gender`);
  if (resource.birthDate === undefined) report('required', `${path}.birthDate`);
  else if (!/^\d{4}-\d{2}-\d{2}$/.test(resource.birthDate)) report('invalid', `${path}.birthDate`);
  else if (Date.parse(resource.birthDate) > now) report('business-rule', `${path}.birthDate`);
  // Without a NIR, a contact is how the person gets the result (DOMAIN §2).
  const hasNir = identifiers.some((i) => i.system === SYSTEMS.insNir);
  if (!hasNir && (resource.telecom ?? []).length === 0) report('required', `${path}.telecom`);
}

function practitionerIssues({ path, resource }: Located<Practitioner>, report: Report): void {
  const identifiers = resource.identifier ?? [];
  const national = identifiers.filter((i) => i.system === SYSTEMS.rpps || i.system === SYSTEMS.idNatPs);
  if (national.length === 0) report('required', `${path}.identifier`);
  identifiers.forEach((identifier, i) => {
    const value = identifier.value ?? '';
    const valid = identifier.system === SYSTEMS.rpps ? isRpps(value) : identifier.system === SYSTEMS.idNatPs ? isIdNatPs(value) : true;
    if (!valid) report('invalid', `${path}.identifier[${i}].value`);
  });
}

function organizationIssues({ path, resource }: Located<Organization>, report: Report): void {
  const identifiers = resource.identifier ?? [];
  const index = identifiers.findIndex((i) => i.system === SYSTEMS.finess);
  if (index === -1) report('required', `${path}.identifier`);
  else if (!isFiness(identifiers[index]?.value ?? '')) report('invalid', `${path}.identifier[${index}].value`);
}

function deviceIssues({ path, resource }: Located<Device>, report: Report): void {
  const identifiers: Identifier[] = resource.identifier ?? [];
  const index = identifiers.findIndex((i) => i.system === SYSTEMS.jrcDevices);
  if (index !== -1 && findAntigenDevice(identifiers[index]?.value ?? '') === undefined) {
    report('code-invalid', `${path}.identifier[${index}].value`);
  }
  const named = (resource.deviceName ?? []).some((n) => n.name.trim() !== '');
  if (index === -1 && !named) report('required', `${path}.deviceName`);
}

function instantIssues(path: string, value: string | undefined, report: Report, future: (path: string, value: string) => void): void {
  if (value === undefined) report('required', path);
  else if (!INSTANT.test(value)) report('invalid', path);
  else future(path, value);
}

/** The specimen's collection is the Observation's `effectiveDateTime`; the reading (`issued`) comes after it. */
function observationTimes({ path, resource }: Located<Observation>, specimen: Specimen | undefined, report: Report): void {
  const effective = Date.parse(resource.effectiveDateTime ?? '');
  const issued = Date.parse(resource.issued ?? '');
  if (issued < effective) report('business-rule', `${path}.issued`);
  const collected = Date.parse(specimen?.collection?.collectedDateTime ?? '');
  if (collected !== effective && !Number.isNaN(collected) && !Number.isNaN(effective)) report('business-rule', `${path}.effectiveDateTime`);
}

function codedIn(concept: CodeableConcept | undefined, system: string, codes: ReadonlyMap<string, string>): boolean {
  const codings = concept?.coding ?? [];
  return codings.length > 0 && codings.every((c) => c.system === system && c.code !== undefined && codes.has(c.code));
}
