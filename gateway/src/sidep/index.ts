export type { RejectionIssue, SendOutcome, SidepAdapter, SidepMessage } from './adapter.js';
export { createFhirSidepClient, type FhirSidepClientOptions } from './fhir-client.js';
