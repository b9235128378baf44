import { ALLOWED_TEST_CODES, RESULT_CODES, SPECIMEN_CODES, findAntigenDevice } from './codes.js';
import type {
  Address,
  CodeableConcept,
  Device,
  Extension,
  Identifier,
  Observation,
  Organization,
  Patient,
  Practitioner,
  PractitionerRole,
  Resource,
  Specimen,
  TransactionBundle,
  TransactionEntry,
} from './fhir-types.js';
import type { TestResultInput } from './intake-schema.js';
import { nameBasedUuid } from './name-based-uuid.js';

/** Identifies a result's resources, and so keys the conditional creates of its message. */
export const RESULT_IDENTIFIER_SYSTEM = 'urn:sidep-gateway:result';
/**
 * Keys the entered-in-error Observation of a cancellation, so that it is not mistaken for the
 * original's (same result id) and swallowed by `ifNoneExist`.
 */
export const CANCELLATION_IDENTIFIER_SYSTEM = 'urn:sidep-gateway:cancellation';

// Fixed namespace of this gateway's name-based fullUrls; never change it (replays would differ).
const FULL_URL_NAMESPACE = 'f1eae134-ab36-4ba7-95c9-37419af84321';

const FR_CORE = 'https://hl7.fr/ig/fhir/core';
const SNOMED_CT = 'http://snomed.info/sct';
const SYSTEMS = {
  nir: 'urn:oid:1.2.250.1.213.1.4.8',
  rpps: 'https://rpps.esante.gouv.fr',
  idNatPs: 'urn:oid:1.2.250.1.71.4.2.1',
  finess: 'https://finess.esante.gouv.fr',
  jrcDevices: 'https://covid-19-diagnostics.jrc.ec.europa.eu/devices',
  loinc: 'http://loinc.org',
  inseeCommunes: 'https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM',
  identityStatus: `${FR_CORE}/CodeSystem/fr-core-cs-identity-status`,
  frIdentifierTypes: `${FR_CORE}/CodeSystem/fr-core-cs-v2-0203`,
  hl7IdentifierTypes: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
} as const;
const PROFILES = {
  patient: `${FR_CORE}/StructureDefinition/fr-core-patient`,
  patientIns: `${FR_CORE}/StructureDefinition/fr-core-patient-ins`,
} as const;
const EXTENSIONS = {
  identityReliability: `${FR_CORE}/StructureDefinition/fr-core-identity-reliability`,
  birthListGivenName: `${FR_CORE}/StructureDefinition/fr-core-patient-birth-list-given-name`,
  addressInseeCode: `${FR_CORE}/StructureDefinition/fr-core-address-insee-code`,
  birthPlace: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace',
  observationReplaces: 'http://hl7.org/fhir/StructureDefinition/observation-replaces',
} as const;

const OBSERVATION_STATUS = { original: 'final', correction: 'corrected', cancellation: 'entered-in-error' } as const;
const GENDER = { M: 'male', F: 'female', U: 'unknown' } as const;

export interface FhirMessageInput {
  /** The outbox message id: `Bundle.identifier`, also sent as `Idempotency-Key`. */
  messageId: string;
  resultId: string;
  kind: 'original' | 'correction' | 'cancellation';
  result: TestResultInput;
  /** The pharmacy the result was received for (its certificate's), not the body's claim. */
  pharmacy: { finess: string };
  /** The result id this message corrects or cancels; a cancellation defaults to `resultId`. */
  replaces?: string;
  /** When the gateway received the result: `Bundle.timestamp`, stable across replays. */
  issuedAt: Date;
}

/**
 * Maps a result to the SI-DEP message (DOMAIN.md §1): a FHIR R4 transaction Bundle whose
 * entries are conditional creates, Patient, Practitioner, Organization, PractitionerRole,
 * Device, Specimen and Observation. Nothing random or clock-based: the same input gives the
 * same bytes, so a replay is identical and creates nothing.
 *
 * @example
 * const bundle = toFhirBundle({ messageId, resultId, kind: 'original', result, pharmacy: { finess: '759999907' }, issuedAt });
 */
