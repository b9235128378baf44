export type { RejectionIssue, SendOutcome, SidepAdapter, SidepMessage } from './adapter.js';
export { createFhirSidepClient, type FhirSidepClient, type FhirSidepClientOptions, type SidepTls } from './fhir-client.js';
export { isRecord, parseJson } from './json.js';
