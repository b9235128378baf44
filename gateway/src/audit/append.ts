import { sql, type RawBuilder } from 'kysely';
import type { Database, Tx } from '../db/index.js';
import { AuditUnavailable } from '../errors.js';
import type { AuditAction } from './actions.js';

export type AuditOutcome = 'success' | 'failure' | 'denied';

/** One audited action. No personal data: ids, codes and outcomes only. */
export interface AuditEvent {
  actor: { type: 'pharmacy' | 'user' | 'system' | 'anonymous'; id?: string };
  /** One of `AUDIT_ACTIONS` (the audit page words each), or a refused web request's route. */
  action: AuditAction;
  object?: { type: string; id: string };
  outcome: AuditOutcome;
  /** A stable code (problem code, purpose), never free text from a request. */
  reason?: string;
  requestId?: string;
  sourceIp?: string;
}

/** An event as the row written to `audit_events` (the database adds sequence, time and transaction id). */
export type AuditRow = ReturnType<typeof auditRow>;

function auditRow(e: AuditEvent) {
  return {
    actor_type: e.actor.type,
    actor_id: e.actor.id ?? null,
    action: e.action,
    object_type: e.object?.type ?? null,
    object_id: e.object?.id ?? null,
    outcome: e.outcome,
    reason: e.reason ?? null,
    request_id: e.requestId ?? null,
    source_ip: e.sourceIp ?? null,
  };
}

/**
 * Appends audit events inside the caller's transaction: if the event cannot be written, the
 * action rolls back with it. No lock is taken (sealing happens later, in batches).
 * @example await appendAudit(tx, [{ actor, action: 'result.create', object, outcome: 'success' }]);
 */
export async function appendAudit(tx: Tx | Database, events: AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.insertInto('audit_events').values(events.map(auditRow)).execute();
}

/**
 * Gives the rows a statement writes for its events: a write that folds its audit insert into its
 * own statement (one round trip) takes one of these. The only appender the gateway has is
 * {@link auditAppender}; the benchmark's audit-off composition (under `tests/bench/`) injects one
 * that writes nothing, to measure what audit costs.
 */
export interface AuditAppender {
  rows(events: AuditEvent[]): AuditRow[];
}

/**
 * Writes every event.
 * @example const rows = auditAppender.rows([{ actor, action: 'result.create', object, outcome: 'success' }]);
 */
export const auditAppender: AuditAppender = { rows: (events) => events.map(auditRow) };

/**
 * The insert of `rows` as a statement the caller composes into its own (as a CTE), so an action
 * and its audit events commit in one round trip. `when` keeps only the events it holds true for:
 * a condition on the caller's CTEs, which may name the event's columns (`action`, `object_id`…).
 * @example sql`WITH created AS (…), audited AS (${auditInsert(rows, sql`EXISTS (SELECT 1 FROM created)`)}) SELECT …`
 */
export function auditInsert(rows: AuditRow[], when: RawBuilder<boolean> = sql<boolean>`true`): RawBuilder<unknown> {
  return sql`INSERT INTO audit_events (actor_type, actor_id, action, object_type, object_id, outcome, reason, request_id, source_ip)
    SELECT actor_type, actor_id, action, object_type, object_id, outcome, reason, request_id, source_ip
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      AS e(actor_type text, actor_id text, action text, object_type text, object_id text, outcome text, reason text, request_id text, source_ip text)
    WHERE ${when}`;
}

/**
 * Opens a transaction, runs an action that does not write through it (a key-manager call, a job
 * committing its own batches), then appends the action's event there: with the audit log
 * unreachable the transaction never opens and the action never starts. An action writing the
 * database in one transaction appends its event in that one instead (`appendAudit(tx, …)`).
 * @example const v = await auditedAction(db, () => keys.rotate(), (v) => ({ actor, action: 'keys.rotate', object, outcome: 'success', reason: `v${v}` }));
 */
export function auditedAction<T>(db: Database, run: () => Promise<T>, eventOf: (result: T) => AuditEvent): Promise<T> {
  return db.transaction().execute(async (tx) => {
    const result = await run();
    await appendAudit(tx, [eventOf(result)]);
    return result;
  });
}

/** For events outside a business transaction (reads, authentication failures): fails closed. */
export async function appendAuditNow(db: Database, events: AuditEvent | AuditEvent[]): Promise<void> {
  try {
    await appendAudit(db, Array.isArray(events) ? events : [events]);
  } catch (e) {
    throw new AuditUnavailable({ cause: e });
  }
}
