// The code systems, profiles and extensions the SI-DEP message names (FR Core, HL7, JRC, LOINC).

const FR_CORE = 'https://hl7.fr/ig/fhir/core';
export const SNOMED_CT = 'http://snomed.info/sct';
export const SYSTEMS = {
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
export const PROFILES = {
  patient: `${FR_CORE}/StructureDefinition/fr-core-patient`,
  patientIns: `${FR_CORE}/StructureDefinition/fr-core-patient-ins`,
} as const;
export const EXTENSIONS = {
  identityReliability: `${FR_CORE}/StructureDefinition/fr-core-identity-reliability`,
  birthListGivenName: `${FR_CORE}/StructureDefinition/fr-core-patient-birth-list-given-name`,
  addressInseeCode: `${FR_CORE}/StructureDefinition/fr-core-address-insee-code`,
  birthPlace: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace',
  observationReplaces: 'http://hl7.org/fhir/StructureDefinition/observation-replaces',
} as const;
