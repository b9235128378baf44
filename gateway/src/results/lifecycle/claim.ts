import { sql } from 'kysely';
import type { Database, MessageKind } from '../../db/index.js';
import { statusesMovingTo } from './statuses.js';

export interface ClaimedMessage {
  id: string;
  resultId: string;
  kind: MessageKind;
  attempts: number;
  createdAt: Date;
  leaseToken: string;
  /** What the message is built from, read with the claim (no second round trip per message). */
  result: ClaimedResult;
}

export interface ClaimedResult {
  pharmacyId: string;
  finess: string;
  sealed: Buffer | null;
  dataKeyId: string | null;
  corrects: string | null;
  receivedAt: Date;
}

/**
 * Claims due messages for delivery. SKIP LOCKED lets replicas claim disjoint rows without
 * waiting on each other; the lease moves `next_attempt_at` to its expiry, so a crashed worker's
 * claims simply become due again. A correction or cancellation waits until the message it
 * follows is settled, so SI-DEP sees them in order.
 *
 * Fairness: half of each batch goes to messages never attempted, newest first; a quarter to the
 * most recently due (a new result whose first send failed, back from its short backoff); a
 * quarter to the longest due. After an outage the backlog drains from its oldest end at a quarter
 * of SI-DEP's pace or more (and from every end while intake is slower than half of it), while a
 * result committed meanwhile is in the next batch instead of behind the whole backlog (100,000
 * messages at 500/s: over three minutes), retries of the backlog coming due cannot overtake it,
 * and a failed first send does not put it behind the backlog either. The parts walk
 * `outbox_first_attempts` from its newest end and `outbox_due` from both ends.
 */
export function claimDue(db: Database, o: { limit: number; leaseSeconds: number; leaseToken: string }) {
  const first = Math.ceil(o.limit / 2);
  const longest = Math.ceil((o.limit - first) / 2);
  return sql<{ id: string; result_id: string; kind: MessageKind; attempts: number; created_at: Date } & {
    pharmacy_id: string; finess: string; sealed: Buffer | null; data_key_id: string | null; corrects: string | null; received_at: Date;
  }>`
    WITH newest AS (
      ${dueMessages('first-attempts-newest', first)}
    ), recent AS (
      ${dueMessages('most-recently-due', o.limit - first - longest)}
    ), oldest AS (
      ${dueMessages('longest-due', longest)}
    ), due AS (
      -- the parts meet when fewer than the batch are due: they then hold the same rows
      SELECT id FROM newest UNION SELECT id FROM recent UNION SELECT id FROM oldest
    ), claimed AS (
      UPDATE outbox_messages m
      SET lease_token = ${o.leaseToken}::uuid,
          lease_until = now() + make_interval(secs => ${o.leaseSeconds}),
          next_attempt_at = now() + make_interval(secs => ${o.leaseSeconds}),
          attempts = m.attempts + 1,
          updated_at = now()
      FROM due WHERE m.id = due.id
      RETURNING m.id, m.result_id, m.kind, m.attempts, m.created_at
    ), marked AS (
      UPDATE test_results r SET status = 'delivering', updated_at = now()
      FROM claimed
      WHERE r.id = claimed.result_id AND claimed.kind <> 'cancellation' AND r.status IN (${sql.join(statusesMovingTo('delivering').map((s) => sql.lit(s)))})
    )
    SELECT c.*, r.pharmacy_id, p.finess, r.sealed, r.data_key_id, r.corrects, r.received_at
    FROM claimed c JOIN test_results r ON r.id = c.result_id JOIN pharmacies p ON p.id = r.pharmacy_id`.compile(db);
}

/** Due messages of one part of the claim, locked for it. */
function dueMessages(part: 'first-attempts-newest' | 'most-recently-due' | 'longest-due', limit: number) {
  const order = { 'first-attempts-newest': sql`m.created_at DESC`, 'most-recently-due': sql`m.next_attempt_at DESC`, 'longest-due': sql`m.next_attempt_at` }[part];
  return sql`
      SELECT m.id FROM outbox_messages m
      WHERE m.state = 'pending' AND m.next_attempt_at <= now() ${part === 'first-attempts-newest' ? sql`AND m.attempts = 0` : sql``}
        -- a scalar subquery, one primary-key probe per dependent message: as EXISTS under OR the
        -- planner hashed every settled message of the table (db-hot-path-queries-… test)
        AND (m.depends_on IS NULL OR (SELECT d.state FROM outbox_messages d WHERE d.id = m.depends_on) <> 'pending')
      ORDER BY ${order}
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED`;
}

export async function claim(db: Database, o: { limit: number; leaseSeconds: number; leaseToken: string }): Promise<ClaimedMessage[]> {
  const { rows } = await db.executeQuery(claimDue(db, o));
  return rows.map((r) => ({
    id: r.id,
    resultId: r.result_id,
    kind: r.kind,
    attempts: r.attempts,
    createdAt: r.created_at,
    leaseToken: o.leaseToken,
    result: { pharmacyId: r.pharmacy_id, finess: r.finess, sealed: r.sealed, dataKeyId: r.data_key_id, corrects: r.corrects, receivedAt: r.received_at },
  }));
}
