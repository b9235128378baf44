import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVaultSession, openVaultTransit, type VaultConnection } from '../../gateway/src/vault/index.js';
import { KeyManagerUnavailable } from '../../gateway/src/errors.js';
import { OPENBAO_SKIP_REASON, openBaoBinary, startGatewayOpenBao, type GatewayOpenBao } from '../support/openbao.js';

/**
 * The AppRole session against a real OpenBao set up by deploy/vault/init.sh, as the gateway
 * (gateway.hcl, tokens of 1 h): what reached the server — logins, renewals — is read from its
 * audit device. Time for renewal is a clock the test moves; revocation is the server's own.
 */
const TOKEN_TTL_MS = 3_600_000; // init.sh: token_ttl=1h for the gateway role
let bao: GatewayOpenBao;
let dir: string;
let clock: number;
let audited: number;
const now = () => clock;

/** The token requests the server saw since the test began. */
async function authEvents(): Promise<string[]> {
  const paths = (await bao.auditedPaths()).slice(audited);
  return paths.filter((p) => p === 'auth/approle/login' || p.startsWith('auth/token/'));
}

/** Every token issued by an AppRole login, revoked as an operator would (sys/leases/revoke-prefix). */
async function revokeAppRoleTokens(): Promise<void> {
  expect((await bao.server.api('PUT', '/v1/sys/leases/revoke-prefix/auth/approle/login')).status).toBe(204);
}

async function gatewayKeys(connection: VaultConnection = bao.connection('gateway')) {
  return openVaultTransit({ vault: createVaultSession({ ...connection, clock: now }), blindIndexKeyFile: join(bao.gatewayDir, 'blind-index-key.wrapped') });
}

if (openBaoBinary()) {
  beforeAll(async () => {
    bao = await startGatewayOpenBao();
    dir = await mkdtemp(join(tmpdir(), 'vault-session-'));
  }, 60_000);
  afterAll(async () => {
    await bao?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    clock = Date.now();
    audited = (await bao.auditedPaths()).length;
  });

  describe('the Vault AppRole session on a real OpenBao', () => {
    it('logs in once, then renews the token after two thirds of its TTL instead of logging in again', async () => {
      const keys = await gatewayKeys();
      await keys.probe();
      clock += TOKEN_TTL_MS / 2;
      await keys.probe();
      expect(await authEvents()).toEqual(['auth/approle/login']);

      clock += TOKEN_TTL_MS / 4;
      await keys.probe();
      expect(await authEvents()).toEqual(['auth/approle/login', 'auth/token/renew-self']);
    });

    it('logs in again when its token was revoked (403), and the call succeeds', async () => {
      const keys = await gatewayKeys();
      await keys.probe();
      await revokeAppRoleTokens();

      await expect(keys.probe()).resolves.toBeUndefined();
      expect(await authEvents()).toEqual(['auth/approle/login', 'auth/approle/login']);
    });

    it('reads the secret id file at each login, so a changed secret id is what the next login uses', async () => {
      // a copy of the gateway's files: the others keep working
      const connection = { ...bao.connection('gateway'), roleIdFile: join(dir, 'role-id'), secretIdFile: join(dir, 'secret-id') };
      await copyFile(bao.connection('gateway').roleIdFile, connection.roleIdFile);
      await copyFile(bao.connection('gateway').secretIdFile, connection.secretIdFile);
      const keys = await gatewayKeys(connection);
      await keys.probe();
      await writeFile(connection.secretIdFile, 'not-the-secret-id');
      await revokeAppRoleTokens();

      await expect(keys.probe()).rejects.toBeInstanceOf(KeyManagerUnavailable);
      expect(await authEvents()).toEqual(['auth/approle/login', 'auth/approle/login']);
    });

    it('may rotate but is denied key configuration and raw encryption by the gateway policy', async () => {
      const keys = await gatewayKeys();
      const { current } = await keys.keyVersions();
      await expect(keys.rotate()).resolves.toBe(current + 1);
      await expect(keys.advanceMinDecryptionVersion(current + 1)).rejects.toBeInstanceOf(KeyManagerUnavailable);
      await expect(keys.wrapDataKey(Buffer.alloc(32), 'ctx')).rejects.toBeInstanceOf(KeyManagerUnavailable);
      await expect(keys.generateDataKey('ctx')).resolves.toMatchObject({ wrapped: expect.stringMatching(/^vault:v\d+:/) });
    });
  });
} else {
  describe('the Vault AppRole session on a real OpenBao', () => {
    it.skip(OPENBAO_SKIP_REASON, () => undefined);
  });
}
