import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createVaultSession, openVaultTransit } from '../../gateway/src/crypto/index.js';
import { runKeyManagerContract } from '../support/key-manager-contract.js';
import { appRoleConnection, createGatewayKeys, startVaultTransitDouble, type VaultTransitDouble } from '../support/vault-transit-double.js';

let vault: VaultTransitDouble;
let dir: string;

beforeAll(async () => {
  vault = await startVaultTransitDouble();
  dir = await mkdtemp(join(tmpdir(), 'vault-contract-'));
  await createGatewayKeys(vault, dir);
});
afterAll(async () => {
  await vault.close();
  await rm(dir, { recursive: true, force: true });
});

// The keys-admin role: the contract rotates and advances min_decryption_version.
runKeyManagerContract('Vault Transit test double', async () =>
  openVaultTransit({
    vault: createVaultSession(await appRoleConnection(vault, dir, 'keys-admin.hcl')),
    blindIndexKeyFile: join(dir, 'blind-index-key.wrapped'),
    createBlindIndexKey: true,
  }),
);
