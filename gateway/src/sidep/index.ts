export { SIDEP_CONTRACT_VERSION, type RejectionIssue, type SendOutcome, type SidepAdapter, type SidepMessage } from './adapter.js';
export { createFhirSidepClient, type FhirSidepClient, type FhirSidepClientOptions, type SidepTls } from './fhir-client.js';
export { isRecord, parseJson } from './json.js';
