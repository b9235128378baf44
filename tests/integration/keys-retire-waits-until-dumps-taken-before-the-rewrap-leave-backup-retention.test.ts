import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKeysCommand } from '../../gateway/src/cli/keys.js';
import type { KeysCliDeps } from '../../gateway/src/cli/keys-deps.js';
import { dataKeyContext, openLocalKeyring, type KeyManager } from '../../gateway/src/keys/index.js';
import { ageKeyPair, backupToolsFit, runBackupScript } from '../support/backup-kit.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The crypto-shredding boundary of issue 4, on both sides: `gateway keys retire <v>` refuses while
 * a dump inside the backup retention window was started before the rewrap that left no data key
 * below v (it may hold one), names the date it becomes possible, and proceeds once the recorded
 * times are moved past retention (times are moved in the database rather than waited for).
 */

const RETENTION_DAYS = 14;
const DAY_MS = 86_400_000;
let db: TestDatabase;
let dir: string;
let keys: KeyManager;

beforeAll(async () => {
  db = await testDatabase();
  dir = await mkdtemp(path.join(tmpdir(), 'keys-boundary-'));
  keys = await openLocalKeyring(path.join(dir, 'keyring.json'), { create: true });
});
afterAll(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function keysCommand(sub: string, args: string[] = []): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const deps: KeysCliDeps = {
    db: db.owner,
    openKeys: async () => keys,
    actor: { type: 'user', id: 'cli:test' },
    backupRetentionDays: RETENTION_DAYS,
    out: (line) => out.push(line),
    err: (line) => out.push(line),
    progress: () => undefined,
  };
  const code = await runKeysCommand(sub, args, deps);
  return { code, out: out.join('\n') };
}

/** A data key as the gateway stores one: wrapped under the current KEK version. */
async function storeDataKey(window: string): Promise<void> {
  const id = randomUUID();
  const { wrapped } = await keys.generateDataKey(dataKeyContext(id));
  await db.owner.insertInto('data_keys').values({ id, key_window: window, shard: 0, wrapped }).execute();
}

/** A backup run as deploy/backup/backup records one, `ageDays` ago. */
async function recordBackup(o: { ageDays: number; outcome?: 'succeeded' | 'running' | 'failed' }): Promise<void> {
  const outcome = o.outcome ?? 'succeeded';
  const at = new Date(Date.now() - o.ageDays * DAY_MS);
  await sql`INSERT INTO backup_runs (kind, label, started_at, finished_at, outcome)
            VALUES ('database', 'test', ${at}, ${outcome === 'running' ? null : new Date(at.getTime() + 60_000)}, ${outcome})`.execute(db.owner);
}

const rewrapCompletedAt = async (version: number) =>
  (await sql<{ completed_at: Date }>`SELECT completed_at FROM kek_rewraps WHERE version = ${version}`.execute(db.owner)).rows[0]?.completed_at;

/** Moves every recorded time back, as if `days` had passed. */
async function letDaysPass(days: number): Promise<void> {
  await sql`UPDATE backup_runs SET started_at = started_at - make_interval(days => ${days}), finished_at = finished_at - make_interval(days => ${days})`.execute(db.owner);
  await sql`UPDATE kek_rewraps SET completed_at = completed_at - make_interval(days => ${days})`.execute(db.owner);
}

