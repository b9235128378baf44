import { sql } from 'kysely';
import type { Database } from '../db/index.js';
import { appendAudit } from '../audit/index.js';

export interface RetentionPolicy {
  deliveredDays: number;
  deadLetteredDays: number;
}

const BATCH = 1_000;

/**
 * Destroys the personal data of results in a terminal state past retention: delivered or
 * cancelled after `deliveredDays`, dead-lettered after `deadLetteredDays`. The ciphertext, the
 * blind indexes and the idempotency records (an HMAC of the body) go; a receipt stays: id,
 * pharmacy, timestamps, status, SI-DEP acknowledgement. A result with a message still waiting
 * (a correction or cancellation to deliver) is kept until that message settles.
 * @example const purged = await purgeExpired(db, { deliveredDays: 7, deadLetteredDays: 30 });
 */
export async function purgeExpired(db: Database, policy: RetentionPolicy, now: Date = new Date()): Promise<number> {
  let total = 0;
  for (;;) {
    const purged = await db.transaction().execute(async (tx) => {
      const due = await tx
        .selectFrom('test_results as r')
        .select(['r.id', 'r.status'])
        .where('r.purged_at', 'is', null)
        .where((eb) =>
          eb.or([
            eb.and([eb('r.status', 'in', ['delivered', 'cancelled']), eb('r.updated_at', '<', daysBefore(now, policy.deliveredDays))]),
            eb.and([eb('r.status', '=', 'dead-lettered'), eb('r.updated_at', '<', daysBefore(now, policy.deadLetteredDays))]),
          ]),
        )
        .where((eb) => eb.not(eb.exists(eb.selectFrom('outbox_messages as m').select('m.id').whereRef('m.result_id', '=', 'r.id').where('m.state', '=', 'pending'))))
        .limit(BATCH)
        .forUpdate()
        .skipLocked()
        .execute();
      if (due.length === 0) return 0;
      const ids = due.map((r) => r.id);
      await tx.deleteFrom('idempotency_keys').where('result_id', 'in', ids).execute();
      await tx
        .updateTable('test_results')
        .set({ sealed: null, data_key_id: null, nir_index: null, external_ref_index: null, loinc: null, collected_minute: null, purged_at: sql`now()` })
        .where('id', 'in', ids)
        .execute();
      await appendAudit(tx, due.map((r) => ({ actor: { type: 'system' as const, id: 'purge' }, action: 'result.purge', object: { type: 'test-result', id: r.id }, outcome: 'success' as const, reason: r.status })));
      return due.length;
    });
    total += purged;
    if (purged < BATCH) return total;
  }
}

function daysBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * 86_400_000);
}
