import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateFingerprint, ensureDevPki } from '../../gateway/src/pki/index.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

const run = promisify(execFile);
const FINESS = '759901002';
let db: TestDatabase;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  db = await testDatabase();
  dir = await mkdtemp(join(tmpdir(), 'cert-cli-'));
  const pki = await ensureDevPki(join(dir, 'pki'), { clients: [] });
  env = { PATH: process.env.PATH, USER: 'tester', GATEWAY_PKI_CA_CERT_FILE: pki.ca.certPath, GATEWAY_PKI_CA_KEY_FILE: pki.ca.keyPath, GATEWAY_PKI_CLIENT_VALIDITY_DAYS: '30' };
});
afterAll(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

const gateway = (...args: string[]) =>
  run(process.execPath, ['gateway/bin/gateway.js', ...args, '--database-url', db.ownerUrl], { env }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

const openssl = (...args: string[]) => run('openssl', args, { env: { PATH: process.env.PATH, P12: password } });
let password = '';

describe('`gateway pharmacy` and `gateway cert`', () => {
  // Each run starts a process (about 3 s through tsx): four runs cover the wiring in main.ts.
  it('adds a pharmacy, issues PEM and PKCS#12 (AES-256, PBKDF2-SHA256, SHA-256 MAC), lists with expiry, revokes', async () => {
    expect(await gateway('pharmacy', 'add', FINESS, '--name', 'Pharmacie du terminal')).toMatchObject({ code: 0, stdout: expect.stringContaining(`Added pharmacy ${FINESS}`) });

    const out = join(dir, 'out');
    const issued = await gateway('cert', 'issue', FINESS, '--out', out);
    expect(issued.code).toBe(0);
    const fingerprint = /Issued ([0-9a-f]{64})/.exec(issued.stdout)?.[1] as string;
    password = /PKCS#12 password \(shown once[^)]*\): (\S+)/.exec(issued.stdout)?.[1] as string;
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const stem = join(out, `${FINESS}-${fingerprint.slice(0, 12)}`);
    expect((await stat(`${stem}-key.pem`)).mode & 0o777).toBe(0o600);
    expect((await stat(`${stem}.p12`)).mode & 0o777).toBe(0o600);
    const pem = await readFile(`${stem}.pem`, 'utf8');
    expect(certificateFingerprint(pem)).toBe(fingerprint);
    expect(Math.round((Date.parse(new X509Certificate(pem).validTo) - Date.now()) / 86_400_000)).toBe(30);

    const info = await openssl('pkcs12', '-info', '-in', `${stem}.p12`, '-passin', 'env:P12', '-noout');
    const text = `${info.stdout}${info.stderr}`;
    expect(text).toMatch(/MAC: sha256/);
    expect(text).toMatch(/PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration \d+, PRF hmacWithSHA256/);
    expect(text).toMatch(/Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration \d+, PRF hmacWithSHA256/);
    expect(text).not.toMatch(/3DES|RC2|SHA1/i);
    const bundled = await openssl('pkcs12', '-in', `${stem}.p12`, '-passin', 'env:P12', '-clcerts', '-nokeys');
    expect(certificateFingerprint(bundled.stdout)).toBe(fingerprint);

    const listed = await gateway('cert', 'list');
    expect(listed.stdout).toMatch(new RegExp(`${fingerprint}  ${FINESS}  issued .* valid, 29 day\\(s\\) left`));

    const revoked = await gateway('cert', 'revoke', fingerprint.replace(/(..)(?!$)/g, '$1:').toUpperCase(), '--reason', 'keyCompromise');
    expect(revoked).toMatchObject({ code: 0, stdout: expect.stringContaining('its new CRL stored') });
    const row = await db.owner.selectFrom('client_certificates').select(['revocation_reason', 'revoked_by']).where('fingerprint', '=', fingerprint).executeTakeFirstOrThrow();
    expect(row).toEqual({ revocation_reason: 'keyCompromise', revoked_by: `cli:${userInfo().username}@${hostname()}` });
  }, 60_000);
});
