import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVaultSession, openVaultTransit, verifyCheckpointSignature, type KeyManager } from '../../gateway/src/crypto/index.js';
import { DecryptionFailed } from '../../gateway/src/errors.js';
import { appRoleConnection, createGatewayKeys, startVaultTransitDouble, type VaultTransitDouble } from '../support/vault-transit-double.js';

let vault: VaultTransitDouble;
let dir: string;
let keys: KeyManager;

beforeAll(async () => {
  vault = await startVaultTransitDouble();
  dir = await mkdtemp(join(tmpdir(), 'vault-fuzz-'));
  const blindIndexKeyFile = await createGatewayKeys(vault, dir);
  keys = await openVaultTransit({ vault: createVaultSession(await appRoleConnection(vault, dir, 'gateway.hcl')), blindIndexKeyFile });
});
afterAll(async () => {
  await vault.close();
  await rm(dir, { recursive: true, force: true });
});

const refused = async (wrapped: string) => {
  const outcome = await keys.unwrapDataKey(wrapped, 'sidep-gateway/data-key/v1/fuzz').then(
    () => 'opened',
    (error: unknown) => (error instanceof DecryptionFailed ? 'refused' : error),
  );
  expect(outcome).toBe('refused');
};

describe('the Vault key manager, given wrapped keys from a tampered database', () => {
  it('refuses any string with DecryptionFailed', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 200 }), refused), { numRuns: 100 });
  });

  it('refuses any well-formed vault:vN: text it did not wrap (forged payloads, other versions)', async () => {
    const forged = fc
      .tuple(fc.integer({ min: 1, max: 1_000 }), fc.uint8Array({ minLength: 1, maxLength: 120 }))
      .map(([version, payload]) => `vault:v${version}:${Buffer.from(payload).toString('base64')}`);
    await fc.assert(fc.asyncProperty(forged, refused), { numRuns: 100 });
  });

  it('refuses a genuine wrapped key moved to another row (other context), and local-keyring text', async () => {
    const { wrapped } = await keys.generateDataKey('sidep-gateway/data-key/v1/row-a');
    await refused(wrapped);
    await refused(wrapped.replace(/^vault:/, 'local:'));
  });
});

describe('checkpoint signature verification', () => {
  it('answers false, never throws, for any key and signature text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64'))), fc.string(), fc.uint8Array(), (publicKey, signature, data) => {
        expect(verifyCheckpointSignature(publicKey, Buffer.from(data), signature)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
