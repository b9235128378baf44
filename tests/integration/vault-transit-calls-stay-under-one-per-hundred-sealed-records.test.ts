import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataKeyProvider, createKeyManagerGuard, createVaultSession, openDocument, openVaultTransit, sealDocument } from '../../gateway/src/crypto/index.js';
import { inMemoryDataKeyStore } from '../unit/crypto-doubles.js';
import { appRoleConnection, createGatewayKeys, startVaultTransitDouble, type VaultTransitDouble } from '../support/vault-transit-double.js';

let vault: VaultTransitDouble;
let dir: string;

beforeAll(async () => {
  vault = await startVaultTransitDouble();
  dir = await mkdtemp(join(tmpdir(), 'vault-calls-'));
});
afterAll(async () => {
  await vault.close();
  await rm(dir, { recursive: true, force: true });
});

const RECORDS = 2_000;
const PHARMACIES = 100;

describe('data keys per window and shard', () => {
  it(`seal and open ${RECORDS} records with at most one Transit call per hundred (datakey and decrypt, counted by the double)`, async () => {
    const blindIndexKeyFile = await createGatewayKeys(vault, dir);
    const keys = await openVaultTransit({ vault: createVaultSession(await appRoleConnection(vault, dir, 'gateway.hcl')), blindIndexKeyFile });
    const guard = createKeyManagerGuard({ keys });
    await guard.start();
    // A fixed clock: a run crossing an hour boundary would legitimately open a second window.
    const now = Date.now();
    const dataKeys = createDataKeyProvider({ keys, store: inMemoryDataKeyStore(), guard, clock: () => now });
    const pharmacies = Array.from({ length: PHARMACIES }, () => randomUUID());
    vault.resetCalls();

    for (let i = 0; i < RECORDS; i += 1) {
      const binding = { resultId: randomUUID(), pharmacyId: pharmacies[i % PHARMACIES] as string };
      const { keyId, key } = await dataKeys.forSealing(binding.pharmacyId);
      const sealed = sealDocument({ n: i }, { ...binding, keyId }, key);
      expect(openDocument(sealed, { ...binding, keyId }, await dataKeys.forOpening(keyId))).toEqual({ n: i });
    }
    guard.stop();

    const transitCalls = vault.calls('transit/datakey/') + vault.calls('transit/decrypt/');
    process.stdout.write(`Vault Transit calls for ${RECORDS} records: ${transitCalls} (${(transitCalls / RECORDS).toFixed(4)} per record)\n`);
    expect(transitCalls).toBeGreaterThan(0);
    expect(transitCalls / RECORDS).toBeLessThanOrEqual(0.01);
    expect(dataKeys.keyManagerCalls()).toBe(transitCalls);
  });
});
