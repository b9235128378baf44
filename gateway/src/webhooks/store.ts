import { sql } from 'kysely';
import { appendAudit, type AuditEvent } from '../audit/index.js';
import type { Database } from '../db/index.js';

/** A callback claimed for delivery, with what its endpoint needs to sign and send it. */
export interface ClaimedCallback {
  id: string;
  endpointId: string;
  type: string;
  payload: unknown;
  attempts: number;
  createdAt: Date;
  leaseToken: string;
  endpoint: { id: string; url: string; ca_pem: string | null; allow_networks: string[]; secret_current: string; secret_previous: string | null; previous_until: Date | null };
}

/**
 * Claims due callbacks. SKIP LOCKED lets workers of several replicas claim disjoint rows; the
 * lease moves `next_attempt_at` to its expiry, so the claims of a worker killed mid-send become
 * due again (at least once: the same `webhook-id` is sent again). Events of a removed endpoint
 * are not sent.
 */
export async function claimCallbacks(db: Database, o: { limit: number; leaseSeconds: number; leaseToken: string }): Promise<ClaimedCallback[]> {
  const { rows } = await sql<{
    id: string; endpoint_id: string; type: string; payload: unknown; attempts: number; created_at: Date;
    url: string; ca_pem: string | null; allow_networks: string[]; secret_current: string; secret_previous: string | null; previous_until: Date | null;
  }>`
    WITH due AS (
      SELECT e.id FROM webhook_events e JOIN webhook_endpoints w ON w.id = e.endpoint_id AND w.disabled_at IS NULL
      WHERE e.status = 'pending' AND e.next_attempt_at <= now()
      ORDER BY e.next_attempt_at
      LIMIT ${o.limit}
      FOR UPDATE OF e SKIP LOCKED
    ), claimed AS (
      UPDATE webhook_events e
      SET lease_token = ${o.leaseToken}::uuid,
          lease_until = now() + make_interval(secs => ${o.leaseSeconds}),
          next_attempt_at = now() + make_interval(secs => ${o.leaseSeconds}),
          attempts = e.attempts + 1
      FROM due WHERE e.id = due.id
      RETURNING e.id, e.endpoint_id, e.type, e.payload, e.attempts, e.created_at
    )
    SELECT c.*, w.url, w.ca_pem, w.allow_networks, w.secret_current, w.secret_previous, w.previous_until
    FROM claimed c JOIN webhook_endpoints w ON w.id = c.endpoint_id`.execute(db);
  return rows.map((r) => ({
    id: r.id,
    endpointId: r.endpoint_id,
    type: r.type,
    payload: r.payload,
    attempts: r.attempts,
    createdAt: r.created_at,
    leaseToken: o.leaseToken,
    endpoint: { id: r.endpoint_id, url: r.url, ca_pem: r.ca_pem, allow_networks: r.allow_networks, secret_current: r.secret_current, secret_previous: r.secret_previous, previous_until: r.previous_until },
  }));
}

/** How a claimed callback is settled; each applies only while its worker still holds the lease. */
export type CallbackOutcome =
  | { kind: 'delivered' }
  | { kind: 'retry'; code: string; delayMs: number }
  | { kind: 'dead'; code: string }
  /** Given back without counting the attempt (the key manager could not open the secrets). */
  | { kind: 'release'; code: string };

export async function settleCallback(db: Database, c: ClaimedCallback, outcome: CallbackOutcome): Promise<boolean> {
  const held = db.updateTable('webhook_events').where('id', '=', c.id).where('lease_token', '=', c.leaseToken);
  const free = { lease_token: null, lease_until: null };
  let update;
  switch (outcome.kind) {
    case 'delivered':
      update = held.set({ ...free, status: 'delivered', delivered_at: sql`now()`, last_error_code: null });
      break;
    case 'retry':
      update = held.set({ ...free, last_error_code: outcome.code, next_attempt_at: sql`now() + make_interval(secs => ${outcome.delayMs / 1000})` });
      break;
    case 'dead':
      update = held.set({ ...free, status: 'dead', dead_reason: outcome.code, last_error_code: outcome.code });
      break;
    case 'release':
      update = held.set({ ...free, attempts: sql`attempts - 1`, last_error_code: outcome.code, next_attempt_at: sql`now() + interval '2 seconds'` });
      break;
  }
  const { numUpdatedRows } = await update.executeTakeFirst();
  return numUpdatedRows === 1n;
}

/**
 * Sends a callback again with the same `webhook-id`: a dead letter (redrive) or an event already
 * delivered (replay, for receiving software that lost it). Only an event of one of `endpointIds`
 * (the caller's scope); false when there is none or it is being sent.
 */
export async function replayCallback(db: Database, eventId: string, endpointIds: readonly string[], actor: AuditEvent['actor']): Promise<boolean> {
  if (endpointIds.length === 0) return false;
  return db.transaction().execute(async (tx) => {
    const { numUpdatedRows } = await tx
      .updateTable('webhook_events')
      .set({ status: 'pending', attempts: 0, next_attempt_at: sql`now()`, dead_reason: null, delivered_at: null })
      .where('id', '=', eventId)
      .where('endpoint_id', 'in', endpointIds)
      .where('status', 'in', ['dead', 'delivered'])
      .executeTakeFirst();
    if (numUpdatedRows !== 1n) return false;
    await appendAudit(tx, [{ actor, action: 'webhook.replay', object: { type: 'webhook-event', id: eventId }, outcome: 'success' }]);
    return true;
  });
}
