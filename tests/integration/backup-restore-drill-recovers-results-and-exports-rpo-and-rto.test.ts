import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RUNTIME_ROLE } from '../../gateway/src/db/index.js';
import { openLocalKeyring, type KeyManager } from '../../gateway/src/keys/index.js';
import { RUNTIME_TEST_PASSWORD } from '../support/database-names.js';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { ageKeyPair, backupToolsFit, runBackupScript, withDatabase } from '../support/backup-kit.js';

/**
 * The restore drill of deploy/guides/backup-and-restore.md, on a small database: results sealed
 * through the gateway are backed up (dump and keyring to separate destinations, both encrypted),
 * the host is lost (its keyring file deleted), and a fresh database and a fresh key manager are
 * restored from the two destinations. The restored gateway answers ready and decrypts the results
 * to deliver them; the drill's RPO and RTO are recorded and the gateway exports them.
 */
const fits = await backupToolsFit('backup-restore-drill');

describe.skipIf(!fits)('a restore drill', () => {
  let h: Harness;
  let work: string;
  // the gateway's key manager: the original keyring, then the one restored from the key destination
  let keys: KeyManager;
  const restored = `gw_drill_${process.pid}`;
  const ids: string[] = [];

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'gateway-drill-'));
    keys = await openLocalKeyring(path.join(work, 'keyring.json'), { create: true });
    const current = new Proxy({} as KeyManager, {
      get: (_, name) => {
        const member: unknown = keys[name as keyof KeyManager];
        return typeof member === 'function' ? member.bind(keys) : member;
      },
    });
    h = await startHarness({ relay: { enabled: false } }, { keys: current });
  });
  afterAll(async () => {
    await h?.close();
    const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl').split('#')[0] });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${restored} WITH (FORCE)`);
    await admin.end();
    await rm(work, { recursive: true, force: true });
  });

  it('restores a fresh database and key manager whose results decrypt, and exports its RPO and RTO', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': crypto.randomUUID() } });
      expect(res.status).toBe(202);
      ids.push(res.body.id);
    }
    const age = await ageKeyPair(work);
    const { stdout } = await runBackupScript('backup', ['--database-url', h.db.ownerUrl, '--recipients-file', age.recipientsFile, '--out', path.join(work, 'dumps'), '--keys-out', path.join(work, 'keys'), '--keyring', path.join(work, 'keyring.json')]);
    const [dumpDir, keysDir] = stdout.trim().split('\n').slice(-2) as [string, string];

    // the failure: the host and its keyring are gone; only the two backup destinations remain
    const failedAt = new Date();
    await rm(path.join(work, 'keyring.json'));
    const restoredKeyring = path.join(await mkdtemp(path.join(work, 'new-host-')), 'keyring.json');
    const restoredOwnerUrl = withDatabase(h.db.ownerUrl, restored);
    await runBackupScript('restore', ['--from', dumpDir, '--database-url', restoredOwnerUrl, '--identity', age.identityFile, '--keys-from', keysDir, '--keyring-to', restoredKeyring]);
    keys = await openLocalKeyring(restoredKeyring);
    await h.restartGateway({ database: { url: withDatabase(h.db.ownerUrl, restored, { user: RUNTIME_ROLE, password: RUNTIME_TEST_PASSWORD }) }, relay: { enabled: true } });
    await eventually(async () => ((await fetch(`${h.metricsUrl}/readyz`)).status === 200 ? true : undefined));
    // delivering a result decrypts it: the restored keyring unwraps the restored data keys
    for (const id of ids) await eventually(async () => ((await h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`)).body.status === 'delivered' ? true : undefined));
    const readyAt = new Date();
    expect(((await h.simulatorControl('GET', '/_control/journal')) as unknown[]).length).toBe(ids.length);

    const drill = await runBackupScript('record-drill', ['--database-url', h.db.ownerUrl, '--restored-database-url', restoredOwnerUrl, '--failed-at', failedAt.toISOString(), '--ready-at', readyAt.toISOString()]);
    console.log(`restore drill: ${drill.stdout.trim()}`);
    const newest = await h.db.owner.selectFrom('test_results').select((eb) => eb.fn.max('received_at').as('at')).executeTakeFirstOrThrow();
    const recorded = await h.db.owner.selectFrom('restore_drills').selectAll().executeTakeFirstOrThrow();
    expect(recorded.rpo_seconds).toBeCloseTo((failedAt.getTime() - new Date(newest.at as Date).getTime()) / 1000, 2);
    expect(recorded.rto_seconds).toBeCloseTo((readyAt.getTime() - failedAt.getTime()) / 1000, 2);

    // a gateway on the production database (where the drill is recorded) exports it
    const live = await h.startReplica({ database: { url: h.db.runtimeUrl } });
    try {
      const gauges = () => fetch(`http://127.0.0.1:${live.metricsPort}/metrics`, { headers: { authorization: `Bearer ${h.metricsToken}` } }).then((r) => r.text());
      const exported = await eventually(async () => {
        const text = await gauges();
        return /^gateway_restore_drill_timestamp_seconds [1-9]/m.test(text) ? text : undefined;
      });
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(exported)?.[1]);
      expect(value('gateway_restore_drill_rpo_seconds')).toBeCloseTo(recorded.rpo_seconds, 3);
      expect(value('gateway_restore_drill_rto_seconds')).toBeCloseTo(recorded.rto_seconds, 3);
      expect(value('gateway_restore_drill_timestamp_seconds')).toBeCloseTo(new Date(recorded.recorded_at).getTime() / 1000, 3);
    } finally {
      await live.stop();
    }
  });
});
