import type { Database } from '../db/index.js';

/** The newest restore drill recorded by deploy/backup/record-drill (restore_drills), or none. */
export async function lastRestoreDrill(db: Database): Promise<{ recordedAt: Date; rpoSeconds: number; rtoSeconds: number } | undefined> {
  const row = await db.selectFrom('restore_drills').select(['recorded_at', 'rpo_seconds', 'rto_seconds']).orderBy('recorded_at', 'desc').limit(1).executeTakeFirst();
  return row ? { recordedAt: new Date(row.recorded_at), rpoSeconds: row.rpo_seconds, rtoSeconds: row.rto_seconds } : undefined;
}
