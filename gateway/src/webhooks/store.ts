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

/** What a claim may take: `limit` callbacks in all, at most `perEndpoint` to one endpoint counting those it already sends. */
export interface CallbackClaim {
  limit: number;
  perEndpoint: number;
  /** Callbacks this worker is sending now, per endpoint id. */
  sending: ReadonlyMap<string, number>;
  leaseSeconds: number;
  leaseToken: string;
}

/**
 * Claims due callbacks, oldest first, at most `perEndpoint` in flight to any one endpoint: a slow
 * or failing endpoint keeps its backlog to itself instead of taking every send slot. SKIP LOCKED
 * lets workers of several replicas claim disjoint rows; the lease moves `next_attempt_at` to its
 * expiry, so the claims of a worker killed mid-send become due again (at least once: the same
 * `webhook-id` is sent again). Events of a removed endpoint are not sent.
 */
export async function claimCallbacks(db: Database, o: CallbackClaim): Promise<ClaimedCallback[]> {
  const { rows } = await sql<{
    id: string; endpoint_id: string; type: string; payload: unknown; attempts: number; created_at: Date;
    url: string; ca_pem: string | null; allow_networks: string[]; secret_current: string; secret_previous: string | null; previous_until: Date | null;
  }>`
    WITH sending AS (
      SELECT * FROM unnest(${[...o.sending.keys()]}::uuid[], ${[...o.sending.values()]}::int[]) AS s (endpoint_id, n)
    ), candidates AS (
      -- webhook_events_due_per_endpoint: one index probe per live endpoint
      SELECT d.id, d.next_attempt_at
      FROM webhook_endpoints w
      LEFT JOIN sending s ON s.endpoint_id = w.id
      CROSS JOIN LATERAL (
        SELECT e.id, e.next_attempt_at FROM webhook_events e
        WHERE e.endpoint_id = w.id AND e.status = 'pending' AND e.next_attempt_at <= now()
        ORDER BY e.next_attempt_at
        LIMIT greatest(${o.perEndpoint}::int - coalesce(s.n, 0), 0)
      ) d
      WHERE w.disabled_at IS NULL
      ORDER BY d.next_attempt_at
      LIMIT ${o.limit}
    ), due AS (
      -- locked apart (no window or lateral under FOR UPDATE); a row another worker claimed meanwhile is re-checked or skipped
      SELECT e.id FROM webhook_events e
      WHERE e.id IN (SELECT id FROM candidates) AND e.status = 'pending' AND e.next_attempt_at <= now()
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

/** A callback as the endpoints page shows it: its state and our codes, never its payload. */
export interface RecentCallback {
  id: string;
  endpointId: string;
  type: string;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  lastErrorCode: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

/**
 * The latest `perEndpoint` callbacks of each endpoint, newest first, and how many of each
 * endpoint's callbacks are pending, delivered and dead in all.
 */
export async function recentCallbacks(db: Database, endpointIds: readonly string[], perEndpoint: number): Promise<{ recent: RecentCallback[]; counts: { endpointId: string; status: RecentCallback['status']; count: number }[] }> {
  if (endpointIds.length === 0) return { recent: [], counts: [] };
  const ids = sql`${sql.join(endpointIds.map((id) => sql`${id}::uuid`))}`;
  const [recent, counts] = await Promise.all([
    sql<{ id: string; endpoint_id: string; type: string; status: RecentCallback['status']; attempts: number; last_error_code: string | null; created_at: Date; delivered_at: Date | null }>`
      SELECT id, endpoint_id, type, status, attempts, last_error_code, created_at, delivered_at FROM (
        SELECT e.*, row_number() OVER (PARTITION BY e.endpoint_id ORDER BY e.created_at DESC, e.id) AS n
        FROM webhook_events e WHERE e.endpoint_id IN (${ids})
      ) latest
      WHERE n <= ${perEndpoint}
      ORDER BY endpoint_id, created_at DESC, id`.execute(db),
    db.selectFrom('webhook_events').select(['endpoint_id', 'status', db.fn.countAll<string>().as('count')]).where('endpoint_id', 'in', endpointIds).groupBy(['endpoint_id', 'status']).execute(),
  ]);
  return {
    recent: recent.rows.map((r) => ({ id: r.id, endpointId: r.endpoint_id, type: r.type, status: r.status, attempts: r.attempts, lastErrorCode: r.last_error_code, createdAt: r.created_at, deliveredAt: r.delivered_at })),
    counts: counts.map((c) => ({ endpointId: c.endpoint_id, status: c.status as RecentCallback['status'], count: Number(c.count) })),
  };
}

/** The endpoint a callback goes to, for a caller to check its scope before a replay. */
export async function callbackEndpointId(db: Database, eventId: string): Promise<string | undefined> {
  return (await db.selectFrom('webhook_events').select('endpoint_id').where('id', '=', eventId).executeTakeFirst())?.endpoint_id;
}
