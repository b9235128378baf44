import type { Database } from '../db/index.js';
import { NotFound, ValidationFailed } from '../errors.js';
import type { PharmacyScope } from '../auth/rbac.js';
import type { ResultDetail, ResultRow } from '../api-types.js';
import { isResultStatus } from '../results/lifecycle/index.js';
import { isUuid } from '../uuid.js';

export type { ResultDetail, ResultRow };

const LIMIT = 100;

function scoped(db: Database, scope: PharmacyScope) {
  const q = db
    .selectFrom('test_results as r')
    .innerJoin('pharmacies as p', 'p.id', 'r.pharmacy_id')
    .select(['r.id', 'r.status', 'r.received_at', 'r.delivered_at', 'r.purged_at', 'r.cancelled_at', 'r.problem_code', 'r.sidep_ack_id', 'r.superseded_by', 'r.corrects', 'p.finess', 'p.name']);
  // an empty enrolment sees nothing rather than everything
  return scope.all ? q : q.where('r.pharmacy_id', 'in', scope.pharmacyIds.length ? [...scope.pharmacyIds] : ['00000000-0000-0000-0000-000000000000']);
}

type Row = Awaited<ReturnType<ReturnType<typeof scoped>['executeTakeFirstOrThrow']>>;

function toRow(r: Row): ResultRow {
  return {
    id: r.id,
    pharmacy: { finess: r.finess, name: r.name },
    status: r.status,
    receivedAt: r.received_at.toISOString(),
    deliveredAt: r.delivered_at?.toISOString() ?? null,
    purgedAt: r.purged_at?.toISOString() ?? null,
    problem: r.problem_code ? { code: r.problem_code } : null,
  };
}

/**
 * Finds results by id or status, newest first, within the caller's pharmacies.
 * @example await searchResults(db, { all: true }, { status: 'dead-lettered' });
 */
export async function searchResults(db: Database, scope: PharmacyScope, q: { id?: string; status?: string }): Promise<{ items: ResultRow[] }> {
  const errors = [
    ...(q.id && !isUuid(q.id) ? [{ pointer: '/id', code: 'invalid-type' }] : []),
    ...(q.status && !isResultStatus(q.status) ? [{ pointer: '/status', code: 'invalid-type' }] : []),
  ];
  if (errors.length) throw new ValidationFailed(errors);
  let query = scoped(db, scope).orderBy('r.received_at', 'desc').limit(LIMIT);
  if (q.id) query = query.where('r.id', '=', q.id.toLowerCase());
  if (q.status && isResultStatus(q.status)) query = query.where('r.status', '=', q.status);
  return { items: (await query.execute()).map(toRow) };
}

/** One result with its history and every message sent for it; outside the scope: 404. */
export async function readResultDetail(db: Database, scope: PharmacyScope, id: string): Promise<ResultDetail> {
  if (!isUuid(id)) throw new NotFound();
  const r = await scoped(db, scope).where('r.id', '=', id.toLowerCase()).executeTakeFirst();
  if (!r) throw new NotFound();
  const messages = await db
    .selectFrom('outbox_messages')
    .select(['id', 'kind', 'state', 'attempts', 'created_at', 'delivered_at', 'updated_at', 'last_error_code', 'dead_reason'])
    .where('result_id', '=', r.id)
    .orderBy('created_at')
    .execute();
  const history: { at: Date; event: string }[] = [{ at: r.received_at, event: 'received' }];
  for (const m of messages) {
    if (m.kind !== 'original') history.push({ at: m.created_at, event: m.kind });
    if (m.delivered_at) history.push({ at: m.delivered_at, event: m.kind === 'original' ? 'delivered' : `${m.kind}-delivered` });
    if (m.state === 'dead') history.push({ at: m.updated_at, event: 'dead-lettered' });
  }
  if (r.cancelled_at) history.push({ at: r.cancelled_at, event: 'cancelled' });
  if (r.purged_at) history.push({ at: r.purged_at, event: 'purged' });
  history.sort((a, b) => a.at.getTime() - b.at.getTime());
  return {
    result: { ...toRow(r), sidepAckId: r.sidep_ack_id, supersededBy: r.superseded_by, corrects: r.corrects },
    history: history.map((h) => ({ at: h.at.toISOString(), event: h.event })),
    messages: messages.map((m) => ({
      id: m.id,
      kind: m.kind,
      state: m.state,
      attempts: m.attempts,
      createdAt: m.created_at.toISOString(),
      deliveredAt: m.delivered_at?.toISOString() ?? null,
      lastErrorCode: m.last_error_code,
      // the code and HTTP status only: FHIR paths stay on the dead-letter page of those who redrive
      deadReason: m.dead_reason ? { code: m.dead_reason.code, ...(m.dead_reason.httpStatus ? { httpStatus: m.dead_reason.httpStatus } : {}) } : null,
    })),
  };
}

