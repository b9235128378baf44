export { appendAudit, appendAuditNow, type AuditEvent, type AuditOutcome } from './append.js';
export { createAuditSealer, type AuditSealer, type AuditSealerOptions } from './sealer.js';
export { createAuditGuard, type AuditGuard, type AuditLag } from './availability.js';
export { allCheckpointSinks, configuredCheckpointSink, fileCheckpointSink, readCheckpointSink, webhookCheckpointSink, type CheckpointSink, type SinkEntry } from './sink.js';
export { verifyAuditLog, type AuditFault, type AuditFaultKind, type VerifyReport } from './verify.js';
export { proveEvent, verifyEventProof, type EventProof } from './proof.js';
export { exportAudit } from './export.js';
export { merkleRoot, leafHash, inclusionProof, verifyInclusion } from './merkle.js';
export type { AuditRecord } from './records.js';
