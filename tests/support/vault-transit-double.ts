/**
 * A TEST DOUBLE of HashiCorp Vault: the documented HTTP API subset the gateway uses (Transit,
 * AppRole, token self-service, sys/health), served over real HTTPS. It is never part of the
 * gateway; the same contract suite that runs against it runs against a real Vault when
 * `VAULT_ADDR` is set, which keeps it honest.
 *
 * Faithful where the gateway depends on it: `vault:vN:` ciphertexts, key versions, latest and
 * `min_decryption_version`, derived keys (a ciphertext opens only under its `context`),
 * `batch_input`/`batch_results` with per-item `error` and `partial_failure_response_code`,
 * datakey wrapped/plaintext, rewrap, rotate, hmac, ed25519 sign/verify with public keys on key
 * read, AppRole login with token TTLs, lookup-self/renew-self, ACL policies in HCL (so
 * `deploy/vault/*.hcl` are exercised), and the 400/403/503 error answers.
 * Not faithful: the cryptographic bytes (a derived key here is HMAC-SHA256(key, context),
 * Vault uses HKDF), so ciphertexts from the double never open in a real Vault or vice versa.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  sign as edSign,
  verify as edVerify,
  type KeyObject,
} from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { anssiTlsOptions, createDevCa, issueServerCertificate } from '../../gateway/src/pki/index.js';
import { rawEd25519PublicKey } from '../../gateway/src/crypto/signer.js';
import type { VaultConnection } from '../../gateway/src/crypto/index.js';
import type { PkiAnswer, PkiMount } from './vault-pki-double.js';

const POLICY_DIR = fileURLToPath(new URL('../../deploy/vault/policies/', import.meta.url));

type Capability = 'create' | 'read' | 'update' | 'delete' | 'list' | 'sudo' | 'deny';
interface PolicyRule {
  /** Vault path glob: a trailing `*` is a prefix match, `+` one path segment. */
  path: string;
  capabilities: Capability[];
}

interface KeyVersion {
  secret: Buffer;
  signing?: { privateKey: KeyObject; publicKey: string };
  createdAt: number;
}
interface TransitKey {
  type: 'aes256-gcm96' | 'ed25519';
  derived: boolean;
  versions: Map<number, KeyVersion>;
  latest: number;
  minDecryption: number;
  deletionAllowed: boolean;
}
interface Token {
  policies: PolicyRule[];
  root: boolean;
  ttlSeconds: number;
  maxTtlSeconds: number;
  issuedAt: number;
  expiresAt: number;
}

