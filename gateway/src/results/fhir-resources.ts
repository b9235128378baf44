import { findAntigenDevice } from './codes.js';
import type { Address, CodeableConcept, Device, Extension, Identifier, Patient, Practitioner } from './fhir-types.js';
import { EXTENSIONS, PROFILES, SNOMED_CT, SYSTEMS } from './fhir-vocabulary.js';
import type { TestResultInput } from './intake-schema.js';

// The message's resources that each map one part of a result (patient, performer, device), and
// the codings they share with the bundle.

const GENDER = { M: 'male', F: 'female', U: 'unknown' } as const;

/**
 * FR Core: the NIR travels as the INS (`INS-NIR`, profile fr-core-patient-ins) only for a
 * qualified identity; otherwise as the social security number (`NH`) of fr-core-patient.
 */
export function patientOf(patient: TestResultInput['patient'], resultKey: Identifier): Patient {
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
export function practitionerOf(performer: TestResultInput['performer']): Practitioner {
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
export function deviceOf(device: TestResultInput['test']['device'], resultKey: Identifier): Device {
  const listed = device.euRatId === undefined ? undefined : findAntigenDevice(device.euRatId);
  const name = device.name ?? listed?.display;
  return {
    resourceType: 'Device',
    identifier: device.euRatId === undefined ? [resultKey] : [{ system: SYSTEMS.jrcDevices, value: device.euRatId }],
    deviceName: name === undefined ? [] : [{ name, type: 'user-friendly-name' }],
  };
}

export function coding(system: string, code: string, displays: ReadonlyMap<string, string>) {
  const display = displays.get(code);
  return display === undefined ? { system, code } : { system, code, display };
}

export function snomed(code: string, displays: ReadonlyMap<string, string>): CodeableConcept {
  return { coding: [coding(SNOMED_CT, code, displays)] };
}
