import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor, type DoctorReport } from '../../gateway/src/doctor/index.js';
import { openConfiguredKeys, openSettingsCa } from '../../gateway/src/vault/index.js';
import { openLocalKeyring, rewrapStoredDataKeys } from '../../gateway/src/keys/index.js';
import { PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let h: Harness;
let closedPort: number;
let closedServer: Server;

beforeAll(async () => {
  h = await startHarness({ relay: { enabled: false } });
  // a working setup backs up: one dump finished an hour ago, as deploy/backup/backup records it
  await sql`INSERT INTO backup_runs (kind, label, started_at, finished_at, outcome)
            VALUES ('database', '20261124T230000.000Z', now() - interval '61 minutes', now() - interval '60 minutes', 'succeeded')`.execute(h.db.owner);
  // a port that was just free: nothing answers there
  closedServer = createServer();
  await new Promise<void>((r) => closedServer.listen(0, '127.0.0.1', r));
  closedPort = (closedServer.address() as { port: number }).port;
  await new Promise((r) => closedServer.close(r));
});
afterAll(() => h?.close());

/** The settings a working gateway of the harness runs with, as `gateway serve` reads them. */
function env(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const relay = h.pki.clients['gateway-relay'] as { certPath: string; keyPath: string };
  const base: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    GATEWAY_PROFILE: 'demo',
    GATEWAY_DATABASE_URL: h.db.runtimeUrl,
    GATEWAY_INTAKE_CERT_FILE: h.pki.server.certPath,
    GATEWAY_INTAKE_KEY_FILE: h.pki.server.keyPath,
    GATEWAY_INTAKE_CLIENT_CA_FILE: h.pki.ca.certPath,
    GATEWAY_METRICS_TOKEN_FILE: path.join(h.dir, 'metrics-token'),
    GATEWAY_KEY_MANAGER_KIND: 'local',
    GATEWAY_KEY_MANAGER_LOCAL_KEYRING_FILE: path.join(h.dir, 'keyring.json'),
    GATEWAY_SIDEP_URL: h.simulator.url,
    GATEWAY_SIDEP_CA_FILE: h.pki.ca.certPath,
    GATEWAY_SIDEP_CERT_FILE: relay.certPath,
    GATEWAY_SIDEP_KEY_FILE: relay.keyPath,
  };
  return Object.fromEntries(Object.entries({ ...base, ...overrides }).filter(([, v]) => v !== undefined));
}

const doctor = (overrides: Record<string, string | undefined> = {}, now?: Date) =>
  runDoctor({ env: env(overrides), openKeys: (s) => openConfiguredKeys(s.keyManager), openCa: openSettingsCa, ownerDatabaseUrl: h.db.ownerUrl, ...(now ? { now: () => now } : {}) });
const status = (r: DoctorReport) => Object.fromEntries(r.checks.map((c) => [c.id, c.status]));
const check = (r: DoctorReport, id: string) => r.checks.find((c) => c.id === id);

function cli(overrides: Record<string, string | undefined>, ...args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['gateway/bin/gateway.js', 'doctor', ...args], { cwd: ROOT, env: env(overrides) });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

describe('gateway doctor on a working setup', () => {
  it('passes every check, saying what it found', async () => {
    const r = await doctor();
    expect(status(r)).toMatchObject({
      'settings.environment': 'ok',
      'settings.safe': 'warn', // the demo profile is not production
      'database.reachable': 'ok',
      'database.migrations': 'ok',
      'database.role': 'ok',
      'clock.skew': 'ok',
      'outbox.backlog': 'ok',
      'audit.sealing': 'ok',
      'key-manager': 'ok',
      'backup.last-success': 'ok',
      'crypto-shredding': 'ok',
      'tls.intake': 'ok',
      'tls.pharmacy-ca': 'ok',
      'tls.sidep-client': 'ok',
      'tls.sidep-ca': 'ok',
      'pki.ca': 'ok',
      'sidep.dns': 'ok',
      'sidep.tls': 'ok',
    });
    expect(r.checks.filter((c) => c.id.startsWith('disk ')).every((c) => c.status !== 'fail')).toBe(true);
    expect(r.ok).toBe(true);
  });

  it('prints one line per check and exits 0; --json gives the same report to scripts', async () => {
    const human = await cli({}, '--database-url', h.db.ownerUrl);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^OK {4}database\.migrations/m);
    expect(human.stdout).toMatch(/^WARN {2}settings\.safe .*\n {6}fix: /m);
    const json = await cli({}, '--json');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as DoctorReport;
    expect(report.ok).toBe(true);
    // without the owner URL, the runtime role cannot read the migrations' bookkeeping
    expect(check(report, 'database.migrations')).toMatchObject({ status: 'warn', hint: expect.stringContaining('--database-url') });
    expect(check(report, 'sidep.tls')?.status).toBe('ok');
  });
});