describe('`gateway keys retire` and the backup retention window', () => {
  it('refuses before a recorded rewrap, while a dump taken before it is retained, and proceeds once retention has passed', async () => {
    await storeDataKey('2026-11-01T10:00:00Z');
    await recordBackup({ ageDays: 1 });
    const v2 = await keys.rotate();

    const unrewrapped = await keysCommand('retire', [String(v2)]);
    expect(unrewrapped.code).toBe(1);
    expect(unrewrapped.out).toMatch(/1 data key\(s\) are still wrapped below v2; run `gateway keys rewrap`/);

    expect((await keysCommand('rewrap')).code).toBe(0);
    const rewrappedAt = await rewrapCompletedAt(v2);
    expect(rewrappedAt).toBeInstanceOf(Date);

    // The dump of yesterday holds the data key wrapped under v1: retiring v1 would make it unreadable.
    const retained = await keysCommand('retire', [String(v2)]);
    expect(retained.code).toBe(1);
    const backupFinished = (await sql<{ f: Date }>`SELECT max(finished_at) AS f FROM backup_runs`.execute(db.owner)).rows[0]?.f as Date;
    expect(retained.out).toContain(`1 database dump(s) inside the backup retention window (14 days`);
    expect(retained.out).toContain(`possible from ${new Date(backupFinished.getTime() + RETENTION_DAYS * DAY_MS).toISOString()}`);
    expect((await keys.keyVersions()).minDecryption).toBe(1);

    // Still inside the window (13 days old): refused. Past it (15 days): retired.
    await letDaysPass(RETENTION_DAYS - 2);
    expect((await keysCommand('retire', [String(v2)])).code).toBe(1);
    await letDaysPass(2);
    const done = await keysCommand('retire', [String(v2)]);
    expect(done).toMatchObject({ code: 0 });
    expect((await keys.keyVersions()).minDecryption).toBe(v2);
    const audited = await db.owner.selectFrom('audit_events').select(['action', 'reason']).where('action', '=', 'keys.retire').execute();
    expect(audited).toEqual([{ action: 'keys.retire', reason: `v${v2}` }]);
  });

  it('is not held back by dumps started after the rewrap completed, nor by failed ones, but is by one still running', async () => {
    await storeDataKey('2026-11-02T10:00:00Z');
    const v3 = await keys.rotate();
    expect((await keysCommand('rewrap')).code).toBe(0);
    await letDaysPass(1);
    await recordBackup({ ageDays: 0 }); // after the rewrap: holds v3 keys only
    await recordBackup({ ageDays: 2, outcome: 'failed' }); // before it, but left no files
    await recordBackup({ ageDays: 2, outcome: 'running' }); // before it, and may still be writing
    const running = await keysCommand('retire', [String(v3)]);
    expect(running.code).toBe(1);
    expect(running.out).toMatch(/1 database dump\(s\)/);

    await sql`UPDATE backup_runs SET outcome = 'failed', finished_at = now() WHERE outcome = 'running'`.execute(db.owner);
    expect((await keysCommand('retire', [String(v3)])).code).toBe(0);
    expect((await keys.keyVersions()).minDecryption).toBe(v3);
  });

  it('refuses a version no recorded rewrap reached, even with no data key below it', async () => {
    await db.owner.deleteFrom('data_keys').execute();
    const v4 = await keys.rotate();
    const refused = await keysCommand('retire', [String(v4)]);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/no completed rewrap to v4 or later is recorded/);
    await letDaysPass(RETENTION_DAYS + 1);
    expect((await keysCommand('rewrap')).code).toBe(0);
    expect((await keysCommand('retire', [String(v4)])).code).toBe(0);
  });
});

describe('the runtime role and the boundary records', () => {
  it('reads them (for `gateway doctor`) and can write neither: a forged record could shred a retained dump', async () => {
    expect((await sql<{ n: string }>`SELECT count(*) AS n FROM backup_runs`.execute(db.runtime)).rows[0]?.n).toBeDefined();
    const refused = [
      sql`INSERT INTO kek_rewraps (version) VALUES (99)`,
      sql`UPDATE kek_rewraps SET completed_at = now() - interval '30 days'`,
      sql`DELETE FROM kek_rewraps`,
      sql`INSERT INTO backup_runs (kind, label) VALUES ('database', 'forged')`,
      sql`UPDATE backup_runs SET finished_at = now() - interval '30 days'`,
      sql`DELETE FROM backup_runs`,
    ];
    for (const statement of refused) await expect(statement.execute(db.runtime)).rejects.toThrow(/permission denied/);
  });
});

const fits = await backupToolsFit('keys-retire backup record');

describe.skipIf(!fits)('deploy/backup/backup records its runs', () => {
  it('records a successful dump, which then holds `keys retire` back for the retention window', async () => {
    await storeDataKey('2026-11-03T10:00:00Z');
    const out = await mkdtemp(path.join(tmpdir(), 'keys-boundary-backup-'));
    try {
      const { recipientsFile } = await ageKeyPair(dir);
      const { stdout } = await runBackupScript('backup', ['--database-url', db.ownerUrl, '--recipients-file', recipientsFile, '--out', out]);
      const label = path.basename(stdout.trim());
      const runs = await sql<{ outcome: string; kind: string; size_bytes: string; finished_at: Date | null }>`
        SELECT outcome, kind, size_bytes, finished_at FROM backup_runs WHERE label = ${label}`.execute(db.owner);
      expect(runs.rows).toEqual([expect.objectContaining({ outcome: 'succeeded', kind: 'database', finished_at: expect.any(Date) })]);
      expect(Number(runs.rows[0]?.size_bytes)).toBeGreaterThan(0);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
    const v5 = await keys.rotate();
    expect((await keysCommand('rewrap')).code).toBe(0);
    const refused = await keysCommand('retire', [String(v5)]);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/database dump\(s\) inside the backup retention window/);
  });
});
