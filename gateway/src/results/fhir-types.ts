/** The slice of FHIR R4 that the SI-DEP message uses; field names are FHIR's. */

export interface Coding {
  system: string;
  code: string;
  display?: string;
}

export interface CodeableConcept {
  coding: Coding[];
}

export interface Identifier {
  use?: 'usual' | 'official' | 'temp' | 'secondary' | 'old';
  type?: CodeableConcept;
  system: string;
  value: string;
}

/** A literal reference (`urn:uuid:` of an entry) or a logical one (by identifier). */
export interface Reference {
  reference?: string;
  type?: string;
  identifier?: Identifier;
}

export interface Address {
  extension?: Extension[];
  line?: string[];
  city?: string;
  postalCode?: string;
  country?: string;
}

export interface Extension {
  url: string;
  extension?: Extension[];
  valueCoding?: Coding;
  valueString?: string;
  valueReference?: Reference;
  valueAddress?: Address;
}

export interface HumanName {
  extension?: Extension[];
  use: 'official' | 'usual';
  family: string;
  given?: string[];
}

export interface ContactPoint {
  system: 'phone' | 'email';
  value: string;
}

export interface Patient {
  resourceType: 'Patient';
  meta: { profile: string[] };
  extension: Extension[];
  identifier: Identifier[];
  name: HumanName[];
  telecom: ContactPoint[];
  gender: 'male' | 'female' | 'unknown';
  birthDate: string;
  address?: Address[];
}

export interface Observation {
  resourceType: 'Observation';
  extension?: Extension[];
  identifier: Identifier[];
  status: 'final' | 'corrected' | 'entered-in-error';
  category: CodeableConcept[];
  code: CodeableConcept;
  subject: Reference;
  effectiveDateTime: string;
  issued: string;
  performer: Reference[];
  valueCodeableConcept: CodeableConcept;
  specimen: Reference;
  device: Reference;
}

export interface Specimen {
  resourceType: 'Specimen';
  identifier: Identifier[];
  type: CodeableConcept;
  subject: Reference;
  collection: { collectedDateTime: string };
}

export interface Device {
  resourceType: 'Device';
  identifier: Identifier[];
  deviceName: { name: string; type: 'user-friendly-name' }[];
}

export interface Practitioner {
  resourceType: 'Practitioner';
  identifier: Identifier[];
}

export interface PractitionerRole {
  resourceType: 'PractitionerRole';
  identifier: Identifier[];
  practitioner: Reference;
  organization: Reference;
}

export interface Organization {
  resourceType: 'Organization';
  identifier: Identifier[];
}

export type Resource = Patient | Observation | Specimen | Device | Practitioner | PractitionerRole | Organization;

/** A transaction entry: a conditional create, so that a replayed message creates nothing. */
export interface TransactionEntry {
  fullUrl: string;
  resource: Resource;
  request: { method: 'POST'; url: Resource['resourceType']; ifNoneExist: string };
}

export interface TransactionBundle {
  resourceType: 'Bundle';
  identifier: Identifier;
  type: 'transaction';
  timestamp: string;
  entry: TransactionEntry[];
}
