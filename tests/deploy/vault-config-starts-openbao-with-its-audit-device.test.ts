import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@sidep-gateway/demo/free-port.js';
import { OPENBAO_SKIP_REASON, openBaoBinary } from '../support/openbao.js';

// deploy/vault/openbao.hcl as compose runs it (raft, TLS, the declared file audit device), with
// its /vault/ paths and ports moved to a temporary directory: a real OpenBao server, initialised
// and unsealed, not the dev mode the other suites use.
const ROOT = path.resolve(import.meta.dirname, '../..');
const bao = openBaoBinary();

let dir: string;
let server: ChildProcess;
let output = '';
let address: string;
let ca: Buffer;
let rootToken: string;

function api(method: string, apiPath: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${address}/v1/${apiPath}`, { method, ca, headers: token ? { 'X-Vault-Token': token } : {} }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Polls sys/health until it answers `status` (501 uninitialised, 503 sealed, 200 active). */
async function health(status: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const answer = await api('GET', 'sys/health').catch(() => undefined);
    if (answer?.status === status) return;
    if (Date.now() > deadline) throw new Error(`OpenBao never answered ${status} on sys/health:\n${output}`);
    await sleep(200);
  }
}

beforeAll(async () => {
  if (!bao) return;
  dir = await mkdtemp(path.join(os.tmpdir(), 'openbao-compose-'));
  for (const sub of ['data', 'audit', 'tls']) await mkdir(path.join(dir, sub), { mode: 0o700 });
  const [port, clusterPort] = [await freePort(), await freePort()];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=vault', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'tls/vault.key'), '-out', path.join(dir, 'tls/vault.crt')], { stdio: 'ignore' });
  ca = await readFile(path.join(dir, 'tls/vault.crt'));
  const config = (await readFile(path.join(ROOT, 'deploy/vault/openbao.hcl'), 'utf8'))
    .replaceAll('/vault/', `${dir}/`)
    .replace('0.0.0.0:8200', `127.0.0.1:${port}`)
    .replace('0.0.0.0:8201', `127.0.0.1:${clusterPort}`);
  await writeFile(path.join(dir, 'openbao.hcl'), config);
  address = `https://127.0.0.1:${port}`;
  // as compose runs it: `bao server -config=…`, no VAULT_*/BAO_* variable
  server = spawn(bao, ['server', `-config=${path.join(dir, 'openbao.hcl')}`], { env: { PATH: process.env.PATH ?? '', HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  server.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await health(501);
  const init = await api('PUT', 'sys/init', { secret_shares: 1, secret_threshold: 1 });
  rootToken = init.body.root_token;
  await api('PUT', 'sys/unseal', { key: init.body.keys_base64[0] });
  await health(200);
}, 60_000);
afterAll(async () => {
  if (!bao) return;
  server?.kill();
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!bao)(`deploy/vault/openbao.hcl on a real OpenBao${bao ? '' : ` (${OPENBAO_SKIP_REASON})`}`, () => {
  it('starts with no setting OpenBao ignores (it warns, for instance, on disable_mlock)', () => {
    expect(output).not.toMatch(/unknown or unsupported field/);
  });

  it('has the file audit device on from its configuration, writing to the audit volume', async () => {
    const audits = await api('GET', 'sys/audit', undefined, rootToken);
    expect(audits.body.data).toMatchObject({ 'file/': { type: 'file', options: { file_path: path.join(dir, 'audit/audit.log') } } });
    expect((await stat(path.join(dir, 'audit/audit.log'))).size).toBeGreaterThan(0);
  });

  it('refuses to enable an audit device through the API, which is why the configuration declares it', async () => {
    const answer = await api('PUT', 'sys/audit/another', { type: 'file', options: { file_path: path.join(dir, 'audit/other.log') } }, rootToken);
    expect(answer.status).toBe(400);
    expect(answer.body.errors.join(' ')).toMatch(/cannot enable audit device via API/);
  });
});
