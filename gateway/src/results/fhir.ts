import { ALLOWED_TEST_CODES, RESULT_CODES, SPECIMEN_CODES } from './codes.js';
import { coding, deviceOf, patientOf, practitionerOf, snomed } from './fhir-resources.js';
import type {
  Device,
  Identifier,
  Observation,
  Organization,
  Practitioner,
  PractitionerRole,
  Resource,
  Specimen,
  TransactionBundle,
  TransactionEntry,
} from './fhir-types.js';
import { EXTENSIONS, SYSTEMS } from './fhir-vocabulary.js';
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

const OBSERVATION_STATUS = { original: 'final', correction: 'corrected', cancellation: 'entered-in-error' } as const;

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

function firstIdentifier(resource: Practitioner | Organization | Device): Identifier {
  const [identifier] = resource.identifier;
  // The schema guarantees one (performer id, pharmacy FINESS, device id or result key).
  if (identifier === undefined) throw new TypeError(`${resource.resourceType} has no identifier`);
  return identifier;
}