describe('gateway doctor on broken setups', () => {
  it('names a wrong database password with a fix, and never prints the password', async () => {
    const url = new URL(h.db.runtimeUrl);
    url.password = 'not-the-password-4c1f';
    const out = await cli({ GATEWAY_DATABASE_URL: url.toString() }, '--json');
    expect(out.code).toBe(1);
    const r = JSON.parse(out.stdout) as DoctorReport;
    expect(check(r, 'database.reachable')).toMatchObject({ status: 'fail', hint: expect.stringContaining('GATEWAY_DATABASE_URL') });
    expect(check(r, 'database.migrations')?.status).toBe('skip');
    expect(out.stdout).not.toContain('not-the-password-4c1f');
  });

  it('refuses a gateway connected as the owner role', async () => {
    const r = await doctor({ GATEWAY_DATABASE_URL: h.db.ownerUrl });
    expect(check(r, 'database.role')).toMatchObject({ status: 'fail', summary: expect.stringMatching(/superuser|owns the tables/) });
    expect(r.ok).toBe(false);
  });

  it('finds a database without migrations', async () => {
    const name = `gw_doctor_${process.pid}`;
    await sql.raw(`CREATE DATABASE ${name}`).execute(h.db.owner);
    try {
      const url = new URL(h.db.ownerUrl);
      url.pathname = `/${name}`;
      const r = await doctor({ GATEWAY_DATABASE_URL: url.toString() });
      expect(check(r, 'database.migrations')).toMatchObject({ status: 'fail', hint: expect.stringContaining('gateway migrate') });
    } finally {
      await sql.raw(`DROP DATABASE ${name} WITH (FORCE)`).execute(h.db.owner);
    }
  });

  it('finds a key that does not match its certificate, and certificates near or past expiry', async () => {
    const other = h.pki.clients[PHARMACY_A] as { keyPath: string };
    expect(check(await doctor({ GATEWAY_INTAKE_KEY_FILE: other.keyPath }), 'tls.intake')).toMatchObject({ status: 'fail', summary: expect.stringContaining('does not match') });
    const expiry = Date.parse(new X509Certificate(readFileSync(h.pki.server.certPath)).validTo);
    expect(check(await doctor({}, new Date(expiry - 10 * 86_400_000)), 'tls.intake')).toMatchObject({ status: 'warn', summary: expect.stringContaining('expires in') });
    expect(check(await doctor({}, new Date(expiry + 86_400_000)), 'tls.intake')).toMatchObject({ status: 'fail', summary: expect.stringContaining('expired') });
  });

  it('finds an audit sink holding two versions of one checkpoint', async () => {
    const sink = path.join(h.dir, 'forked-sink.jsonl');
    await writeFile(sink, ['{"number":1,"body":"a","signature":"s"}', '{"number":1,"body":"b","signature":"s"}', ''].join('\n'));
    const r = await doctor({ GATEWAY_AUDIT_SINK_FILE: sink });
    expect(check(r, 'audit.sink')).toMatchObject({ status: 'fail', hint: expect.stringContaining('gateway audit verify') });
  });

  it('warns for each image the deployment runs unpinned, and says how to pin them', async () => {
    const pinned = `openbao/openbao:2.7.2@sha256:${'a'.repeat(64)}`;
    expect(check(await doctor(), 'images')).toMatchObject({ status: 'skip' });
    const r = await doctor({ GATEWAY_DEPLOYMENT_IMAGES: `postgres:15-bookworm,${pinned}` });
    expect(check(r, 'image postgres:15-bookworm')).toMatchObject({ status: 'warn', hint: expect.stringContaining('deploy/pin-images') });
    expect(check(r, 'image openbao/openbao:2.7.2')).toMatchObject({ status: 'ok' });
  });

  it('finds a missing keyring', async () => {
    const r = await doctor({ GATEWAY_KEY_MANAGER_LOCAL_KEYRING_FILE: path.join(h.dir, 'no-such-keyring.json') });
    expect(check(r, 'key-manager')?.status).toBe('fail');
  });

  it('finds SI-DEP unreachable, or not matching the CA it is checked against', async () => {
    const down = await doctor({ GATEWAY_SIDEP_URL: `https://127.0.0.1:${closedPort}` });
    expect(check(down, 'sidep.tls')).toMatchObject({ status: 'fail', summary: expect.stringContaining('ECONNREFUSED') });
    const wrongCa = await doctor({ GATEWAY_SIDEP_CA_FILE: (h.pki.clients[PHARMACY_A] as { certPath: string }).certPath });
    expect(check(wrongCa, 'sidep.tls')?.status).toBe('fail');
    const unknownHost = await doctor({ GATEWAY_SIDEP_URL: 'https://sidep.invalid' });
    expect(check(unknownHost, 'sidep.dns')?.status).toBe('fail');
  });

  it('applies the production rules, naming each unsafe setting', async () => {
    const r = await doctor({ GATEWAY_PROFILE: 'production' });
    const unsafe = r.checks.filter((c) => c.id.startsWith('settings.safe') && c.status === 'fail').map((c) => c.summary);
    expect(unsafe.some((s) => s.startsWith('GATEWAY_KEY_MANAGER_KIND'))).toBe(true);
    expect(unsafe.some((s) => s.startsWith('GATEWAY_DATABASE_URL'))).toBe(true);
  });

  it('fails on each variable `gateway serve` refuses in its environment, naming it and never its value', async () => {
    const token = 'hvs.not-a-real-token-5e0b';
    const out = await cli({ VAULT_TOKEN: token }, '--json');
    expect(out.code).toBe(1);
    const one = JSON.parse(out.stdout) as DoctorReport;
    expect(check(one, 'settings.environment')).toMatchObject({ status: 'fail', summary: expect.stringMatching(/^VAULT_TOKEN: /), hint: expect.stringContaining('GATEWAY_KEY_MANAGER_VAULT_CA_FILE') });
    expect(out.stdout).not.toContain(token);
    const two = await doctor({ VAULT_SKIP_VERIFY: 'false', NODE_TLS_REJECT_UNAUTHORIZED: '0' });
    const refused = two.checks.filter((c) => c.id.startsWith('settings.environment'));
    expect(refused.map((c) => [c.id, c.status, c.summary.split(':')[0]])).toEqual([
      ['settings.environment.1', 'fail', 'VAULT_SKIP_VERIFY'],
      ['settings.environment.2', 'fail', 'NODE_TLS_REJECT_UNAUTHORIZED'],
    ]);
    expect(two.ok).toBe(false);
    // only 0 turns certificate checks off
    expect(check(await doctor({ NODE_TLS_REJECT_UNAUTHORIZED: '1' }), 'settings.environment')?.status).toBe('ok');
  });

  it('explains missing settings and skips what depends on them, exiting 1', async () => {
    const out = await cli({ GATEWAY_DATABASE_URL: undefined });
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/^FAIL {2}settings\.valid .*GATEWAY_DATABASE_URL/m);
    expect(out.stdout).toMatch(/^SKIP {2}database/m);
  });
});

