import type { Generated } from 'kysely';
import type { Database } from '../db/index.js';

/** Migration 0009's tables, typed here: only the crypto-shredding boundary reads or writes them. */
// a type, not an interface: withTables needs one that is assignable to an index signature
export type BoundaryTables = {
  backup_runs: {
    id: string;
    kind: 'database' | 'database+vault';
    started_at: Date;
    finished_at: Date | null;
    outcome: 'running' | 'succeeded' | 'failed';
    label: string;
    size_bytes: string | null;
  };
  // the database clock, like the backup script's rows
  kek_rewraps: { version: number; completed_at: Generated<Date> };
};

/**
 * Records that no stored data key is wrapped below `version` from now on; the first record of a
 * version stays (the earliest moment is the one backups are compared with).
 *
 * @example
 * if (remainingBelow === 0) await recordRewrapCompleted(db, current);
 */
export async function recordRewrapCompleted(db: Database, version: number): Promise<void> {
  await db.withTables<BoundaryTables>().insertInto('kek_rewraps').values({ version }).onConflict((oc) => oc.column('version').doNothing()).execute();
}
