import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { readCheckpointSink, verifyAuditLog } from '../../gateway/src/audit/index.js';
import { lastSuccessfulBackup, openLocalCheckpointSigner } from '../../gateway/src/keys/index.js';
import { createDatabase, RUNTIME_ROLE } from '../../gateway/src/db/index.js';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';
import { RUNTIME_TEST_PASSWORD } from '../support/database-names.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { ageKeyPair, backupToolsFit, runBackupScript, withDatabase } from '../support/backup-kit.js';

// deploy/backup/backup and restore, run as an operator would, against the test Postgres.
const fits = await backupToolsFit('backup-*');

describe.skipIf(!fits)('deploy/backup', () => {
  let h: Harness;
  let out: string;
  let backup: string;
  let age: Awaited<ReturnType<typeof ageKeyPair>>;
  const ids: string[] = [];
  const restored = `gw_restored_${process.pid}`;
  const restoredOwnerUrl = () => withDatabase(h.db.ownerUrl, restored);

  beforeAll(async () => {
    // results stay undelivered until the restored database is served
    h = await startHarness({ relay: { enabled: false } });
    out = await mkdtemp(path.join(os.tmpdir(), 'gateway-backup-'));
    age = await ageKeyPair(h.dir);
    for (let i = 0; i < 2; i++) {
      const res = await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': crypto.randomUUID() } });
      expect(res.status).toBe(202);
      ids.push(res.body.id);
    }
    await eventually(async () => {
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events e WHERE NOT EXISTS (SELECT 1 FROM audit_checkpoints c WHERE e.seq = ANY (c.seqs))`.execute(h.db.owner);
      return rows[0]?.n === 0 ? true : undefined;
    });
    const { stdout } = await runBackupScript('backup', ['--database-url', h.db.ownerUrl, '--recipients-file', age.recipientsFile, '--out', out, '--keep', '2', '--audit-sink', path.join(h.dir, 'audit-sink.jsonl')]);
    backup = stdout.trim().split('\n').at(-1) as string;
  });
  afterAll(async () => {
    await h?.close();
    const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl').split('#')[0] });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${restored} WITH (FORCE)`);
    await admin.end();
    await rm(out, { recursive: true, force: true });
  });

  it('writes the encrypted dump, the encrypted audit sink and their checksums', async () => {
    expect((await readdir(backup)).sort()).toEqual(['SHA256SUMS', 'audit-sink.jsonl.age', 'gateway.dump.age']);
  });

  it('refuses a damaged backup before creating anything', async () => {
    const damaged = `${backup}-damaged`;
    await cp(backup, damaged, { recursive: true });
    const dump = await readFile(path.join(damaged, 'gateway.dump.age'));
    dump[dump.length - 10] = (dump[dump.length - 10] as number) ^ 0xff;
    await writeFile(path.join(damaged, 'gateway.dump.age'), dump);
    await expect(runBackupScript('restore', ['--from', damaged, '--database-url', withDatabase(h.db.ownerUrl, `${restored}_x`), '--identity', age.identityFile])).rejects.toMatchObject({ code: 1 });
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_database WHERE datname = ${`${restored}_x`}`.execute(h.db.owner);
    expect(rows[0]?.n).toBe(0);
    await rm(damaged, { recursive: true });
  });

  it('refuses an identity that is not a recipient and leaves no database behind', async () => {
    const stranger = await ageKeyPair(await mkdtemp(path.join(h.dir, 'stranger-')));
    await expect(runBackupScript('restore', ['--from', backup, '--database-url', withDatabase(h.db.ownerUrl, `${restored}_y`), '--identity', stranger.identityFile])).rejects.toMatchObject({ code: 1 });
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_database WHERE datname = ${`${restored}_y`}`.execute(h.db.owner);
    expect(rows[0]?.n).toBe(0);
  });

  it('restores into a new database whose audit log verifies against the restored sink', async () => {
    const sinkCopy = path.join(out, 'restored-sink.jsonl');
    await runBackupScript('restore', ['--from', backup, '--database-url', restoredOwnerUrl(), '--identity', age.identityFile, '--audit-sink', sinkCopy]);
    const db = createDatabase({ url: restoredOwnerUrl(), poolSize: 2 });
    try {
      const signer = await openLocalCheckpointSigner(path.join(h.dir, 'audit-signing-key.pem'));
      const report = await verifyAuditLog({ db, publicKeys: await signer.publicKeys(), sink: (await readCheckpointSink(sinkCopy)).entries, maxSealLagSeconds: 3600 });
      expect(report.fault).toBeUndefined();
      expect(report.events).toBeGreaterThanOrEqual(2);
      // the dump held its own run as running: it restored, so doctor and `keys retire` count it as succeeded
      expect(await lastSuccessfulBackup(db)).toMatchObject({ label: path.basename(backup), kind: 'database' });
      expect((await sql`SELECT id FROM backup_runs WHERE outcome = 'running'`.execute(db)).rows).toEqual([]);
    } finally {
      await db.destroy();
    }
  });

  it('never restores over an existing database', async () => {
    await expect(runBackupScript('restore', ['--from', backup, '--database-url', restoredOwnerUrl(), '--identity', age.identityFile])).rejects.toMatchObject({ code: 1 });
  });

  it('serves status reads from the restored database, then decrypts and delivers its results with the same keys', async () => {
    await h.restartGateway({ database: { url: withDatabase(h.db.ownerUrl, restored, { user: RUNTIME_ROLE, password: RUNTIME_TEST_PASSWORD }) }, relay: { enabled: true } });
    for (const id of ids) {
      const status = await h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`);
      expect(status.status).toBe(200);
      await eventually(async () => ((await h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`)).body.status === 'delivered' ? true : undefined));
    }
    const journal: { resultId?: string }[] = await h.simulatorControl('GET', '/_control/journal');
    expect(journal.length).toBe(ids.length);
  });

  it('keeps only the newest backups', async () => {
    for (let i = 0; i < 2; i++) await runBackupScript('backup', ['--database-url', h.db.ownerUrl, '--recipients-file', age.recipientsFile, '--out', out, '--keep', '2']);
    const kept = (await readdir(out)).filter((n) => n.endsWith('Z'));
    expect(kept).toHaveLength(2);
    expect(kept).not.toContain(path.basename(backup));
  });
});
