/**
 * The FHIR R4 types of the SI-DEP message: Medplum's maintained R4 types (`@medplum/fhirtypes`,
 * generated from the R4 StructureDefinitions), narrowed to the elements the message always
 * carries. Types only, erased at build: the package is a development dependency.
 */
import type * as R4 from '@medplum/fhirtypes';

export type { Address, CodeableConcept, Coding, Extension, HumanName, Identifier, Reference } from '@medplum/fhirtypes';

/** `T` with the elements `K` present. */
type With<T, K extends keyof T> = T & { [P in K]-?: NonNullable<T[P]> };

export type Patient = With<R4.Patient, 'meta' | 'extension' | 'identifier' | 'name' | 'telecom' | 'gender' | 'birthDate'>;
export type Practitioner = With<R4.Practitioner, 'identifier'>;
export type Organization = With<R4.Organization, 'identifier'>;
export type PractitionerRole = With<R4.PractitionerRole, 'identifier' | 'practitioner' | 'organization'>;
export type Device = With<R4.Device, 'identifier' | 'deviceName'>;
export type Specimen = With<R4.Specimen, 'identifier' | 'type' | 'subject' | 'collection'>;
export type Observation = With<
  R4.Observation,
  'identifier' | 'category' | 'subject' | 'effectiveDateTime' | 'issued' | 'performer' | 'valueCodeableConcept' | 'specimen' | 'device'
>;

/** The message's resources; each carries the identifier that keys its conditional create. */
export type Resource = Patient | Practitioner | Organization | PractitionerRole | Device | Specimen | Observation;

/** A transaction entry: a conditional create, so that a replayed message creates nothing. */
export type TransactionEntry = With<R4.BundleEntry<Resource>, 'fullUrl' | 'resource'> & {
  request: R4.BundleEntryRequest & { method: 'POST'; url: Resource['resourceType']; ifNoneExist: string };
};

/** The SI-DEP message: a transaction Bundle of conditional creates. */
export type TransactionBundle = With<Omit<R4.Bundle<Resource>, 'type' | 'entry'>, 'identifier' | 'timestamp'> & {
  type: 'transaction';
  entry: TransactionEntry[];
};
