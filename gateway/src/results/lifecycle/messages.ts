import { sql } from 'kysely';
import type { Database } from '../../db/index.js';

/** The outbox as operators see it: ids, states and codes only. */
export function listMessages(db: Database, o: { state?: 'pending' | 'delivered' | 'dead' | 'superseded'; limit: number }) {
  let q = db
    .selectFrom('outbox_messages')
    .select(['id', 'result_id as resultId', 'kind', 'state', 'attempts', 'next_attempt_at as nextAttemptAt', 'last_error_code as lastErrorCode', 'dead_reason as deadReason', 'created_at as createdAt', 'delivered_at as deliveredAt'])
    .orderBy('created_at', 'desc')
    .limit(o.limit);
  if (o.state) q = q.where('state', '=', o.state);
  return q.execute();
}

/** Backlog gauges: messages waiting, and the age of the oldest. */
export async function backlog(db: Database): Promise<{ pending: number; oldestAgeSeconds: number }> {
  const row = await db
    .selectFrom('outbox_messages')
    .select([sql<string>`count(*)`.as('pending'), sql<number | null>`extract(epoch from now() - min(created_at))::float8`.as('age')])
    .where('state', '=', 'pending')
    .executeTakeFirstOrThrow();
  return { pending: Number(row.pending), oldestAgeSeconds: row.age ?? 0 };
}

/** Messages dead-lettered for an SI-DEP refusal since `since`, with their reason (codes and paths only). */
export function refusedSince(db: Database, since: Date) {
  return db
    .selectFrom('outbox_messages')
    .select(['id', 'dead_reason as deadReason'])
    .where('state', '=', 'dead')
    .where('last_error_code', '=', 'sidep-rejected')
    .where('updated_at', '>=', since)
    .execute();
}
