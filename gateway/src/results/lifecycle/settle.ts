import { sql } from 'kysely';
import type { Database, DeadReason, Tx } from '../../db/index.js';
import { appendAudit, auditAppender, auditInsert } from '../../audit/index.js';
import { SIDEP_CONTRACT_VERSION } from '../../sidep/adapter.js';
import type { ClaimedMessage } from './claim.js';
import { callbacksInsert, recordResultCallbacks } from './callbacks.js';

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

/**
 * SI-DEP acknowledged these messages: store each ack, settle each result (a delivered
 * cancellation cancels it) and audit each delivery — in one statement, so a batch costs one
 * round trip. Messages whose lease this worker no longer holds are left alone; returns the ids
 * settled.
 */
export async function markDelivered(db: Database, acks: { m: ClaimedMessage; ackId: string; digest: string }[]): Promise<Set<string>> {
  if (acks.length === 0) return new Set();
  const events = auditAppender.rows(acks.map(({ m }) => ({ actor: RELAY_ACTOR, action: `result.deliver.${m.kind}`, object: { type: 'test-result', id: m.resultId }, outcome: 'success', reason: 'delivery' })));
  const { rows } = await sql<{ id: string }>`
    WITH done AS (
      SELECT * FROM unnest(${acks.map((a) => a.m.id)}::uuid[], ${acks.map((a) => a.m.leaseToken)}::uuid[], ${acks.map((a) => a.ackId)}::text[], ${acks.map((a) => a.digest)}::text[]) AS d(id, token, ack, digest)
    ), held AS (
      UPDATE outbox_messages m
      SET state = 'delivered', ack_id = d.ack, delivered_at = now(), lease_token = NULL, lease_until = NULL, updated_at = now()
      FROM done d WHERE m.id = d.id AND m.lease_token = d.token
      RETURNING m.id, m.result_id, m.kind, d.ack, d.digest
    ), settled AS (
      UPDATE test_results r
      SET status = CASE WHEN h.kind = 'cancellation' THEN 'cancelled' ELSE 'delivered' END,
          cancelled_at = CASE WHEN h.kind = 'cancellation' THEN now() ELSE r.cancelled_at END,
          nir_index = CASE WHEN h.kind = 'cancellation' THEN NULL ELSE r.nir_index END,
          delivered_at = CASE WHEN h.kind = 'cancellation' THEN r.delivered_at ELSE now() END,
          sidep_ack_id = CASE WHEN h.kind = 'cancellation' THEN r.sidep_ack_id ELSE h.ack END,
          -- a claim of the signed receipt (receipts/), which is signed on first request
          delivered_contract_version = CASE WHEN h.kind = 'cancellation' THEN r.delivered_contract_version ELSE ${SIDEP_CONTRACT_VERSION} END,
          delivered_digest = CASE WHEN h.kind = 'cancellation' THEN r.delivered_digest ELSE h.digest END,
          receipt_jws = CASE WHEN h.kind = 'cancellation' THEN r.receipt_jws ELSE NULL END,
          problem_code = NULL, updated_at = now()
      FROM held h WHERE r.id = h.result_id
    ), audited AS (
      ${auditInsert(events, sql<boolean>`(object_id, action) IN (SELECT h.result_id::text, 'result.deliver.' || h.kind FROM held h)`)}
    ), callbacks AS (
      ${callbacksInsert(sql`
        SELECT r.pharmacy_id, h.result_id::text AS subject_id,
               CASE WHEN h.kind = 'cancellation' THEN 'result.cancelled' ELSE 'result.delivered' END AS type,
               jsonb_build_object('resultId', h.result_id, 'status', CASE WHEN h.kind = 'cancellation' THEN 'cancelled' ELSE 'delivered' END, 'sidepAckId', h.ack) AS data
        FROM held h JOIN test_results r ON r.id = h.result_id`)}
    )
    SELECT id FROM held`.execute(db);
  return new Set(rows.map((r) => r.id));
}

/**
 * A transient failure: try again after `delayMs`. A throttle (SI-DEP's 429: "not now", not "no")
 * gives the attempt back: a long throttle never dead-letters by attempt count (the age limit
 * still does), and a message never attempted keeps its place in the claim's first attempts.
 */
export function scheduleRetry(db: Database, m: ClaimedMessage, code: string, delayMs: number, attempt: 'counted' | 'throttled' = 'counted'): Promise<boolean> {
  return withLease(db, m, async (tx) => {
    await tx
      .updateTable('outbox_messages')
      .set({ last_error_code: code, next_attempt_at: sql`now() + make_interval(secs => ${delayMs / 1000})`, ...(attempt === 'throttled' ? { attempts: sql`attempts - 1` } : {}) })
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
    await recordResultCallbacks(tx, 'result.dead-lettered', [m.resultId]);
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