export function toFhirBundle(input: FhirMessageInput): TransactionBundle {
  const { result, resultId, kind } = input;
  const fullUrl = (type: Resource['resourceType']): string =>
    `urn:uuid:${nameBasedUuid(FULL_URL_NAMESPACE, `${kind}/${resultId}/${type}`)}`;
  const resultKey: Identifier = { system: RESULT_IDENTIFIER_SYSTEM, value: resultId };
  const entry = (resource: Resource, key: Identifier): TransactionEntry => ({
    fullUrl: fullUrl(resource.resourceType),
    resource,
    request: { method: 'POST', url: resource.resourceType, ifNoneExist: `identifier=${key.system}|${key.value}` },
  });

  const practitioner = practitionerOf(result.performer);
  const organization: Organization = { resourceType: 'Organization', identifier: [{ system: SYSTEMS.finess, value: input.pharmacy.finess }] };
  const role: PractitionerRole = {
    resourceType: 'PractitionerRole',
    identifier: [resultKey],
    practitioner: { reference: fullUrl('Practitioner') },
    organization: { reference: fullUrl('Organization') },
  };
  const device = deviceOf(result.test.device, resultKey);
  const specimen: Specimen = {
    resourceType: 'Specimen',
    identifier: [resultKey],
    type: snomed(result.test.specimen, SPECIMEN_CODES),
    subject: { reference: fullUrl('Patient') },
    collection: { collectedDateTime: result.test.collectedAt },
  };
  const observationKey: Identifier =
    kind === 'cancellation' ? { system: CANCELLATION_IDENTIFIER_SYSTEM, value: resultId } : resultKey;
  const replaces = input.replaces ?? (kind === 'cancellation' ? resultId : undefined);
  const observation: Observation = {
    resourceType: 'Observation',
    ...(replaces === undefined
      ? {}
      : {
          extension: [
            {
              url: EXTENSIONS.observationReplaces,
              valueReference: { type: 'Observation', identifier: { system: RESULT_IDENTIFIER_SYSTEM, value: replaces } },
            },
          ],
        }),
    identifier: [observationKey],
    status: OBSERVATION_STATUS[kind],
    category: [{ coding: [{ system: SYSTEMS.observationCategory, code: 'laboratory' }] }],
    code: { coding: [coding(SYSTEMS.loinc, result.test.loinc, ALLOWED_TEST_CODES)] },
    subject: { reference: fullUrl('Patient') },
    effectiveDateTime: result.test.collectedAt,
    issued: result.test.resultAt,
    performer: [{ reference: fullUrl('PractitionerRole') }, { reference: fullUrl('Organization') }],
    valueCodeableConcept: snomed(result.test.result, RESULT_CODES),
    specimen: { reference: fullUrl('Specimen') },
    device: { reference: fullUrl('Device') },
  };

  return {
    resourceType: 'Bundle',
    identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${input.messageId}` },
    type: 'transaction',
    timestamp: input.issuedAt.toISOString(),
    entry: [
      entry(patientOf(result.patient, resultKey), resultKey),
      entry(practitioner, firstIdentifier(practitioner)),
      entry(organization, firstIdentifier(organization)),
      entry(role, resultKey),
      entry(device, firstIdentifier(device)),
      entry(specimen, resultKey),
      entry(observation, observationKey),
    ],
  };
}

/**
 * FR Core: the NIR travels as the INS (`INS-NIR`, profile fr-core-patient-ins) only for a
 * qualified identity; otherwise as the social security number (`NH`) of fr-core-patient.
 */
function patientOf(patient: TestResultInput['patient'], resultKey: Identifier): Patient {
  const qualified = patient.insStatus === 'QUAL';
  const nirType = qualified
    ? { system: SYSTEMS.frIdentifierTypes, code: 'INS-NIR' }
    : { system: SYSTEMS.hl7IdentifierTypes, code: 'NH' };
  const extension: Extension[] = [
    {
      url: EXTENSIONS.identityReliability,
      extension: [{ url: 'identityStatus', valueCoding: { system: SYSTEMS.identityStatus, code: patient.insStatus } }],
    },
  ];
  if (patient.birthPlaceInsee !== undefined) {
    extension.push({ url: EXTENSIONS.birthPlace, valueAddress: { extension: [inseeCodeOf(patient.birthPlaceInsee)] } });
  }
  return {
    resourceType: 'Patient',
    meta: { profile: [qualified ? PROFILES.patientIns : PROFILES.patient] },
    extension,
    identifier: [
      ...(patient.nir === undefined
        ? []
        : [{ use: 'official' as const, type: { coding: [nirType] }, system: SYSTEMS.nir, value: patient.nir }]),
      resultKey,
    ],
    name: [
      {
        extension: [{ url: EXTENSIONS.birthListGivenName, valueString: patient.firstNames.join(' ') }],
        use: 'official',
        family: patient.birthName,
        given: patient.firstNames.slice(0, 1),
      },
      ...(patient.usedName === undefined ? [] : [{ use: 'usual' as const, family: patient.usedName }]),
    ],
    telecom: [
      ...(patient.phone === undefined ? [] : [{ system: 'phone' as const, value: patient.phone }]),
      ...(patient.email === undefined ? [] : [{ system: 'email' as const, value: patient.email }]),
    ],
    gender: GENDER[patient.sex],
    birthDate: patient.birthDate,
    ...(patient.address === undefined ? {} : { address: [addressOf(patient.address)] }),
  };
}

function addressOf(address: NonNullable<TestResultInput['patient']['address']>): Address {
  return {
    ...(address.inseeCode === undefined ? {} : { extension: [inseeCodeOf(address.inseeCode)] }),
    line: address.line,
    city: address.city,
    postalCode: address.postalCode,
    country: address.country,
  };
}

function inseeCodeOf(code: string): Extension {
  return { url: EXTENSIONS.addressInseeCode, valueCoding: { system: SYSTEMS.inseeCommunes, code } };
}

/** RPPS when given; an ADELI number travels as its idNatPs, `0` + ADELI. */
function practitionerOf(performer: TestResultInput['performer']): Practitioner {
  const identifier: Identifier[] = [];
  const typed = (code: string) => ({ coding: [{ system: SYSTEMS.frIdentifierTypes, code }] });
  if (performer.rpps !== undefined) {
    identifier.push({ type: typed('RPPS'), system: SYSTEMS.rpps, value: performer.rpps });
  }
  if (performer.adeli !== undefined) {
    identifier.push({ type: typed('IDNPS'), system: SYSTEMS.idNatPs, value: `0${performer.adeli}` });
  }
  return { resourceType: 'Practitioner', identifier };
}

/** A listed device is one shared resource per JRC id; an unlisted one belongs to its result. */
function deviceOf(device: TestResultInput['test']['device'], resultKey: Identifier): Device {
  const listed = device.euRatId === undefined ? undefined : findAntigenDevice(device.euRatId);
  const name = device.name ?? listed?.display;
  return {
    resourceType: 'Device',
    identifier: device.euRatId === undefined ? [resultKey] : [{ system: SYSTEMS.jrcDevices, value: device.euRatId }],
    deviceName: name === undefined ? [] : [{ name, type: 'user-friendly-name' }],
  };
}

function firstIdentifier(resource: Practitioner | Organization | Device): Identifier {
  const [identifier] = resource.identifier;
  // The schema guarantees one (performer id, pharmacy FINESS, device id or result key).
  if (identifier === undefined) throw new TypeError(`${resource.resourceType} has no identifier`);
  return identifier;
}

function coding(system: string, code: string, displays: ReadonlyMap<string, string>) {
  const display = displays.get(code);
  return display === undefined ? { system, code } : { system, code, display };
}

function snomed(code: string, displays: ReadonlyMap<string, string>): CodeableConcept {
  return { coding: [coding(SNOMED_CT, code, displays)] };
}
