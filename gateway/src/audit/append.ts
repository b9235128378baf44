import type { Database, Tx } from '../db/index.js';
import { AuditUnavailable } from '../errors.js';

export type AuditOutcome = 'success' | 'failure' | 'denied';

/** One audited action. No personal data: ids, codes and outcomes only. */
export interface AuditEvent {
  actor: { type: 'pharmacy' | 'user' | 'system' | 'anonymous'; id?: string };
  action: string;
  object?: { type: string; id: string };
  outcome: AuditOutcome;
  /** A stable code (problem code, purpose), never free text from a request. */
  reason?: string;
  requestId?: string;
  sourceIp?: string;
}

function row(e: AuditEvent) {
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
  await tx.insertInto('audit_events').values(events.map(row)).execute();
}

/** For events outside a business transaction (reads, authentication failures): fails closed. */
export async function appendAuditNow(db: Database, events: AuditEvent | AuditEvent[]): Promise<void> {
  try {
    await appendAudit(db, Array.isArray(events) ? events : [events]);
  } catch (e) {
    throw new AuditUnavailable({ cause: e });
  }
}