describe('gateway doctor on backups and crypto-shredding', () => {
  it('fails without a successful dump, or with one older than GATEWAY_BACKUP_MAX_AGE_HOURS', async () => {
    const late = await doctor({ GATEWAY_BACKUP_MAX_AGE_HOURS: '26' }, new Date(Date.now() + 26 * 3_600_000));
    expect(check(late, 'backup.last-success')).toMatchObject({ status: 'fail', summary: expect.stringMatching(/finished 27\.0 h ago \(limit 26 h/), hint: expect.stringContaining('deploy/backup/backup') });
    expect(check(await doctor({ GATEWAY_BACKUP_MAX_AGE_HOURS: '48' }, new Date(Date.now() + 26 * 3_600_000)), 'backup.last-success')?.status).toBe('ok');
    await sql`UPDATE backup_runs SET outcome = 'failed'`.execute(h.db.owner);
    try {
      const none = await doctor();
      expect(check(none, 'backup.last-success')).toMatchObject({ status: 'fail', summary: expect.stringContaining('no successful database dump') });
      expect(none.ok).toBe(false);
    } finally {
      await sql`UPDATE backup_runs SET outcome = 'succeeded'`.execute(h.db.owner);
    }
  });

  it('says from which date an older KEK version can be retired, and that it can once backup retention has passed', async () => {
    const keys = await openLocalKeyring(path.join(h.dir, 'keyring.json'));
    const v2 = await keys.rotate();
    expect(check(await doctor(), 'crypto-shredding')).toMatchObject({ status: 'warn', hint: expect.stringContaining('gateway keys rewrap') });

    await rewrapStoredDataKeys(h.db.owner, keys);
    // The dump of an hour ago was taken before the rewrap: it may need version 1 for 14 days.
    const finished = (await sql<{ f: Date }>`SELECT max(finished_at) AS f FROM backup_runs`.execute(h.db.owner)).rows[0]?.f as Date;
    const retireFrom = new Date(finished.getTime() + 14 * 86_400_000);
    expect(check(await doctor(), 'crypto-shredding')).toMatchObject({ status: 'ok', summary: expect.stringContaining(`retire ${v2} possible from ${retireFrom.toISOString()}`) });
    expect(check(await doctor({}, new Date(retireFrom.getTime() - 60_000)), 'crypto-shredding')?.status).toBe('ok');
    expect(check(await doctor({}, new Date(retireFrom.getTime() + 60_000)), 'crypto-shredding')).toMatchObject({ status: 'warn', hint: expect.stringContaining(`gateway keys retire ${v2}`) });

    await keys.advanceMinDecryptionVersion(v2);
    expect(check(await doctor(), 'crypto-shredding')).toMatchObject({ status: 'ok', summary: expect.stringContaining('no older KEK version decrypts') });
  });
});

describe('gateway doctor on the certificate authority of pharmacy certificates', () => {
  it('says that an external CA issues elsewhere', async () => {
    expect(check(await doctor(), 'pki.ca')).toMatchObject({ status: 'ok', summary: expect.stringContaining('issued elsewhere') });
  });

  // the Vault PKI mount itself: doctor-checks-the-pki-mount-of-a-real-openbao.test.ts

  it('without a Vault key manager, says vault-pki has no way to reach Vault', async () => {
    expect(check(await doctor({ GATEWAY_PKI_CA_KIND: 'vault-pki' }), 'pki.ca')).toMatchObject({ status: 'fail', summary: expect.stringContaining('GATEWAY_KEY_MANAGER_KIND=vault') });
  });

  it('opens a dev CA outside production, and refuses it under the production profile', async () => {
    const dev = { GATEWAY_PKI_CA_KIND: 'dev', GATEWAY_PKI_CA_CERT_FILE: h.pki.ca.certPath, GATEWAY_PKI_CA_KEY_FILE: h.pki.ca.keyPath };
    expect(check(await doctor(dev), 'pki.ca')).toMatchObject({ status: 'ok', summary: expect.stringContaining('dev CA') });
    const wrongKey = await doctor({ ...dev, GATEWAY_PKI_CA_KEY_FILE: h.pki.server.keyPath });
    expect(check(wrongKey, 'pki.ca')?.status).toBe('fail');
    expect(check(await doctor({ ...dev, GATEWAY_PROFILE: 'production' }), 'pki.ca')).toMatchObject({ status: 'fail', hint: expect.stringContaining('vault-pki') });
  });
});
