import { sql } from 'kysely';
import { SEALER_ROLE, type Database } from '../db/index.js';
import { createProbeLoop } from '../observability/probe-loop.js';

/** Seal lag as the probe last saw it, in seconds (0 when nothing waits). */
export interface AuditLag {
  oldestUnsealedSeconds: number;
  oldestUncopiedSeconds: number;
}

/** The fail-closed switch for state-changing routes and `/readyz`. */
export interface AuditGuard {
  /** Probes now, then every `probeIntervalMs` (the timer does not hold the process open). */
  start(): Promise<void>;
  stop(): void;
  probeNow(): Promise<void>;
  isAvailable(): boolean;
  /** The last probe's lag, for the metrics sampler; undefined before the first success. */
  lag(): AuditLag | undefined;
}

/**
 * Age of the oldest open transaction of this database that has written audit events (it holds
 * a row-exclusive lock on the table and a transaction id). Its start bounds its events' `at`
 * from below, so the age errs towards unavailable. Read as the login role, not the sealer role:
 * `pg_stat_activity` shows a session's transaction start only to its own role (the gateway's
 * requests and jobs; the short `audit prune` of the audit-admin role stays unseen).
 */
const openEventsAge = sql<{ open: number | null }>`
  SELECT extract(epoch FROM now() - min(a.xact_start))::float8 AS open
  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
  WHERE l.locktype = 'relation' AND l.mode = 'RowExclusiveLock' AND l.granted
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND l.relation = 'audit_events'::regclass AND a.backend_xid IS NOT NULL`;

/**
 * Unavailable when the oldest unsealed event, or the oldest checkpoint not yet copied to the
 * sink, is older than `maxSealLagSeconds` — or when no probe has succeeded for that long (an
 * unreachable audit log is not a sealed one). Unsealed events include those of transactions
 * still open: no snapshot sees them, yet they hold back the sealing of everything committed
 * after them. Any replica can probe; it reads the log as the sealer role.
 * @example const guard = createAuditGuard({ db, maxSealLagSeconds: 60 }); await guard.start(); guard.isAvailable();
 */
export function createAuditGuard({
  db,
  maxSealLagSeconds,
  // Four probes within the allowed lag at least: one late probe alone never ages the last
  // success past it (which would flap the guard between 503 and 202 under load).
  probeIntervalMs = Math.min(1_000, maxSealLagSeconds * 250),
  clock = Date.now,
}: {
  db: Database;
  maxSealLagSeconds: number;
  probeIntervalMs?: number;
  clock?: () => number;
}): AuditGuard {
  let last: AuditLag | undefined;
  let lastSuccessAt = Number.NEGATIVE_INFINITY;
  const loop = createProbeLoop(probe, probeIntervalMs);

  function probe(): Promise<void> {
    return db
      .transaction()
      .execute(async (tx) => {
        // Before the committed events: a transaction that commits in between is seen by one of the two.
        const open = (await openEventsAge.execute(tx)).rows[0]?.open;
        await sql`SET LOCAL ROLE ${sql.id(SEALER_ROLE)}`.execute(tx);
        const { rows } = await sql<{ unsealed: number | null; uncopied: number | null }>`
          SELECT
            (SELECT extract(epoch FROM now() - min(at))::float8 FROM audit_events
              WHERE xact_id >= coalesce((SELECT xact_to FROM audit_checkpoints ORDER BY number DESC LIMIT 1), '0'::xid8)) AS unsealed,
            (SELECT extract(epoch FROM now() - min(sealed_at))::float8 FROM audit_checkpoints
              WHERE number > coalesce((SELECT max(number) FROM audit_sink_copies), 0)) AS uncopied`.execute(tx);
        return { ...rows[0], open };
      })
      .then(
        (r) => {
          last = { oldestUnsealedSeconds: Math.max(0, r.unsealed ?? 0, r.open ?? 0), oldestUncopiedSeconds: Math.max(0, r.uncopied ?? 0) };
          lastSuccessAt = clock();
        },
        () => undefined, // only ages lastSuccessAt
      );
  }

  return {
    ...loop,
    isAvailable() {
      if (!last || clock() - lastSuccessAt > maxSealLagSeconds * 1000) return false;
      return last.oldestUnsealedSeconds <= maxSealLagSeconds && last.oldestUncopiedSeconds <= maxSealLagSeconds;
    },
    lag: () => last,
  };
}