/** What a test can do to the double: break it the ways a real Vault breaks. */
export interface VaultTransitDouble {
  /** `https://127.0.0.1:<port>` */
  address: string;
  /** PEM of the CA that signed the double's server certificate (the client pins it). */
  caPem: string;
  /** A root token, for test setup only. */
  rootToken: string;
  /** Registers an AppRole whose tokens get these HCL policies; returns its ids. */
  addAppRole(o: { policyHcl: string; tokenTtlSeconds?: number; tokenMaxTtlSeconds?: number }): { roleId: string; secretId: string };
  /** Creates a Transit key as the init script does (derived for aes256-gcm96). */
  createKey(name: string, type?: TransitKey['type']): void;
  /** `vault write transit/datakey/wrapped/<name> context=…` as an administrator: the ciphertext. */
  wrappedDataKey(name: string, context: string): string;
  /** Requests per path (`transit/decrypt/gateway-data`, …) since start or the last reset. */
  calls(pathPrefix?: string): number;
  resetCalls(): void;
  /** Every login, renewal and token lookup, in order: `login`, `renew-self`, `lookup-self`. */
  authEvents: string[];
  seal(): void;
  unseal(): void;
  /** Every answer is delayed by this long (0: none). */
  slowDown(ms: number): void;
  /** Every request, including logins, is answered 403 (a revoked role or a changed policy). */
  deny(on: boolean): void;
  /** Serves a PKI mount (`vault-pki-double.ts`) under its name, behind the same tokens and policies. */
  mountPki(mount: PkiMount): void;
  /** Revokes every issued token: the next call with one gets 403, a fresh login works. */
  revokeTokens(): void;
  /** Stops listening and drops connections; `start` listens on the same port again. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the double on a free loopback port with TLS from a throwaway CA.
 *
 * @example
 * const vault = await startVaultTransitDouble();
 * vault.createKey('gateway-data');
 * const { roleId, secretId } = vault.addAppRole({ policyHcl: await readFile('deploy/vault/gateway-policy.hcl', 'utf8') });
 */
export async function startVaultTransitDouble(): Promise<VaultTransitDouble> {
  const ca = await createDevCa();
  const tls = await issueServerCertificate(ca);
  const keys = new Map<string, TransitKey>();
  const tokens = new Map<string, Token>();
  const appRoles = new Map<string, { secretId: string; policies: PolicyRule[]; ttl: number; maxTtl: number }>();
  const counts = new Map<string, number>();
  const authEvents: string[] = [];
  const rootToken = `hvs.root-${randomUUID()}`;
  tokens.set(rootToken, { policies: [], root: true, ttlSeconds: 0, maxTtlSeconds: 0, issuedAt: Date.now(), expiresAt: Infinity });
  let sealed = false;
  let delayMs = 0;
  let denying = false;
  const pkiMounts = new Map<string, PkiMount>();

  const sockets = new Set<Socket>();
  const server: Server = createServer({ ...anssiTlsOptions(), cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    void handle(req, res).catch(() => answer(res, 500, { errors: ['internal error'] }));
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://vault');
    const path = url.pathname.replace(/^\/v1\//, '');
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const body = await readJson(req);
    if (delayMs) await sleep(delayMs);
    if (path === 'sys/health') {
      const status = sealed ? 503 : 200;
      return answer(res, status, { initialized: true, sealed, standby: false, version: '1.15.0-double' });
    }
    if (sealed) return answer(res, 503, { errors: ['Vault is sealed'] });
    if (denying) return answer(res, 403, { errors: ['permission denied'] });
    if (path === 'auth/approle/login' && req.method === 'POST') return login(res, body);
    const [mountName = '', ...within] = path.split('/');
    const pki = pkiMounts.get(mountName);
    const pkiPath = within.join('/');
    // Vault serves a PKI mount's CA and CRL without a token
    if (pki?.isUnauthenticated(pkiPath)) return answerPki(res, await pki.handle(req.method ?? 'GET', pkiPath, body));

    const token = tokens.get(String(req.headers['x-vault-token'] ?? ''));
    if (!token || token.expiresAt <= Date.now()) return answer(res, 403, { errors: ['permission denied'] });
    if (path === 'auth/token/lookup-self') return lookupSelf(res, token);
    if (path === 'auth/token/renew-self') return renewSelf(res, token);
    const capability: Capability = req.method === 'GET' ? 'read' : 'update';
    if (!token.root && !allowed(token.policies, path, capability)) return answer(res, 403, { errors: ['permission denied'] });
    if (pki) return answerPki(res, await pki.handle(req.method ?? 'GET', pkiPath, body));
    return transit(res, path, req.method ?? 'GET', body);
  }

  function login(res: ServerResponse, body: Record<string, unknown>): void {
    const role = appRoles.get(String(body.role_id ?? ''));
    authEvents.push('login');
    if (!role || role.secretId !== body.secret_id) return answer(res, 400, { errors: ['invalid role or secret ID'] });
    const clientToken = `hvs.${randomBytes(18).toString('base64url')}`;
    const now = Date.now();
    tokens.set(clientToken, {
      policies: role.policies,
      root: false,
      ttlSeconds: role.ttl,
      maxTtlSeconds: role.maxTtl,
      issuedAt: now,
      expiresAt: now + role.ttl * 1000,
    });
    answer(res, 200, {
      auth: { client_token: clientToken, lease_duration: role.ttl, renewable: true, policies: ['gateway'], token_policies: ['gateway'] },
    });
  }

  function lookupSelf(res: ServerResponse, token: Token): void {
    authEvents.push('lookup-self');
    const ttl = token.root ? 0 : Math.max(0, Math.floor((token.expiresAt - Date.now()) / 1000));
    answer(res, 200, { data: { ttl, renewable: !token.root, creation_ttl: token.ttlSeconds } });
  }

  function renewSelf(res: ServerResponse, token: Token): void {
    authEvents.push('renew-self');
    if (token.root) return answer(res, 400, { errors: ['lease is not renewable'] });
    const now = Date.now();
    // Renewal extends by the role's TTL, never past the token's max TTL (Vault's rule).
    token.expiresAt = Math.min(now + token.ttlSeconds * 1000, token.issuedAt + token.maxTtlSeconds * 1000);
    const lease = Math.max(0, Math.floor((token.expiresAt - now) / 1000));
    answer(res, 200, { auth: { lease_duration: lease, renewable: lease > 0 } });
  }

  function transit(res: ServerResponse, path: string, method: string, body: Record<string, unknown>): void {
    const [mount, operation, ...rest] = path.split('/');
    if (mount !== 'transit') return answer(res, 404, { errors: [`no handler for route "${path}"`] });
    if (operation === 'keys') return keysEndpoint(res, rest, method, body);
    if (operation === 'datakey') return datakey(res, rest[0], rest[1], body);
    const key = keys.get(rest[0] ?? '');
    if (!key) return answer(res, 400, { errors: ['encryption key not found'] });
    switch (operation) {
      case 'encrypt':
        return batch(res, body, (item) => ({ ciphertext: encrypt(key, decodeInput(item.plaintext), contextOf(key, item)) }));
      case 'decrypt':
        return batch(res, body, (item) => ({ plaintext: decrypt(key, String(item.ciphertext ?? ''), contextOf(key, item)).toString('base64') }));
      case 'rewrap':
        return batch(res, body, (item) => {
          const context = contextOf(key, item);
          return { ciphertext: encrypt(key, decrypt(key, String(item.ciphertext ?? ''), context), context), key_version: key.latest };
        });
      case 'hmac':
        return batch(res, body, (item) => {
          const secret = versionOf(key, key.latest).secret;
          const mac = createHmac('sha256', secret).update(decodeInput(item.input)).digest('base64');
          return { hmac: `vault:v${key.latest}:${mac}` };
        });
      case 'sign':
        return batch(res, body, (item) => {
          const signing = versionOf(key, key.latest).signing;
          if (!signing) throw new TransitError('key type does not support signing');
          const signature = edSign(null, decodeInput(item.input), signing.privateKey).toString('base64');
          return { signature: `vault:v${key.latest}:${signature}`, key_version: key.latest };
        });
      case 'verify':
        return batch(res, body, (item) => {
          const { version, payload } = parseCiphertext(String(item.signature ?? ''));
          const signing = key.versions.get(version)?.signing;
          if (!signing) throw new TransitError('invalid key version');
          return { valid: edVerify(null, decodeInput(item.input), signing.privateKey, payload) };
        });
      default:
        return answer(res, 404, { errors: [`no handler for route "${path}"`] });
    }
  }

  function keysEndpoint(res: ServerResponse, rest: string[], method: string, body: Record<string, unknown>): void {
    const [name = '', action] = rest;
    const key = keys.get(name);
    if (!action && method === 'GET') {
      if (!key) return answer(res, 404, { errors: [] });
      return answer(res, 200, { data: describeKey(name, key) });
    }
    if (!action && method === 'POST') {
      if (!key) createKey(name, body.type === 'ed25519' ? 'ed25519' : 'aes256-gcm96', body.derived === true);
      return answer(res, 204);
    }
    if (!key) return answer(res, 400, { errors: ['key not found'] });
    if (action === 'rotate' && method === 'POST') {
      addVersion(key);
      return answer(res, 200, { data: describeKey(name, key) });
    }
    if (action === 'config' && method === 'POST') {
      const min = body.min_decryption_version === undefined ? key.minDecryption : Number(body.min_decryption_version);
      if (!Number.isInteger(min) || min < 1 || min > key.latest) {
        return answer(res, 400, { errors: ['cannot set min decryption version above the latest version'] });
      }
      key.minDecryption = min;
      if (body.deletion_allowed !== undefined) key.deletionAllowed = body.deletion_allowed === true;
      return answer(res, 200, { data: describeKey(name, key) });
    }
    return answer(res, 405, { errors: ['unsupported operation'] });
  }

  function datakey(res: ServerResponse, kind: string | undefined, name: string | undefined, body: Record<string, unknown>): void {
    const key = keys.get(name ?? '');
    if (!key) return answer(res, 400, { errors: ['encryption key not found'] });
    if (kind !== 'plaintext' && kind !== 'wrapped') return answer(res, 400, { errors: ['invalid type'] });
    const bits = body.bits === undefined ? 256 : Number(body.bits);
    if (![128, 256, 512].includes(bits)) return answer(res, 400, { errors: ['invalid bit length'] });
    try {
      const plaintext = randomBytes(bits / 8);
      const ciphertext = encrypt(key, plaintext, contextOf(key, body));
      answer(res, 200, { data: { ciphertext, key_version: key.latest, ...(kind === 'plaintext' ? { plaintext: plaintext.toString('base64') } : {}) } });
    } catch (error) {
      answer(res, 400, { errors: [error instanceof TransitError ? error.message : 'invalid request'] });
    }
  }

  /** Vault's batch convention: `batch_input` answered by `batch_results`, one error per item. */
  function batch(res: ServerResponse, body: Record<string, unknown>, each: (item: Record<string, unknown>) => Record<string, unknown>): void {
    const run = (item: Record<string, unknown>) => {
      try {
        return each(item);
      } catch (error) {
        return { error: error instanceof TransitError ? error.message : 'invalid request' };
      }
    };
    if (!Array.isArray(body.batch_input)) {
      const result = run(body);
      return 'error' in result ? answer(res, 400, { errors: [result.error] }) : answer(res, 200, { data: result });
    }
    const results = (body.batch_input as Record<string, unknown>[]).map(run);
    const failed = results.some((r) => 'error' in r);
    // Any failed item makes the whole answer 400 unless the caller chose another code.
    const status = failed ? Number(body.partial_failure_response_code ?? 400) : 200;
    answer(res, status, { data: { batch_results: results } });
  }

  function createKey(name: string, type: TransitKey['type'] = 'aes256-gcm96', derived = type === 'aes256-gcm96'): void {
    if (keys.has(name)) return;
    const key: TransitKey = { type, derived, versions: new Map(), latest: 0, minDecryption: 1, deletionAllowed: false };
    addVersion(key);
    keys.set(name, key);
  }

  function addVersion(key: TransitKey): void {
    key.latest += 1;
    const signing =
      key.type === 'ed25519'
        ? (() => {
            const pair = generateKeyPairSync('ed25519');
            return { privateKey: pair.privateKey, publicKey: rawEd25519PublicKey(pair.publicKey) };
          })()
        : undefined;
    key.versions.set(key.latest, { secret: randomBytes(32), createdAt: Math.floor(Date.now() / 1000), ...(signing ? { signing } : {}) });
  }

  function describeKey(name: string, key: TransitKey): Record<string, unknown> {
    const versions = Object.fromEntries(
      [...key.versions].map(([v, k]) => [String(v), k.signing ? { public_key: k.signing.publicKey, creation_time: new Date(k.createdAt * 1000).toISOString(), name: 'ed25519' } : k.createdAt]),
    );
    return {
      name,
      type: key.type,
      derived: key.derived,
      exportable: false,
      allow_plaintext_backup: false,
      deletion_allowed: key.deletionAllowed,
      latest_version: key.latest,
      min_decryption_version: key.minDecryption,
      min_encryption_version: 0,
      supports_encryption: key.type === 'aes256-gcm96',
      supports_decryption: key.type === 'aes256-gcm96',
      supports_derivation: key.type === 'aes256-gcm96',
      supports_signing: key.type === 'ed25519',
      keys: versions,
    };
  }

  function encrypt(key: TransitKey, plaintext: Buffer, context: Buffer | undefined): string {
    if (key.type !== 'aes256-gcm96') throw new TransitError('key type does not support encryption');
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', dataKeyOf(key, key.latest, context), nonce);
    const sealedBytes = Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return `vault:v${key.latest}:${sealedBytes.toString('base64')}`;
  }

  function decrypt(key: TransitKey, ciphertext: string, context: Buffer | undefined): Buffer {
    const { version, payload } = parseCiphertext(ciphertext);
    if (version < key.minDecryption) throw new TransitError('ciphertext or signature version is disallowed by policy (too old)');
    if (payload.length < 28) throw new TransitError('invalid ciphertext: no data');
    const decipher = createDecipheriv('aes-256-gcm', dataKeyOf(key, version, context), payload.subarray(0, 12));
    decipher.setAuthTag(payload.subarray(payload.length - 16));
    try {
      return Buffer.concat([decipher.update(payload.subarray(12, payload.length - 16)), decipher.final()]);
    } catch {
      throw new TransitError('cipher: message authentication failed');
    }
  }

  function dataKeyOf(key: TransitKey, version: number, context: Buffer | undefined): Buffer {
    const { secret } = versionOf(key, version);
    if (!key.derived) return secret;
    if (!context) throw new TransitError('missing \'context\' for key derivation; the key was created using a derived key');
    return createHmac('sha256', secret).update(context).digest();
  }

  function versionOf(key: TransitKey, version: number): KeyVersion {
    const found = key.versions.get(version);
    if (!found) throw new TransitError('invalid key version');
    return found;
  }

  const started = await listenOn(server, 0);
  const port = started;
  return {
    address: `https://127.0.0.1:${port}`,
    caPem: ca.certPem,
    rootToken,
    addAppRole({ policyHcl, tokenTtlSeconds = 3600, tokenMaxTtlSeconds = 86_400 }) {
      const roleId = randomUUID();
      const secretId = randomUUID();
      appRoles.set(roleId, { secretId, policies: parsePolicyHcl(policyHcl), ttl: tokenTtlSeconds, maxTtl: tokenMaxTtlSeconds });
      return { roleId, secretId };
    },
    createKey: (name, type) => createKey(name, type),
    mountPki: (mount) => void pkiMounts.set(mount.name, mount),
    wrappedDataKey(name, context) {
      const key = keys.get(name);
      if (!key) throw new Error(`no Transit key ${name} in the double`);
      return encrypt(key, randomBytes(32), Buffer.from(context, 'utf8'));
    },
    calls: (prefix = '') => [...counts].filter(([path]) => path.startsWith(prefix)).reduce((sum, [, n]) => sum + n, 0),
    resetCalls: () => counts.clear(),
    authEvents,
    seal: () => void (sealed = true),
    unseal: () => void (sealed = false),
    slowDown: (ms) => void (delayMs = ms),
    deny: (on) => void (denying = on),
    revokeTokens() {
      for (const token of tokens.keys()) if (token !== rootToken) tokens.delete(token);
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async start() {
      await listenOn(server, port);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

class TransitError extends Error {}

function contextOf(key: TransitKey, item: Record<string, unknown>): Buffer | undefined {
  if (typeof item.context !== 'string' || item.context === '') return undefined;
  const context = Buffer.from(item.context, 'base64');
  return key.derived ? context : undefined;
}

function decodeInput(value: unknown): Buffer {
  if (typeof value !== 'string') throw new TransitError('missing input');
  return Buffer.from(value, 'base64');
}

function parseCiphertext(text: string): { version: number; payload: Buffer } {
  const match = /^vault:v([0-9]+):([A-Za-z0-9+/]*={0,2})$/.exec(text);
  if (!match) throw new TransitError('invalid ciphertext: no prefix');
  return { version: Number(match[1]), payload: Buffer.from(match[2] ?? '', 'base64') };
}

/** The `path "…" { capabilities = [...] }` blocks of a Vault policy; other stanzas are ignored. */
export function parsePolicyHcl(hcl: string): PolicyRule[] {
  const withoutComments = hcl.replace(/#[^\n]*/g, '');
  return [...withoutComments.matchAll(/path\s+"([^"]+)"\s*\{[^}]*?capabilities\s*=\s*\[([^\]]*)\][^}]*\}/g)].map((m) => ({
    path: m[1] ?? '',
    capabilities: [...(m[2] ?? '').matchAll(/"([a-z]+)"/g)].map((c) => c[1] as Capability),
  }));
}

function allowed(rules: PolicyRule[], path: string, capability: Capability): boolean {
  const matching = rules.filter((rule) => globMatches(rule.path, path));
  if (matching.some((rule) => rule.capabilities.includes('deny'))) return false;
  return matching.some((rule) => rule.capabilities.includes(capability));
}

function globMatches(glob: string, path: string): boolean {
  const pattern = glob
    .split('')
    .map((char, index) => {
      if (char === '+') return '[^/]+';
      if (char === '*' && index === glob.length - 1) return '.*';
      return char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${pattern}$`).test(path);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function answer(res: ServerResponse, status: number, body?: unknown): void {
  if (res.headersSent) return;
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function answerPki(res: ServerResponse, a: PkiAnswer): void {
  if (a.text === undefined) return answer(res, a.status, a.body);
  res.writeHead(a.status, { 'content-type': 'application/pem-certificate-chain' }).end(a.text);
}

function listenOn(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/**
 * AppRole credentials for `policyFile` (a file under `deploy/vault/policies/`) written as the
 * init script writes them (0600 files), plus the pinned CA: what the gateway's settings name.
 *
 * @example
 * const connection = await appRoleConnection(vault, dir, 'gateway.hcl');
 * const keys = await openVaultTransit({ vault: createVaultSession(connection), blindIndexKeyFile });
 */
export async function appRoleConnection(
  vault: VaultTransitDouble,
  dir: string,
  policyFile: 'gateway.hcl' | 'keys-admin.hcl',
  o: { tokenTtlSeconds?: number; tokenMaxTtlSeconds?: number; timeoutMs?: number } = {},
): Promise<VaultConnection & { caFile: string }> {
  const policyHcl = await readFile(join(POLICY_DIR, policyFile), 'utf8');
  const { roleId, secretId } = vault.addAppRole({ policyHcl, ...o });
  const name = policyFile.replace('.hcl', '');
  const files = { roleIdFile: join(dir, `${name}-role-id`), secretIdFile: join(dir, `${name}-secret-id`), caFile: join(dir, 'vault-ca.pem') };
  await writeFile(files.roleIdFile, roleId, { mode: 0o600 });
  await writeFile(files.secretIdFile, secretId, { mode: 0o600 });
  await writeFile(files.caFile, vault.caPem);
  return { address: vault.address, caPem: vault.caPem, timeoutMs: o.timeoutMs ?? 2_000, ...files };
}

/**
 * What `deploy/vault/init.sh` creates: the three Transit keys, and the wrapped blind-index key
 * file in `dir`; returns that file's path.
 */
export async function createGatewayKeys(vault: VaultTransitDouble, dir: string): Promise<string> {
  vault.createKey('gateway-data');
  vault.createKey('gateway-blind-index');
  vault.createKey('gateway-audit-checkpoints', 'ed25519');
  const file = join(dir, 'blind-index-key.wrapped');
  await writeFile(file, `${vault.wrappedDataKey('gateway-blind-index', 'sidep-gateway/blind-index-key/v1')}\n`, { mode: 0o600 });
  return file;
}
