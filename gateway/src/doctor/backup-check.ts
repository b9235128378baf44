import type { Settings } from '../config/index.js';
import { lastSuccessfulBackup, retireReadiness, type KeyManager } from '../keys/index.js';
import type { Database } from '../db/index.js';
import { fail, ok, reason, warn, type CheckResult } from './report.js';

const HOUR_MS = 3_600_000;

/**
 * The newest database dump deploy/backup/backup recorded as succeeded, against the RPO
 * (`backup.maxAgeHours`): the `BackupTooOld` alert holds it to the same setting, which the gateway exports beside the dump's
 * time (`gateway_backup_max_age_seconds`, `gateway_backup_last_success_timestamp_seconds`).
 */
export async function checkLastBackup(s: Readonly<Settings>, db: Database, now: Date): Promise<CheckResult> {
  const schedule = 'run deploy/backup/backup on a schedule (daily; deploy/guides/backup-and-restore.md) with the owner database URL, and check its output';
  try {
    const last = await lastSuccessfulBackup(db);
    if (!last) return fail('backup.last-success', 'no successful database dump is recorded (backup_runs)', schedule);
    const hours = (now.getTime() - last.finishedAt.getTime()) / HOUR_MS;
    const text = `last successful dump ${last.label} (${last.kind}) finished ${hours.toFixed(1)} h ago (limit ${s.backup.maxAgeHours} h, the RPO: GATEWAY_BACKUP_MAX_AGE_HOURS)`;
    return hours > s.backup.maxAgeHours ? fail('backup.last-success', text, `the scheduled backup stopped or fails: ${schedule}`) : ok('backup.last-success', text);
  } catch (e) {
    return fail('backup.last-success', `cannot read backup_runs: ${reason(e)}`, 'run `gateway migrate` (migration 0009)');
  }
}

/**
 * Which KEK versions `gateway keys retire` could make undecryptable now, and from which date the
 * others could (the backup retention window after the rewrap that moved every key off them).
 */
export async function checkCryptoShredding(s: Readonly<Settings>, db: Database, keys: Pick<KeyManager, 'keyVersions'>, now: Date): Promise<CheckResult> {
  const id = 'crypto-shredding';
  try {
    const { current, minDecryption } = await keys.keyVersions();
    if (minDecryption >= current) return ok(id, `no older KEK version decrypts (current ${current})`);
    const retentionDays = s.backup.retentionDays;
    const pending: string[] = [];
    // Newest first: retiring v retires every version below it too.
    for (let version = current; version > minDecryption; version -= 1) {
      const r = await retireReadiness(db, { version, retentionDays, now });
      if (r.state === 'ready') {
        const text = `KEK versions ${minDecryption}…${version - 1} still decrypt, and no stored key or retained dump needs them${pending.length ? `; ${pending.join('; ')}` : ''}`;
        return warn(id, text, `run \`gateway keys retire ${version}\` to make dumps holding keys wrapped under them undecryptable`);
      }
      if (r.state === 'backups-retained') pending.push(`retire ${version} possible from ${r.retireFrom.toISOString()}`);
    }
    if (pending.length) return ok(id, `KEK versions from ${minDecryption} still decrypt: dumps inside the ${retentionDays}-day backup retention need them; ${pending.join('; ')}`);
    return warn(id, `KEK versions from ${minDecryption} still decrypt: stored data keys, or no recorded rewrap, keep them`, 'run `gateway keys rewrap` (then wait the backup retention, GATEWAY_BACKUP_RETENTION_DAYS)');
  } catch (e) {
    return fail(id, `cannot read key versions or backup records: ${reason(e)}`, 'check the key manager and run `gateway migrate` (migration 0009)');
  }
}
