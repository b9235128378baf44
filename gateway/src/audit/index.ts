export { appendAudit, appendAuditNow, type AuditEvent, type AuditOutcome } from './append.js';
