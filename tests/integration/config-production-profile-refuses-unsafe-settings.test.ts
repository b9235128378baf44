import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSettings, productionProblems, settingsFromEnv, type SettingsInput } from '../../gateway/src/config/index.js';
import { createDevCa, issueServerCertificate } from '../../gateway/src/pki/index.js';

const run = promisify(execFile);
let dir: string;
let files: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gateway-prod-'));
  const ca = await createDevCa();
  const server = await issueServerCertificate(ca);
  files = {
    devCa: path.join(dir, 'dev-ca.pem'),
    devCert: path.join(dir, 'dev-server.pem'),
    key: path.join(dir, 'server-key.pem'),
    token: path.join(dir, 'token'),
    shortToken: path.join(dir, 'short-token'),
  };
  await writeFile(files.devCa!, ca.certPem);
  await writeFile(files.devCert!, server.certPem);
  await writeFile(files.key!, server.keyPem, { mode: 0o600 });
  await writeFile(files.token!, 'a'.repeat(48));
  await writeFile(files.shortToken!, 'short');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function settings(over: Partial<Record<string, Record<string, unknown>>> = {}): SettingsInput {
  const base: Record<string, Record<string, unknown>> = {
    database: { url: 'postgres://gateway:s3cret-password@db.internal:5432/gateway?sslmode=verify-full' },
    intake: { certFile: files.devCert, keyFile: files.key, clientCaFile: files.devCa },
    metrics: { tokenFile: files.token },
    keyManager: { kind: 'vault' },
    sidep: { url: 'https://sidep.example.fr', caFile: files.devCa, certFile: files.devCert, keyFile: files.key },
    relay: {},
    retention: {},
    validation: {},
  };
  return Object.fromEntries(Object.entries(base).map(([k, v]) => [k, { ...v, ...over[k] }])) as unknown as SettingsInput;
}

const problemsOf = (over: Parameters<typeof settings>[0]) => productionProblems(parseSettings(settings(over)));

describe('the production profile', () => {
  it('refuses the local keyring', () => {
    expect(problemsOf({ keyManager: { kind: 'local' } }).join('\n')).toMatch(/GATEWAY_KEY_MANAGER_KIND/);
  });
  it('refuses missing TLS material, naming each file setting', () => {
    const p = problemsOf({ intake: { certFile: '/nonexistent.pem' }, sidep: { keyFile: '/nonexistent-key.pem' } }).join('\n');
    expect(p).toMatch(/GATEWAY_INTAKE_CERT_FILE: file missing/);
    expect(p).toMatch(/GATEWAY_SIDEP_KEY_FILE: file missing/);
  });
  it('refuses the demo CA and certificates it issued', () => {
    const p = problemsOf({}).join('\n');
    expect(p).toMatch(/GATEWAY_INTAKE_CLIENT_CA_FILE: is or was issued by the demo CA/);
    expect(p).toMatch(/GATEWAY_INTAKE_CERT_FILE: is or was issued by the demo CA/);
  });
  it('refuses a Postgres URL without TLS, unless a socket is explicitly allowed', () => {
    expect(problemsOf({ database: { url: 'postgres://gateway:s3cret-password@db:5432/gateway' } }).join('\n')).toMatch(/GATEWAY_DATABASE_URL: must use sslmode/);
    expect(problemsOf({ database: { url: 'postgres://gateway:s3cret-password@/gateway?host=/run/postgresql', allowPlaintextSocket: true } }).join('\n')).not.toMatch(/GATEWAY_DATABASE_URL/);
  });
  it('refuses an empty or default database password', () => {
    expect(problemsOf({ database: { url: 'postgres://gateway:postgres@db:5432/gateway?sslmode=require' } }).join('\n')).toMatch(/GATEWAY_DATABASE_URL: empty or default password/);
  });
  it('refuses a missing or short metrics token', () => {
    expect(problemsOf({ metrics: { tokenFile: files.shortToken } }).join('\n')).toMatch(/GATEWAY_METRICS_TOKEN_FILE/);
  });
  it('refuses plain-http SI-DEP and a metrics listener off loopback without TLS', () => {
    const p = problemsOf({ sidep: { url: 'http://sidep.example.fr' }, metrics: { host: '0.0.0.0' } }).join('\n');
    expect(p).toMatch(/GATEWAY_SIDEP_URL: must be https/);
    expect(p).toMatch(/GATEWAY_METRICS_CERT_FILE/);
  });
  it('never prints a setting value in its refusals', () => {
    const p = problemsOf({ database: { url: 'postgres://gateway:postgres@db:5432/gateway' } }).join('\n');
    expect(p).not.toContain('postgres://');
  });
  it('reads settings from GATEWAY_* variables and *_FILE secrets', async () => {
    await writeFile(path.join(dir, 'db-url'), 'postgres://x:y@h/db?sslmode=require\n');
    const s = settingsFromEnv({ GATEWAY_DATABASE_URL_FILE: path.join(dir, 'db-url'), GATEWAY_INTAKE_BODY_LIMIT_BYTES: '1024' });
    expect(s).toMatchObject({ database: { url: 'postgres://x:y@h/db?sslmode=require' }, intake: { bodyLimitBytes: '1024' } });
  });
  it('`gateway serve` exits with the list of problems, and never falls back to the demo', async () => {
    const err = await run(process.execPath, ['gateway/bin/gateway.js', 'serve'], { env: { PATH: process.env.PATH, GATEWAY_KEY_MANAGER_KIND: 'local' } }).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/Refusing to start/);
    expect(err.stderr).toMatch(/GATEWAY_DATABASE_URL/);
  });
  it('`gateway demo` refuses to start where production settings are present', async () => {
    for (const env of [{ GATEWAY_PROFILE: 'production' }, { NODE_ENV: 'production' }, { VAULT_ADDR: 'https://vault:8200' }]) {
      const err = await run(process.execPath, ['gateway/bin/gateway.js', 'demo'], { env: { PATH: process.env.PATH, ...env } }).catch((e) => e);
      expect(err.code).toBe(2);
      expect(err.stderr).toMatch(/demo refuses to start/);
    }
  });
});
