import { z } from '@hono/zod-openapi';
import { sql, type Transaction } from 'kysely';
import type { AuditEventRow, AuditEventsPage } from '../api-types.js';
import { SEALER_ROLE, type Database, type DB } from '../db/index.js';
import { ValidationFailed, type FieldIssue } from '../errors.js';
import { isUuid } from '../uuid.js';

/** A validated audit search: exact matches on codes and ids, a time range, a page. */
export interface AuditSearchQuery {
  since?: Date;
  until?: Date;
  action?: string;
  actor?: string;
  outcome?: 'success' | 'failure' | 'denied';
  object?: string;
  limit: number;
  /** Events below this sequence (the previous page's last). */
  cursor?: string;
}

/** A time range of the audit log (verify, export). */
export interface AuditRange {
  since?: Date;
  until?: Date;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;
/** Actions (`result.create`, `GET /api/web/v1/…`), actor and object ids: printable ASCII. */
const CODE = /^[\x21-\x7e][\x20-\x7e]{0,199}$/;
const SEQ = /^[1-9]\d{0,17}$/;
const OUTCOMES = ['success', 'failure', 'denied'] as const;
const MAX_LIMIT = 500;

function instant(value: string | undefined, pointer: string, errors: FieldIssue[]): Date | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (!INSTANT.test(value) || Number.isNaN(t)) {
    errors.push({ pointer, code: 'invalid-type' });
    return undefined;
  }
  return new Date(t);
}

/** The queries `parseAuditRange` and `parseAuditSearchQuery` check, for the routes' declarations (their own checks answer the faults). */
export const AUDIT_RANGE_QUERY = z.object({
  since: z.string().optional().openapi({ description: 'RFC 3339' }),
  until: z.string().optional().openapi({ description: 'RFC 3339, not before `since`' }),
});
export const AUDIT_SEARCH_QUERY = AUDIT_RANGE_QUERY.extend({
  action: z.string().optional(),
  actor: z.string().optional(),
  outcome: z.enum(OUTCOMES).optional(),
  object: z.string().optional(),
  limit: z.string().optional().openapi({ description: `1..${MAX_LIMIT}, default 100` }),
  cursor: z.string().optional().openapi({ description: "The previous page's `nextCursor`" }),
});

/** `?since=&until=` (RFC 3339); every fault reported, values never echoed. */
export function parseAuditRange(q: Record<string, string | undefined>, errors: FieldIssue[] = [], allowed: readonly string[] = Object.keys(AUDIT_RANGE_QUERY.shape)): AuditRange {
  for (const k of Object.keys(q)) if (!allowed.includes(k)) errors.push({ pointer: `/${k}`, code: 'unknown-field' });
  const since = instant(q.since, '/since', errors);
  const until = instant(q.until, '/until', errors);
  if (since && until && since > until) errors.push({ pointer: '/until', code: 'time-range' });
  if (errors.length) throw new ValidationFailed(errors);
  return { ...(since ? { since } : {}), ...(until ? { until } : {}) };
}

/**
 * Parses `?since=&until=&action=&actor=&outcome=&object=&limit=&cursor=`: exact matches, limit
 * 1–500 (default 100), cursor a sequence number. Throws `ValidationFailed` naming each field.
 * @example parseAuditSearchQuery({ action: 'result.create', outcome: 'denied', limit: '50' });
 */
export function parseAuditSearchQuery(q: Record<string, string | undefined>): AuditSearchQuery {
  const errors: FieldIssue[] = [];
  const text = (name: 'action' | 'actor' | 'object') => {
    const v = q[name];
    if (v === undefined || v === '') return undefined;
    if (!CODE.test(v)) errors.push({ pointer: `/${name}`, code: 'invalid-type' });
    return v;
  };
  const action = text('action');
  const actor = text('actor');
  const object = text('object');
  const outcome = OUTCOMES.find((o) => o === q.outcome);
  if (q.outcome !== undefined && q.outcome !== '' && !outcome) errors.push({ pointer: '/outcome', code: 'invalid-type' });
  const limit = q.limit === undefined ? 100 : /^\d{1,3}$/.test(q.limit) ? Number(q.limit) : 0;
  if (limit < 1 || limit > MAX_LIMIT) errors.push({ pointer: '/limit', code: 'invalid-type' });
  if (q.cursor !== undefined && !SEQ.test(q.cursor)) errors.push({ pointer: '/cursor', code: 'invalid-type' });
  const range = parseAuditRange(q, errors, Object.keys(AUDIT_SEARCH_QUERY.shape));
  return { ...range, limit, ...(action ? { action } : {}), ...(actor ? { actor } : {}), ...(outcome ? { outcome } : {}), ...(object ? { object } : {}), ...(q.cursor ? { cursor: q.cursor } : {}) };
}

