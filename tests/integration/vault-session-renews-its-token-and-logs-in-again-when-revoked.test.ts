import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVaultSession, openVaultTransit } from '../../gateway/src/crypto/index.js';
import { KeyManagerUnavailable } from '../../gateway/src/errors.js';
import { appRoleConnection, createGatewayKeys, startVaultTransitDouble, type VaultTransitDouble } from '../support/vault-transit-double.js';

let vault: VaultTransitDouble;
let dir: string;
let blindIndexKeyFile: string;
let clock: number;
const now = () => clock;

beforeAll(async () => {
  vault = await startVaultTransitDouble();
  dir = await mkdtemp(join(tmpdir(), 'vault-session-'));
  blindIndexKeyFile = await createGatewayKeys(vault, dir);
});
afterAll(async () => {
  await vault.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  clock = Date.now();
  vault.authEvents.length = 0;
});

async function gatewayKeys(o: { tokenTtlSeconds?: number } = {}) {
  const connection = await appRoleConnection(vault, dir, 'gateway.hcl', o);
  return { connection, keys: await openVaultTransit({ vault: createVaultSession({ ...connection, clock: now }), blindIndexKeyFile }) };
}

describe('the Vault AppRole session', () => {
  it('logs in once, then renews the token after two thirds of its TTL instead of logging in again', async () => {
    const { keys } = await gatewayKeys({ tokenTtlSeconds: 60 });
    await keys.probe();
    clock += 30_000;
    await keys.probe();
    expect(vault.authEvents).toEqual(['login']);

    clock += 15_000;
    await keys.probe();
    expect(vault.authEvents).toEqual(['login', 'renew-self']);
  });

  it('logs in again when its token was revoked (403), and the call succeeds', async () => {
    const { keys } = await gatewayKeys();
    await keys.probe();
    vault.revokeTokens();

    await expect(keys.probe()).resolves.toBeUndefined();
    expect(vault.authEvents).toEqual(['login', 'login']);
  });

  it('reads the secret id file at each login, so a re-issued secret id is picked up', async () => {
    const { connection, keys } = await gatewayKeys();
    await keys.probe();
    await writeFile(connection.secretIdFile, 'not-the-secret-id');
    vault.revokeTokens();

    await expect(keys.probe()).rejects.toBeInstanceOf(KeyManagerUnavailable);
  });

  it('may rotate but is denied key configuration and raw encryption by the gateway policy', async () => {
    const { keys } = await gatewayKeys();
    await expect(keys.rotate()).resolves.toBe(2);
    await expect(keys.advanceMinDecryptionVersion(1)).rejects.toBeInstanceOf(KeyManagerUnavailable);
    await expect(keys.wrapDataKey(Buffer.alloc(32), 'ctx')).rejects.toBeInstanceOf(KeyManagerUnavailable);
    await expect(keys.generateDataKey('ctx')).resolves.toMatchObject({ wrapped: expect.stringMatching(/^vault:v\d+:/) });
  });
});
