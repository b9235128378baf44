import { appendAudit, type AuditAction, type AuditEvent } from '../audit/index.js';
import type { Database } from '../db/index.js';
import type { TestResultInput } from '../results/index.js';
import { eraseSubjectResults, findSubjectResults, type DataSubject, type ErasureOutcome, type ResultSealer, type SubjectResult } from '../results/lifecycle/index.js';
import { exportSubjectResults, type SubjectExport } from './export.js';
import type { SubjectReason } from './reasons.js';

/** What the data protection officer's actions need: the database and the result sealer (its blind index finds the NIR). */
export interface SubjectDeps {
  db: Database;
  sealer: ResultSealer<TestResultInput>;
}

/** Who acts and why: the operator or signed-in person, the reason, and on the web the request's id and address. */
export type SubjectAction = Pick<AuditEvent, 'actor' | 'requestId' | 'sourceIp'> & { reason: SubjectReason };

const auditOf = (o: SubjectAction, action: AuditAction, id?: string): AuditEvent => ({
  actor: o.actor,
  action,
  ...(id ? { object: { type: 'test-result', id } } : {}),
  outcome: 'success',
  reason: o.reason,
  ...(o.requestId ? { requestId: o.requestId } : {}),
  ...(o.sourceIp ? { sourceIp: o.sourceIp } : {}),
});

/**
 * The person's results across the chain, audited as `subject.find`: one event per result found,
 * or one naming none when nothing is found. The NIR never reaches the audit log.
 * @example const results = await findSubject(d, { nir }, { actor, reason: 'access-request' });
 */
export async function findSubject(d: SubjectDeps, subject: DataSubject, o: SubjectAction): Promise<SubjectResult[]> {
  const results = await findSubjectResults(d.db, d.sealer, subject);
  await appendAudit(d.db, results.length ? results.map((r) => auditOf(o, 'subject.find', r.id)) : [auditOf(o, 'subject.find')]);
  return results;
}

/** The person's results, decrypted and encrypted again under a one-time passphrase (`exportSubjectResults`). */
export async function exportSubject(d: SubjectDeps, subject: DataSubject, o: SubjectAction): Promise<SubjectExport> {
  const results = await findSubjectResults(d.db, d.sealer, subject);
  return exportSubjectResults(d, results, o);
}

/** Destroys now the personal data of the person's settled results (`eraseSubjectResults`); the others are listed with why. */
export async function eraseSubject(d: SubjectDeps, subject: DataSubject, o: SubjectAction): Promise<ErasureOutcome & { results: SubjectResult[] }> {
  const results = await findSubjectResults(d.db, d.sealer, subject);
  const outcome = await eraseSubjectResults(d.db, results.map((r) => r.id), o);
  return { ...outcome, results };
}
