import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalCheckpointSigner, verifyCheckpointSignature, type CheckpointSigner } from '../../gateway/src/keys/index.js';
import { createVaultCheckpointSigner, createVaultSession } from '../../gateway/src/vault/index.js';
import { KeyManagerUnavailable } from '../../gateway/src/errors.js';
import { OPENBAO_SKIP_REASON, openBaoBinary, startGatewayOpenBao, type GatewayOpenBao } from '../support/openbao.js';

/**
 * Audit checkpoints are signed with Ed25519 and verified with the published key of the signing
 * version: by a local key file, and by Transit on a real OpenBao set up by deploy/vault/init.sh,
 * signing with the gateway's AppRole (gateway.hcl) and rotated by keys-admin (keys-admin.hcl).
 */
const hasOpenBao = openBaoBinary() !== undefined;
let bao: GatewayOpenBao | undefined;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'signers-'));
  if (!hasOpenBao) return;
  bao = await startGatewayOpenBao();
  await bao.issueSecretId('gateway-keys-admin');
}, 60_000);
afterAll(async () => {
  await bao?.stop();
  await rm(dir, { recursive: true, force: true });
});

const vaultSigner = () => createVaultCheckpointSigner({ vault: createVaultSession(bao!.connection('gateway')), keyName: 'gateway-audit-checkpoints' });
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
if (hasOpenBao) runSignerContract('Transit on a real OpenBao (gateway policy)', async () => vaultSigner());

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

describe.skipIf(!hasOpenBao)('the Vault checkpoint signer on a real OpenBao', () => {
  it('keeps verifying old checkpoints after keys-admin rotates the signing key', async () => {
    const signer = vaultSigner();
    const before = await signer.sign(checkpoint);
    const admin = createVaultSession(bao!.connection('gateway-keys-admin'));
    await admin.write('transit/keys/gateway-audit-checkpoints/rotate', {});
    const after = await signer.sign(checkpoint);
    const keys = await signer.publicKeys();

    expect(after.keyVersion).toBe(before.keyVersion + 1);
    expect(verifyCheckpointSignature(keys[before.keyVersion] as string, checkpoint, before.signature)).toBe(true);
    expect(verifyCheckpointSignature(keys[after.keyVersion] as string, checkpoint, after.signature)).toBe(true);
    expect(verifyCheckpointSignature(keys[after.keyVersion] as string, checkpoint, before.signature)).toBe(false);
  });

  it('fails closed with KeyManagerUnavailable when OpenBao is sealed, and signs again once unsealed', async () => {
    const signer = vaultSigner();
    await bao!.seal();
    try {
      await expect(signer.sign(checkpoint)).rejects.toBeInstanceOf(KeyManagerUnavailable);
      await expect(signer.publicKeys()).rejects.toBeInstanceOf(KeyManagerUnavailable);
    } finally {
      await bao!.unseal();
    }
    await expect(signer.sign(checkpoint)).resolves.toMatchObject({ keyVersion: expect.any(Number) });
  });
});

if (!hasOpenBao) {
  describe('CheckpointSigner: Transit on a real OpenBao', () => {
    it.skip(OPENBAO_SKIP_REASON, () => undefined);
  });
}
