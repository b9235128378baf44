import { readFile } from 'node:fs/promises';
import nodeVault from 'node-vault';
import { anssiTlsOptions } from '../pki/index.js';

/** Where and how the gateway reaches Vault. */
export interface VaultConnection {
  /** `https://vault.internal:8200` */
  address: string;
  /** PEM of the CA that signs Vault's server certificate: the only CA trusted for Vault. */
  caPem: string;
  /** Files holding the AppRole role id and secret id, read again at each login. */
  roleIdFile: string;
  secretIdFile: string;
  /** Bound on each HTTP call to Vault, login included. */
  timeoutMs: number;
  clock?: () => number;
}

/** A logged-in Vault client: every request carries a live token. */
export interface VaultSession {
  read(path: string): Promise<VaultResponse>;
  write(path: string, body: Record<string, unknown>): Promise<VaultResponse>;
  /**
   * When the secret id in the secret-id file expires (AppRole `secret-id/lookup`), or undefined
   * when it has no TTL; rejects when Vault no longer knows it (expired or destroyed).
   */
  secretIdExpiry(): Promise<Date | undefined>;
}

export interface VaultResponse {
  data?: Record<string, unknown>;
  auth?: { client_token?: string; lease_duration?: number; renewable?: boolean; metadata?: { role_name?: string } };
}

// Renew once two thirds of the TTL have passed: a renewal that fails still leaves a third to retry.
const RENEW_AT_FRACTION = 2 / 3;

/**
 * An AppRole session: logs in on first use, renews the token (`renew-self`) before it expires,
 * logs in again when renewal fails or the token reached its max TTL, and on a 403 (token revoked
 * or expired early) logs in once more and repeats the request. Logins and renewals are shared by
 * concurrent callers. TLS trusts only the pinned CA, under the ANSSI policy, and no VAULT_*
 * variable of the environment changes TLS, token, namespace or paths.
 *
 * Errors are the client's own (HTTP status in `response.statusCode`, or a network/timeout
 * error): the caller translates them.
 *
 * @example
 * const vault = createVaultSession({ address, caPem, roleIdFile, secretIdFile, timeoutMs: 2_000 });
 * const key = await vault.read('transit/keys/gateway-data');
 */
export function createVaultSession({
  address,
  caPem,
  roleIdFile,
  secretIdFile,
  timeoutMs,
  clock = Date.now,
}: VaultConnection): VaultSession {
  const client = nodeVault({
    endpoint: address,
    // node-vault's debug output would print request bodies, plaintext data keys included.
    debug: () => undefined,
    // Explicit: node-vault 0.12 turns certificate checks off when VAULT_SKIP_VERIFY holds any
    // value, "false" included (src/index.js:34,49), unless the agent options say otherwise.
    requestOptions: { timeout: timeoutMs, agentOptions: { ...anssiTlsOptions(), ca: caPem, rejectUnauthorized: true } },
  });
  // node-vault falls back to VAULT_TOKEN, VAULT_NAMESPACE and VAULT_PREFIX for these when they
  // are empty (src/index.js:196-199): the token comes from the AppRole login alone, and every
  // path is the one written here, in the root namespace.
  Object.assign(client, { token: '', namespace: '', pathPrefix: '' });
  const options = { timeout: timeoutMs };
  let token: { renewAt: number; expiresAt: number } | undefined;
  let refreshing: Promise<void> | undefined;
  // AppRole names the role in each login's metadata: the secret-id lookup needs no setting of its own.
  let roleName = '';

  async function login(): Promise<void> {
    const [roleId, secretId] = await Promise.all([readFile(roleIdFile, 'utf8'), readFile(secretIdFile, 'utf8')]);
    const issuedAt = clock();
    // approleLogin stores the client token on the client (node-vault `tokenSource`).
    const answer = (await client.approleLogin({ role_id: roleId.trim(), secret_id: secretId.trim(), ...options })) as VaultResponse;
    token = lifetime(issuedAt, answer.auth?.lease_duration ?? 0);
    roleName = answer.auth?.metadata?.role_name ?? '';
  }

  async function renewOrLogin(): Promise<void> {
    if (!token || clock() >= token.expiresAt) return login();
    try {
      const issuedAt = clock();
      const answer = (await client.tokenRenewSelf(options)) as VaultResponse;
      const lease = answer.auth?.lease_duration ?? 0;
      // A renewal capped by the max TTL is not worth keeping: log in for a full token instead.
      if (lease * 1000 < (token.expiresAt - token.renewAt) * 0.5) return await login();
      token = lifetime(issuedAt, lease);
    } catch {
      await login();
    }
  }

  function lifetime(issuedAt: number, leaseSeconds: number): { renewAt: number; expiresAt: number } {
    const leaseMs = leaseSeconds * 1000;
    // lease 0: a non-expiring token (root, dev mode); never renewed.
    if (leaseMs === 0) return { renewAt: Infinity, expiresAt: Infinity };
    return { renewAt: issuedAt + leaseMs * RENEW_AT_FRACTION, expiresAt: issuedAt + leaseMs };
  }

  function refresh(step: () => Promise<void>): Promise<void> {
    refreshing ??= step()
      .catch((error: unknown) => {
        throw new VaultLoginFailed({ cause: error });
      })
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  }

  async function withToken(call: () => Promise<VaultResponse>): Promise<VaultResponse> {
    if (!token) await refresh(login);
    else if (clock() >= token.renewAt) await refresh(renewOrLogin);
    try {
      return await call();
    } catch (error) {
      if (statusOf(error) !== 403) throw error;
      // Revoked or expired early: one fresh login, one retry; a second 403 is a real denial.
      token = undefined;
      await refresh(login);
      return call();
    }
  }

  async function secretIdExpiry(): Promise<Date | undefined> {
    const secretId = (await readFile(secretIdFile, 'utf8')).trim();
    // the file is read again: after a renewal the new secret id's expiry shows at the next check
    // an unknown secret id answers 204, no body
    const answer = await withToken(async () => ((await client.write(`auth/approle/role/${roleName}/secret-id/lookup`, { secret_id: secretId }, options)) as VaultResponse | undefined) ?? {});
    const expiration = answer.data?.expiration_time;
    if (typeof expiration !== 'string') throw new Error(`Vault no longer knows the secret id of ${secretIdFile} (expired or destroyed)`);
    // no TTL: Go's zero time, 0001-01-01T00:00:00Z
    const at = new Date(expiration);
    return at.getTime() > 0 ? at : undefined;
  }

  return {
    read: (path) => withToken(async () => (await client.read(path, options)) as VaultResponse),
    write: (path, body) => withToken(async () => (await client.write(path, body, options)) as VaultResponse),
    secretIdExpiry,
  };
}

/** Login or renewal failed: whatever its HTTP status, the key manager is unavailable. */
export class VaultLoginFailed extends Error {
  constructor(options: { cause: unknown }) {
    super('Vault AppRole login failed', options);
  }
}

/**
 * The HTTP status of a failed Vault call, or undefined for network errors and timeouts.
 *
 * @example
 * if (statusOf(error) === 400) throw new DecryptionFailed();
 */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('response' in error)) return undefined;
  const { response } = error as { response?: { statusCode?: unknown } };
  return typeof response?.statusCode === 'number' ? response.statusCode : undefined;
}
