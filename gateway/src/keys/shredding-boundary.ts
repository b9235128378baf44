import { sql } from 'kysely';
import type { Database } from '../db/index.js';
import { kekVersionsInUse, webhookSecretsBelow } from './data-key-inventory.js';

const DAY_MS = 86_400_000;

/** Whether `gateway keys retire <version>` may make the KEK versions below `version` undecryptable now. */
export type RetireReadiness =
  | { state: 'ready' }
  /** Stored data keys or webhook endpoint secrets are still wrapped below the version. */
  | { state: 'rewrap-needed'; dataKeys: number; webhookSecrets: number }
  /** No rewrap has been recorded that left every key at or above the version. */
  | { state: 'rewrap-unrecorded' }
  /** Dumps taken before that rewrap completed are still inside the backup retention window. */
  | { state: 'backups-retained'; backups: number; rewrappedAt: Date; retireFrom: Date };

/**
 * The crypto-shredding boundary: KEK versions below `version` may stop decrypting once no stored
 * data key or webhook secret (callbacks would fail to sign) needs them and no dump inside the backup retention window was started before the
 * rewrap that moved every key off them completed (such a dump may hold a key wrapped below).
 * A dump still running counts from its start; a failed one left no files.
 *
 * @example
 * const r = await retireReadiness(db, { version: 3, retentionDays: 14 });
 * const from = r.state === 'backups-retained' ? r.retireFrom : undefined; // when retiring becomes possible
 */
export async function retireReadiness(db: Database, o: { version: number; retentionDays: number; now?: Date }): Promise<RetireReadiness> {
  const now = o.now ?? new Date();
  const below = (await kekVersionsInUse(db)).filter((use) => use.version < o.version).reduce((n, use) => n + use.dataKeys, 0);
  const webhookSecrets = await webhookSecretsBelow(db, o.version);
  if (below > 0 || webhookSecrets > 0) return { state: 'rewrap-needed', dataKeys: below, webhookSecrets };
  // A rewrap to a later version also left nothing below this one.
  const rewrap = await db.selectFrom('kek_rewraps').select((eb) => eb.fn.min('completed_at').as('at')).where('version', '>=', o.version).executeTakeFirst();
  if (!rewrap?.at) return { state: 'rewrap-unrecorded' };
  const rewrappedAt = new Date(rewrap.at);
  const windowStart = new Date(now.getTime() - o.retentionDays * DAY_MS);
  const retained = await db
    .selectFrom('backup_runs')
    .select([(eb) => eb.fn.countAll<string>().as('n'), sql<Date | null>`max(coalesce(finished_at, started_at))`.as('newest')])
    .where('started_at', '<', rewrappedAt)
    .where((eb) =>
      eb.or([
        eb.and([eb('outcome', '=', 'succeeded'), eb('finished_at', '>', windowStart)]),
        eb.and([eb('outcome', '=', 'running'), eb('started_at', '>', windowStart)]),
      ]),
    )
    .executeTakeFirstOrThrow();
  if (Number(retained.n) === 0 || !retained.newest) return { state: 'ready' };
  return { state: 'backups-retained', backups: Number(retained.n), rewrappedAt, retireFrom: new Date(new Date(retained.newest).getTime() + o.retentionDays * DAY_MS) };
}

/** The newest successful dump, or none. */
export async function lastSuccessfulBackup(db: Database): Promise<{ finishedAt: Date; label: string; kind: string } | undefined> {
  const row = await db
    .selectFrom('backup_runs')
    .select(['finished_at', 'label', 'kind'])
    .where('outcome', '=', 'succeeded')
    .orderBy('finished_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.finished_at ? { finishedAt: new Date(row.finished_at), label: row.label, kind: row.kind } : undefined;
}

/**
 * Explains a refusal of `keys retire <version>`, or `undefined` when it may proceed.
 *
 * @example
 * const why = refusalOf(await retireReadiness(db, { version, retentionDays }), version, retentionDays);
 */
export function refusalOf(r: RetireReadiness, version: number, retentionDays: number): string | undefined {
  switch (r.state) {
    case 'ready':
      return undefined;
    case 'rewrap-needed': {
      const still = [r.dataKeys > 0 && `${r.dataKeys} data key(s)`, r.webhookSecrets > 0 && `${r.webhookSecrets} webhook secret(s)`].filter(Boolean).join(' and ');
      return `${still} are still wrapped below v${version}; run \`gateway keys rewrap\` first.`;
    }
    case 'rewrap-unrecorded':
      return `no completed rewrap to v${version} or later is recorded; run \`gateway keys rewrap\` (it records when no key remains below the current version), then wait the backup retention (${retentionDays} days).`;
    case 'backups-retained':
      return `${r.backups} database dump(s) inside the backup retention window (${retentionDays} days, GATEWAY_BACKUP_RETENTION_DAYS) were started before the rewrap of ${r.rewrappedAt.toISOString()} completed and may hold data keys wrapped below v${version}; retiring is possible from ${r.retireFrom.toISOString()}.`;
  }
}
