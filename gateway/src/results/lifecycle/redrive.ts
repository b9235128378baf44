import { sql } from 'kysely';
import type { Database } from '../../db/index.js';
import { appendAudit, type AuditEvent } from '../../audit/index.js';
import { statusesMovingTo } from './statuses.js';

/**
 * Puts dead-lettered messages back in the queue unchanged (attempts reset). Data fixes are the
 * pharmacy's to make, through a correction; this is for outages and fixed SI-DEP-side problems.
 * @example const n = await redrive(db, { ids: [messageId], actor: { type: 'user', id: 'ops' } });
 */
export async function redrive(
  db: Database,
  o: {
    /** Message ids, or the results whose dead messages to redrive, or every dead letter. */
    ids?: string[];
    resultIds?: string[];
    all?: boolean;
    /** Only this pharmacy's messages. */
    pharmacyId?: string;
    actor: AuditEvent['actor'];
    requestId?: string;
  },
): Promise<string[]> {
  const none = ['00000000-0000-0000-0000-000000000000'];
  return db.transaction().execute(async (tx) => {
    let q = tx
      .updateTable('outbox_messages')
      .set({ state: 'pending', attempts: 0, next_attempt_at: sql`now()`, dead_reason: null, last_error_code: null, updated_at: sql`now()` })
      .where('state', '=', 'dead');
    if (o.resultIds) q = q.where('result_id', 'in', o.resultIds.length ? o.resultIds : none);
    else if (!o.all) q = q.where('id', 'in', o.ids?.length ? o.ids : none);
    if (o.pharmacyId) q = q.where('result_id', 'in', (eb) => eb.selectFrom('test_results').select('id').where('pharmacy_id', '=', o.pharmacyId as string));
    const rows = await q.returning(['id', 'result_id', 'kind']).execute();
    const results = rows.filter((r) => r.kind !== 'cancellation').map((r) => r.result_id);
    if (results.length) {
      await tx
        .updateTable('test_results')
        .set({ status: 'received', problem_code: null, updated_at: sql`now()` })
        .where('id', 'in', results)
        .where('status', 'in', statusesMovingTo('received'))
        .where('superseded_by', 'is', null)
        .execute();
    }
    await appendAudit(tx, rows.map((r) => ({ actor: o.actor, action: 'outbox.redrive', object: { type: 'outbox-message', id: r.id }, outcome: 'success' as const, requestId: o.requestId })));
    return rows.map((r) => r.id);
  });
}
