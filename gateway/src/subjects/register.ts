import { sql, type Selectable } from 'kysely';
import { appendAudit, type AuditEvent } from '../audit/index.js';
import type { Database } from '../db/index.js';
import type { SubjectRequests } from '../db/types.js';
import { isUuid } from '../uuid.js';
import type { SubjectReason } from './reasons.js';

/** One request of a person tested, as the register keeps it: no personal value. */
export interface SubjectRequest {
  id: string;
  receivedAt: Date;
  /** One month after receipt (GDPR art. 12(3)). */
  dueAt: Date;
  reason: SubjectReason;
  status: 'open' | 'answered';
  answeredAt: Date | null;
  recordedBy: string;
  answeredBy: string | null;
}

const actorName = (actor: AuditEvent['actor']) => actor.id ?? actor.type;

/**
 * Records a request received now, due one month later, audited as `subject.request` (reason: the
 * request's) in the same transaction. Returns its id.
 * @example const id = await recordSubjectRequest(db, { reason: 'erasure', actor });
 */
export async function recordSubjectRequest(db: Database, o: { reason: SubjectReason; actor: AuditEvent['actor'] }): Promise<string> {
  return db.transaction().execute(async (tx) => {
    const { id } = await tx
      .insertInto('subject_requests')
      .values({ received_at: sql`now()`, due_at: sql`now() + interval '1 month'`, reason: o.reason, recorded_by: actorName(o.actor) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(tx, [{ actor: o.actor, action: 'subject.request', object: { type: 'subject-request', id }, outcome: 'success', reason: o.reason }]);
    return id;
  });
}

/**
 * Marks an open request answered now, audited as `subject.answer`; false when no open request
 * has that id.
 * @example if (!(await answerSubjectRequest(db, id, { actor }))) …
 */
export async function answerSubjectRequest(db: Database, id: string, o: { actor: AuditEvent['actor'] }): Promise<boolean> {
  if (!isUuid(id)) return false;
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('subject_requests')
      .set({ status: 'answered', answered_at: sql`now()`, answered_by: actorName(o.actor) })
      .where('id', '=', id)
      .where('status', '=', 'open')
      .returning('reason')
      .executeTakeFirst();
    if (!row) return false;
    await appendAudit(tx, [{ actor: o.actor, action: 'subject.answer', object: { type: 'subject-request', id }, outcome: 'success', reason: row.reason }]);
    return true;
  });
}

/** The register, open requests first by due date, then the answered ones newest first. */
export async function listSubjectRequests(db: Database, o: { limit: number }): Promise<SubjectRequest[]> {
  const rows = await db
    .selectFrom('subject_requests')
    .selectAll()
    .orderBy(sql`status = 'open'`, 'desc')
    .orderBy(sql`CASE WHEN status = 'open' THEN due_at END`)
    .orderBy('received_at', 'desc')
    .limit(o.limit)
    .execute();
  return rows.map(requestOf);
}

/** One request of the register, or undefined. */
export async function subjectRequest(db: Database, id: string): Promise<SubjectRequest | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db.selectFrom('subject_requests').selectAll().where('id', '=', id).executeTakeFirst();
  return row && requestOf(row);
}

function requestOf(r: Selectable<SubjectRequests>): SubjectRequest {
  return {
    id: r.id,
    receivedAt: r.received_at,
    dueAt: r.due_at,
    // the table's CHECK lists the same reasons
    reason: r.reason as SubjectReason,
    status: r.status === 'answered' ? 'answered' : 'open',
    answeredAt: r.answered_at,
    recordedBy: r.recorded_by,
    answeredBy: r.answered_by,
  };
}

/** How many days before its due date an open request is counted by `gateway_subject_requests_due_soon` (and alerted on). */
export const SUBJECT_REQUEST_WARNING_DAYS = 7;

/** Open requests due within `days` (overdue ones included): what the gauge and its alert read. */
export async function openRequestsDueWithin(db: Database, days: number): Promise<number> {
  const row = await db
    .selectFrom('subject_requests')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('status', '=', 'open')
    .where('due_at', '<', sql<Date>`now() + make_interval(days => ${days})`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
