import { sql } from 'kysely';
import type { Database } from '../../db/index.js';
import type { ResultStatusView } from '../../api-types.js';
import { NotFound, ValidationFailed } from '../../errors.js';
import { isUuid } from '../../uuid.js';
import type { PharmacyScope } from './scope.js';
import { isResultStatus } from './statuses.js';

const MAX_LIMIT = 500;

const reachesNone = (scope: PharmacyScope) => !scope.all && scope.pharmacyIds.length === 0;

function statusQuery(db: Database, scope: PharmacyScope) {
  // the message that drives a result's delivery: its latest (a cancellation comes after the original)
  const query = db
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
    ]);
  // one pharmacy: `in ($1)` is planned as `= $1`, so a listing walks test_results_listing in order
  return scope.all ? query : query.where('r.pharmacy_id', 'in', scope.pharmacyIds);
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

/** One result of the caller's pharmacies; anything else (another pharmacy's, not a UUID) is 404. */
export async function getResultStatus(db: Database, scope: PharmacyScope, id: string): Promise<ResultStatusView> {
  if (!isUuid(id) || reachesNone(scope)) throw new NotFound();
  const row = await statusQuery(db, scope).where('r.id', '=', id.toLowerCase()).executeTakeFirst();
  if (!row) throw new NotFound();
  return toView(row);
}

/** The pharmacy of the scope holding result `id`, if any (none for anything but a UUID). */
export async function pharmacyHolding(db: Database, scope: PharmacyScope, id: string): Promise<string | undefined> {
  if (!isUuid(id) || reachesNone(scope)) return undefined;
  let query = db.selectFrom('test_results').select('pharmacy_id').where('id', '=', id.toLowerCase());
  if (!scope.all) query = query.where('pharmacy_id', 'in', scope.pharmacyIds);
  return (await query.executeTakeFirst())?.pharmacy_id;
}

export interface ListQuery {
  status?: string;
  since?: string;
  limit?: string;
  cursor?: string;
}

/**
 * The scope's results for reconciliation, ordered by last change, keyset-paginated
 * on (updatedAt, id) so a page boundary never skips or repeats a result.
 */
export async function listResultStatuses(db: Database, scope: PharmacyScope, q: ListQuery): Promise<{ items: ResultStatusView[]; nextCursor: string | null }> {
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
  if (reachesNone(scope)) return { items: [], nextCursor: null };

  let query = statusQuery(db, scope).orderBy('r.updated_at').orderBy('r.id').limit(limit + 1);
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
  if (!at || !id || !isUuid(id) || !PG_TIMESTAMPTZ.test(at)) return undefined;
  return { at, id };
}
