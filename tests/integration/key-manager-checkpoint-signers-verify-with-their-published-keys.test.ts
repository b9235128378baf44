import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVaultCheckpointSigner, createVaultSession, openLocalCheckpointSigner, verifyCheckpointSignature, type CheckpointSigner } from '../../gateway/src/crypto/index.js';
import { KeyManagerUnavailable } from '../../gateway/src/errors.js';
import { appRoleConnection, createGatewayKeys, startVaultTransitDouble, type VaultTransitDouble } from '../support/vault-transit-double.js';

let vault: VaultTransitDouble;
let dir: string;

beforeAll(async () => {
  vault = await startVaultTransitDouble();
  dir = await mkdtemp(join(tmpdir(), 'signers-'));
  await createGatewayKeys(vault, dir);
});
afterAll(async () => {
  await vault.close();
  await rm(dir, { recursive: true, force: true });
});

const checkpoint = Buffer.from('{"number":1,"root":"ab12","prev":"00"}');

function runSignerContract(name: string, makeSigner: () => Promise<CheckpointSigner>): void {
  describe(`CheckpointSigner: ${name}`, () => {
    it('signs with Ed25519 so that the published key of the signing version verifies it, and nothing else', async () => {
      const signer = await makeSigner();
      const { signature, keyVersion } = await signer.sign(checkpoint);
      const publicKey = (await signer.publicKeys())[keyVersion] as string;

      expect(Buffer.from(signature, 'base64')).toHaveLength(64);
      expect(verifyCheckpointSignature(publicKey, checkpoint, signature)).toBe(true);
      expect(verifyCheckpointSignature(publicKey, Buffer.from(`${checkpoint.toString()} `), signature)).toBe(false);
      expect(verifyCheckpointSignature('c2hvcnQ=', checkpoint, signature)).toBe(false);
    });
  });
}

runSignerContract('local key file', () => openLocalCheckpointSigner(join(dir, 'local', 'audit-signing-key.pem')));
runSignerContract('Vault Transit test double (gateway policy)', async () =>
  createVaultCheckpointSigner({ vault: createVaultSession(await appRoleConnection(vault, dir, 'gateway.hcl')), keyName: 'gateway-audit-checkpoints' }),
);

describe('the local checkpoint signer', () => {
  it('creates its key 0600 on first use and signs with the same key when opened again', async () => {
    const file = join(dir, 'again', 'key.pem');
    const first = await openLocalCheckpointSigner(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const { signature } = await first.sign(checkpoint);
    const second = await openLocalCheckpointSigner(file);
    expect(verifyCheckpointSignature((await second.publicKeys())[1] as string, checkpoint, signature)).toBe(true);
  });

  it('refuses a key file group or others may read', async () => {
    const file = join(dir, 'shared', 'key.pem');
    await openLocalCheckpointSigner(file);
    await chmod(file, 0o640);
    await expect(openLocalCheckpointSigner(file)).rejects.toThrow(/chmod 600/);
  });
});

describe('the Vault checkpoint signer', () => {
  it('keeps verifying old checkpoints after the signing key rotates', async () => {
    const signer = createVaultCheckpointSigner({ vault: createVaultSession(await appRoleConnection(vault, dir, 'gateway.hcl')), keyName: 'gateway-audit-checkpoints' });
    const before = await signer.sign(checkpoint);
    const admin = createVaultSession(await appRoleConnection(vault, dir, 'keys-admin.hcl'));
    await admin.write('transit/keys/gateway-audit-checkpoints/rotate', {});
    const after = await signer.sign(checkpoint);
    const keys = await signer.publicKeys();

    expect(after.keyVersion).toBe(before.keyVersion + 1);
    expect(verifyCheckpointSignature(keys[before.keyVersion] as string, checkpoint, before.signature)).toBe(true);
    expect(verifyCheckpointSignature(keys[after.keyVersion] as string, checkpoint, after.signature)).toBe(true);
  });

  it('fails closed with KeyManagerUnavailable when Vault is sealed', async () => {
    const signer = createVaultCheckpointSigner({ vault: createVaultSession(await appRoleConnection(vault, dir, 'gateway.hcl')), keyName: 'gateway-audit-checkpoints' });
    vault.seal();
    try {
      await expect(signer.sign(checkpoint)).rejects.toBeInstanceOf(KeyManagerUnavailable);
    } finally {
      vault.unseal();
    }
  });
});
