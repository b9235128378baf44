import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createVaultSession, openVaultTransit } from '../../gateway/src/crypto/index.js';
import { runKeyManagerContract } from '../support/key-manager-contract.js';

/**
 * The same contract against a real Vault, when an operator provides one (README, "Testing
 * against a real Vault"): VAULT_ADDR, VAULT_CACERT, and the keys-admin AppRole files written by
 * deploy/vault/init.sh. Skipped otherwise: Vault cannot be installed on the CI machines.
 */
const { VAULT_ADDR, VAULT_CACERT, VAULT_ROLE_ID_FILE, VAULT_SECRET_ID_FILE } = process.env;

if (VAULT_ADDR && VAULT_CACERT && VAULT_ROLE_ID_FILE && VAULT_SECRET_ID_FILE) {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'real-vault-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  runKeyManagerContract(`real Vault at ${VAULT_ADDR}`, () =>
    openVaultTransit({
      vault: createVaultSession({
        address: VAULT_ADDR,
        caPem: readFileSync(VAULT_CACERT, 'utf8'),
        roleIdFile: VAULT_ROLE_ID_FILE,
        secretIdFile: VAULT_SECRET_ID_FILE,
        timeoutMs: 5_000,
      }),
      // A test key of its own, so the contract's rotations never touch the gateway's keys.
      dataKeyName: process.env.VAULT_TEST_DATA_KEY ?? 'gateway-contract-test',
      blindIndexKeyFile: join(dir, 'blind-index-key.wrapped'),
      createBlindIndexKey: true,
    }),
  );
} else {
  describe('KeyManager contract: real Vault', () => {
    it.skip('needs VAULT_ADDR, VAULT_CACERT, VAULT_ROLE_ID_FILE and VAULT_SECRET_ID_FILE (see README)', () => undefined);
  });
}