/**
 * Runs `work` in one read-only transaction as the sealer role: the web process's runtime role
 * may only insert audit events, and the runtime role is NOINHERIT, so it reads the log only
 * after `SET LOCAL ROLE`. Read only, the transaction takes no transaction id and so never holds
 * back sealing (which waits for older transaction ids), however long a verification runs.
 * @example const page = await readAuditLog(db, (tx) => searchAuditEvents(tx, q));
 */
export function readAuditLog<T>(db: Database, work: (tx: Transaction<DB>) => Promise<T>): Promise<T> {
  return db
    .transaction()
    .setAccessMode('read only')
    .execute(async (tx) => {
      await sql`SET LOCAL ROLE ${sql.id(SEALER_ROLE)}`.execute(tx);
      return work(tx);
    });
}

/**
 * Names the actors of a page for display, read as the caller's role (the sealer role reading the
 * log sees no registry): a pharmacy actor (`<pharmacy id>/<certificate fingerprint>`) by its
 * pharmacy's name, a person (`<issuer>:<subject>`) by the name, else the e-mail, of their last
 * sign-in. The log itself keeps only the identifiers.
 * @example const page = await nameActors(db, await readAuditLog(db, (tx) => searchAuditEvents(tx, q)));
 */
export async function nameActors(db: Database, page: AuditEventsPage): Promise<AuditEventsPage> {
  const pharmacyOf = (e: AuditEventRow) => (e.actor.type === 'pharmacy' ? e.actor.id?.split('/')[0] : undefined);
  const pharmacyIds = distinct(page.items.map(pharmacyOf).filter((id) => id !== undefined && isUuid(id)));
  const personIds = distinct(page.items.map((e) => (e.actor.type === 'user' ? e.actor.id : undefined)));
  const [pharmacies, people] = await Promise.all([
    pharmacyIds.length ? db.selectFrom('pharmacies').select(['id', 'name']).where('id', 'in', pharmacyIds).execute() : [],
    personIds.length
      ? db
          .selectFrom('person_sign_ins')
          .select([sql<string>`issuer || ':' || subject`.as('id'), sql<string | null>`coalesce(name, email)`.as('name')])
          .where(sql<string>`issuer || ':' || subject`, 'in', personIds)
          .execute()
      : [],
  ]);
  const pharmacyNames = new Map(pharmacies.map((r) => [r.id, r.name]));
  const personNames = new Map(people.map((r) => [r.id, r.name]));
  const nameOf = (e: AuditEventRow) => (e.actor.type === 'user' ? personNames.get(e.actor.id ?? '') : pharmacyNames.get(pharmacyOf(e) ?? '')) ?? null;
  return { ...page, items: page.items.map((e) => ({ ...e, actor: { ...e.actor, name: nameOf(e) } })) };
}

const distinct = (values: (string | null | undefined)[]): string[] => [...new Set(values.filter((v): v is string => typeof v === 'string'))];

/** Events matching the query, newest first, one page (keyset on the sequence). */
export async function searchAuditEvents(db: Database, q: AuditSearchQuery): Promise<AuditEventsPage> {
  let query = db
    .selectFrom('audit_events')
    .select([sql<string>`seq::text`.as('seq'), 'id', 'at', 'actor_type', 'actor_id', 'action', 'object_type', 'object_id', 'outcome', 'reason', 'request_id'])
    // the table's bigint, not the `seq` text the select names: text sorts 9 after 10
    .orderBy('audit_events.seq', 'desc')
    .limit(q.limit + 1);
  if (q.since) query = query.where('at', '>=', q.since);
  if (q.until) query = query.where('at', '<=', q.until);
  if (q.action) query = query.where('action', '=', q.action);
  if (q.actor) query = query.where('actor_id', '=', q.actor);
  if (q.outcome) query = query.where('outcome', '=', q.outcome);
  if (q.object) query = query.where('object_id', '=', q.object);
  if (q.cursor) query = query.where('seq', '<', q.cursor);
  const rows = await query.execute();
  const items: AuditEventRow[] = rows.slice(0, q.limit).map((r) => ({
    seq: r.seq,
    id: r.id,
    at: r.at.toISOString(),
    actor: { type: r.actor_type, id: r.actor_id, name: null },
    action: r.action,
    object: r.object_type && r.object_id ? { type: r.object_type, id: r.object_id } : null,
    outcome: r.outcome,
    reason: r.reason,
    requestId: r.request_id,
  }));
  return { items, nextCursor: rows.length > q.limit ? (items.at(-1)?.seq ?? null) : null };
}
