import { execFileSync } from 'node:child_process';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createVaultSession, VaultLoginFailed } from '../../gateway/src/vault/index.js';
import { OPENBAO_SKIP_REASON, openBaoBinary, startGatewayOpenBao, type GatewayOpenBao } from '../support/openbao.js';

// node-vault reads VAULT_SKIP_VERIFY, VAULT_TOKEN, VAULT_NAMESPACE, VAULT_PREFIX and VAULT_ADDR
// when it builds a client: each test sets them in this process before building the session.
const HOSTILE = ['VAULT_SKIP_VERIFY', 'VAULT_TOKEN', 'VAULT_NAMESPACE', 'VAULT_PREFIX', 'VAULT_ADDR'] as const;
const saved = Object.fromEntries(HOSTILE.map((name) => [name, process.env[name]]));

const bao = openBaoBinary();
let openbao: GatewayOpenBao;
let impostor: https.Server;
let impostorAddress: string;
const impostorSaw: string[] = [];

beforeAll(async () => {
  if (!bao) return;
  openbao = await startGatewayOpenBao();
  // A self-signed server certificate for the address, as a man in the middle would present: it
  // answers any login.
  const dir = path.join(openbao.dir, 'impostor');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', `${dir}-key.pem`, '-out', `${dir}.pem`], { stdio: 'ignore' });
  impostor = https.createServer({ cert: await readFile(`${dir}.pem`), key: await readFile(`${dir}-key.pem`) }, (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      impostorSaw.push(`${req.method} ${req.url} ${body}`);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ auth: { client_token: 'impostor-token', lease_duration: 3600 }, data: { keys: {} } }));
    });
  });
  await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
  impostorAddress = `https://127.0.0.1:${(impostor.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  if (!bao) return;
  impostor.close();
  await openbao.stop();
});
afterEach(() => {
  impostorSaw.length = 0;
  for (const name of HOSTILE) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

/** The audit log of the dev server (tests/support/openbao.ts starts it in `<dir>/server`). */
async function lastLoginRequest(): Promise<{ client_token?: string; namespace?: { id: string } }> {
  const lines = (await readFile(path.join(openbao.dir, 'server', 'audit.log'), 'utf8')).split('\n').filter(Boolean);
  const logins = lines.map((l) => JSON.parse(l)).filter((e) => e.type === 'request' && e.request?.path === 'auth/approle/login');
  return logins.at(-1).request;
}

describe.skipIf(!bao)(`the Vault AppRole session against real OpenBao, whatever VAULT_* variables say${bao ? '' : ` (${OPENBAO_SKIP_REASON})`}`, () => {
  it.each(['false', '1'])('refuses a self-signed impostor with VAULT_SKIP_VERIFY=%s, and never sends it the secret id', async (value) => {
    process.env.VAULT_SKIP_VERIFY = value;
    const session = createVaultSession({ ...openbao.connection('gateway'), address: impostorAddress });

    const failure = await session.read('transit/keys/gateway-data').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(VaultLoginFailed);
    expect((failure as VaultLoginFailed).cause).toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(impostorSaw).toEqual([]);
  });

  it('logs in to the genuine server through its pinned CA, taking no token, namespace, prefix or address from the environment', async () => {
    Object.assign(process.env, {
      VAULT_SKIP_VERIFY: 'false',
      // the server's own root token: were it sent with the login, the audit log would show it
      VAULT_TOKEN: openbao.server.rootToken,
      // OpenBao answers 404 "namespace not found", and 404 under a prefix, to requests that carry them
      VAULT_NAMESPACE: 'elsewhere',
      VAULT_PREFIX: '/elsewhere',
      VAULT_ADDR: impostorAddress,
    });
    const session = createVaultSession(openbao.connection('gateway'));

    await expect(session.read('transit/keys/gateway-data')).resolves.toMatchObject({ data: { name: 'gateway-data' } });
    const login = await lastLoginRequest();
    expect(login.client_token).toBeUndefined();
    expect(login.namespace).toEqual({ id: 'root' });
    expect(impostorSaw).toEqual([]);
  });
});
