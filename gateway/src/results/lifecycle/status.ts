import { sql } from 'kysely';
import type { Database } from '../../db/index.js';
import type { ResultStatusView } from '../../api-types.js';
import { NotFound, ValidationFailed } from '../../errors.js';
import { isResultStatus } from './statuses.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_LIMIT = 500;

function statusQuery(db: Database, pharmacyId: string) {
  // the message that drives a result's delivery: its latest (a cancellation comes after the original)
  return db
    .selectFrom('test_results as r')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('outbox_messages as m')
          .select(['m.attempts', 'm.next_attempt_at', 'm.state'])
          .whereRef('m.result_id', '=', 'r.id')
          .orderBy('m.created_at', 'desc')
          .limit(1)
          .as('m'),
      (j) => j.onTrue(),
    )
    .select([
      'r.id', 'r.status', 'r.received_at', 'r.delivered_at', 'r.purged_at', 'r.sidep_ack_id', 'r.problem_code',
      'r.superseded_by', 'm.attempts', 'm.next_attempt_at', 'm.state',
      // exact (microsecond) text form for the cursor: a JS Date would round it to milliseconds
      sql<string>`r.updated_at::text`.as('updated_key'),
    ])
    .where('r.pharmacy_id', '=', pharmacyId);
}

type StatusRow = Awaited<ReturnType<ReturnType<typeof statusQuery>['executeTakeFirstOrThrow']>>;

function toView(r: StatusRow): ResultStatusView {
  return {
    id: r.id,
    status: r.status,
    receivedAt: r.received_at.toISOString(),
    deliveredAt: r.delivered_at?.toISOString() ?? null,
    purgedAt: r.purged_at?.toISOString() ?? null,
    attempts: r.attempts ?? 0,
    nextAttemptAt: r.state === 'pending' && r.next_attempt_at ? r.next_attempt_at.toISOString() : null,
    sidepAckId: r.sidep_ack_id,
    problem: r.problem_code ? { code: r.problem_code } : null,
    supersededBy: r.superseded_by,
  };
}

/** One result of the caller's pharmacy; anything else (another pharmacy's, not a UUID) is 404. */
export async function getResultStatus(db: Database, pharmacyId: string, id: string): Promise<ResultStatusView> {
  if (!UUID.test(id)) throw new NotFound();
  const row = await statusQuery(db, pharmacyId).where('r.id', '=', id.toLowerCase()).executeTakeFirst();
  if (!row) throw new NotFound();
  return toView(row);
}

export interface ListQuery {
  status?: string;
  since?: string;
  limit?: string;
  cursor?: string;
}

/**
 * The pharmacy's results for reconciliation, ordered by last change, keyset-paginated
 * on (updatedAt, id) so a page boundary never skips or repeats a result.
 */
export async function listResultStatuses(db: Database, pharmacyId: string, q: ListQuery): Promise<{ items: ResultStatusView[]; nextCursor: string | null }> {
  const errors: { pointer: string; code: string }[] = [];
  const given = q.status ? q.status.split(',') : [];
  const statuses = given.filter(isResultStatus);
  if (statuses.length < given.length) errors.push({ pointer: '/status', code: 'invalid-type' });
  const since = q.since ? new Date(q.since) : undefined;
  if (q.since && (!/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(q.since) || Number.isNaN(since?.getTime()))) errors.push({ pointer: '/since', code: 'invalid-type' });
  const limit = q.limit === undefined ? 100 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) errors.push({ pointer: '/limit', code: 'invalid-type' });
  const cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
  if (q.cursor && !cursor) errors.push({ pointer: '/cursor', code: 'invalid-type' });
  if (errors.length) throw new ValidationFailed(errors);

  let query = statusQuery(db, pharmacyId).orderBy('r.updated_at').orderBy('r.id').limit(limit + 1);
  if (statuses.length) query = query.where('r.status', 'in', statuses);
  if (since) query = query.where('r.updated_at', '>=', since);
  if (cursor) query = query.where(sql<boolean>`(r.updated_at, r.id) > (${cursor.at}::timestamptz, ${cursor.id}::uuid)`);
  const rows = await query.execute().catch((e: { code?: string }) => {
    // a well-shaped cursor can still name no instant (month 13, 31 February)
    if (cursor && (e.code === '22007' || e.code === '22008')) throw new ValidationFailed([{ pointer: '/cursor', code: 'invalid-type' }]);
    throw e;
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toView),
    nextCursor: rows.length > limit && last ? encodeCursor(last.updated_key, last.id) : null,
  };
}

function encodeCursor(at: string, id: string): string {
  return Buffer.from(`${at}|${id}`).toString('base64url');
}

/** Postgres' own text form of a timestamptz, as `encodeCursor` stores it (years 0001–9999). */
const PG_TIMESTAMPTZ = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

function decodeCursor(s: string): { at: string; id: string } | undefined {
  const [at, id] = Buffer.from(s, 'base64url').toString('utf8').split('|');
  if (!at || !id || !UUID.test(id) || !PG_TIMESTAMPTZ.test(at)) return undefined;
  return { at, id };
}
