import { sql } from 'kysely';
import type { Database, DeadReason, Tx } from '../db/index.js';
import { appendAudit } from '../audit/index.js';
import type { ClaimedMessage } from './claim.js';

const RELAY_ACTOR = { type: 'system', id: 'relay' } as const;

/**
 * Runs `work` only while this worker still holds the lease: a worker whose lease expired (and
 * whose message another worker re-claimed) changes nothing.
 */
async function withLease(db: Database, m: ClaimedMessage, work: (tx: Tx) => Promise<void>): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const held = await tx
      .updateTable('outbox_messages')
      .set({ lease_token: null, lease_until: null, updated_at: sql`now()` })
      .where('id', '=', m.id)
      .where('lease_token', '=', m.leaseToken)
      .executeTakeFirst();
    if (held.numUpdatedRows !== 1n) return false;
    await work(tx);
    return true;
  });
}

/** SI-DEP acknowledged the message: store its ack; a delivered cancellation cancels the result. */
export function markDelivered(db: Database, m: ClaimedMessage, ackId: string): Promise<boolean> {
  return withLease(db, m, async (tx) => {
    await tx.updateTable('outbox_messages').set({ state: 'delivered', ack_id: ackId, delivered_at: sql`now()` }).where('id', '=', m.id).execute();
    const settled =
      m.kind === 'cancellation'
        ? { status: 'cancelled' as const, cancelled_at: sql<Date>`now()`, nir_index: null }
        : { status: 'delivered' as const, delivered_at: sql<Date>`now()`, sidep_ack_id: ackId };
    await tx.updateTable('test_results').set({ ...settled, problem_code: null, updated_at: sql`now()` }).where('id', '=', m.resultId).execute();
    await appendAudit(tx, [{ actor: RELAY_ACTOR, action: `result.deliver.${m.kind}`, object: { type: 'test-result', id: m.resultId }, outcome: 'success', reason: 'delivery' }]);
  });
}

/** A transient failure: try again after `delayMs`. */
export function scheduleRetry(db: Database, m: ClaimedMessage, code: string, delayMs: number): Promise<boolean> {
  return withLease(db, m, async (tx) => {
    await tx
      .updateTable('outbox_messages')
      .set({ last_error_code: code, next_attempt_at: sql`now() + make_interval(secs => ${delayMs / 1000})` })
      .where('id', '=', m.id)
      .execute();
    if (m.kind !== 'cancellation') {
      await tx.updateTable('test_results').set({ status: 'retrying', problem_code: code, updated_at: sql`now()` }).where('id', '=', m.resultId).execute();
    }
  });
}

/** SI-DEP refused the message, or the relay gave up: visible, redrivable after correction. */
export function deadLetter(db: Database, m: ClaimedMessage, reason: DeadReason): Promise<boolean> {
  return withLease(db, m, async (tx) => {
    await tx.updateTable('outbox_messages').set({ state: 'dead', dead_reason: JSON.stringify(reason), last_error_code: reason.code }).where('id', '=', m.id).execute();
    await tx.updateTable('test_results').set({ status: 'dead-lettered', problem_code: reason.code, updated_at: sql`now()` }).where('id', '=', m.resultId).execute();
    await appendAudit(tx, [{ actor: RELAY_ACTOR, action: `result.deliver.${m.kind}`, object: { type: 'test-result', id: m.resultId }, outcome: 'failure', reason: reason.code }]);
  });
}

/** Gives the claim back without counting the attempt (the key manager was unavailable). */
export function releaseClaim(db: Database, m: ClaimedMessage, code: string): Promise<boolean> {
  return withLease(db, m, async (tx) => {
    await tx
      .updateTable('outbox_messages')
      .set({ attempts: sql`attempts - 1`, last_error_code: code, next_attempt_at: sql`now() + interval '2 seconds'` })
      .where('id', '=', m.id)
      .execute();
  });
}
