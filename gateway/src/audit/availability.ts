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
 * Unavailable when the oldest unsealed event, or the oldest checkpoint not yet copied to the
 * sink, is older than `maxSealLagSeconds` — or when no probe has succeeded for that long (an
 * unreachable audit log is not a sealed one). Any replica can probe; it reads as the sealer role.
 * @example const guard = createAuditGuard({ db, maxSealLagSeconds: 60 }); await guard.start(); guard.isAvailable();
 */
export function createAuditGuard({
  db,
  maxSealLagSeconds,
  probeIntervalMs = 1_000,
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
        await sql`SET LOCAL ROLE ${sql.id(SEALER_ROLE)}`.execute(tx);
        const { rows } = await sql<{ unsealed: number | null; uncopied: number | null }>`
          SELECT
            (SELECT extract(epoch FROM now() - min(at))::float8 FROM audit_events
              WHERE xact_id >= coalesce((SELECT xact_to FROM audit_checkpoints ORDER BY number DESC LIMIT 1), '0'::xid8)) AS unsealed,
            (SELECT extract(epoch FROM now() - min(sealed_at))::float8 FROM audit_checkpoints
              WHERE number > coalesce((SELECT max(number) FROM audit_sink_copies), 0)) AS uncopied`.execute(tx);
        return rows[0];
      })
      .then(
        (r) => {
          last = { oldestUnsealedSeconds: Math.max(0, r?.unsealed ?? 0), oldestUncopiedSeconds: Math.max(0, r?.uncopied ?? 0) };
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
