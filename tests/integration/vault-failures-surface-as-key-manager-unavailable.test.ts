import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCircuitBreaker, createVaultSession, openVaultTransit, type KeyManager } from '../../gateway/src/crypto/index.js';
import { statusOf } from '../../gateway/src/crypto/vault-auth.js';
import { DecryptionFailed, KeyManagerUnavailable } from '../../gateway/src/errors.js';
import { createDevCa } from '../../gateway/src/pki/index.js';
import { appRoleConnection, createGatewayKeys, startVaultTransitDouble, type VaultTransitDouble } from '../support/vault-transit-double.js';

let vault: VaultTransitDouble;
let dir: string;
let keys: KeyManager;
let clock = Date.now();

beforeAll(async () => {
  vault = await startVaultTransitDouble();
  dir = await mkdtemp(join(tmpdir(), 'vault-failures-'));
  const blindIndexKeyFile = await createGatewayKeys(vault, dir);
  const connection = await appRoleConnection(vault, dir, 'gateway.hcl', { timeoutMs: 300 });
  keys = await openVaultTransit({
    vault: createVaultSession(connection),
    blindIndexKeyFile,
    breaker: createCircuitBreaker({ isFailure: (e) => statusOf(e) !== 400, clock: () => clock }),
  });
});
afterAll(async () => {
  await vault.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  vault.unseal();
  vault.deny(false);
  vault.slowDown(0);
  clock += 10_000; // past any open circuit
  await keys.probe();
});

describe('Vault Transit failures', () => {
  it.each([
    ['sealed', () => vault.seal()],
    ['denying every request (403)', () => vault.deny(true)],
    ['slower than the per-call timeout', () => vault.slowDown(1_000)],
  ])('when %s, every call is KeyManagerUnavailable', async (_name, breakIt) => {
    const { wrapped } = await keys.generateDataKey('ctx');
    breakIt();
    await expect(keys.probe()).rejects.toBeInstanceOf(KeyManagerUnavailable);
    clock += 10_000;
    await expect(keys.generateDataKey('ctx')).rejects.toBeInstanceOf(KeyManagerUnavailable);
    clock += 10_000;
    await expect(keys.unwrapDataKey(wrapped, 'ctx')).rejects.toBeInstanceOf(KeyManagerUnavailable);
  });

  it('when unreachable, every call is KeyManagerUnavailable', async () => {
    await vault.stop();
    try {
      await expect(keys.probe()).rejects.toBeInstanceOf(KeyManagerUnavailable);
    } finally {
      await vault.start();
    }
  });

  it('trusts only the pinned CA: a Vault whose certificate another CA signed is unavailable', async () => {
    const otherCa = await createDevCa();
    const connection = await appRoleConnection(vault, dir, 'gateway.hcl');
    const pinnedElsewhere = createVaultSession({ ...connection, caPem: otherCa.certPem });
    await expect(pinnedElsewhere.read('transit/keys/gateway-data')).rejects.toMatchObject({ cause: { code: expect.stringMatching(/CERT|SIGNATURE|UNABLE_TO_VERIFY/) } });
    await expect(
      openVaultTransit({ vault: pinnedElsewhere, blindIndexKeyFile: join(dir, 'blind-index-key.wrapped') }),
    ).rejects.toBeInstanceOf(KeyManagerUnavailable);
  });

  it('a ciphertext Transit refuses (400) is DecryptionFailed, and does not open the circuit', async () => {
    const { wrapped } = await keys.generateDataKey('ctx');
    for (let i = 0; i < 5; i += 1) await expect(keys.unwrapDataKey(wrapped, 'other')).rejects.toBeInstanceOf(DecryptionFailed);
    await expect(keys.probe()).resolves.toBeUndefined();
  });

  it('after three failures the circuit opens: no request reaches Vault until the trial', async () => {
    vault.seal();
    for (let i = 0; i < 3; i += 1) await expect(keys.probe()).rejects.toBeInstanceOf(KeyManagerUnavailable);
    vault.resetCalls();

    for (let i = 0; i < 20; i += 1) await expect(keys.probe()).rejects.toBeInstanceOf(KeyManagerUnavailable);
    expect(vault.calls()).toBe(0);

    vault.unseal();
    clock += 1_000;
    await expect(keys.probe()).resolves.toBeUndefined();
    expect(vault.calls()).toBe(1);
  });
});
