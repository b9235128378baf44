import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { rawEd25519PublicKey, type CheckpointSigner } from './checkpoint-signer.js';

// Group or other permission bits: a signing key anyone else can read lets them forge checkpoints.
const SHARED_PERMISSION_BITS = 0o077;
// The local signer has one key for its whole life: rotating it is a Vault-side operation.
const LOCAL_KEY_VERSION = 1;

/**
 * The embedded default checkpoint signer: an Ed25519 private key in a PKCS#8 PEM file, created
 * with mode 0600 on first use (concurrent first starts keep the first file) and refused when
 * group or others may read it.
 *
 * @example
 * const signer = await openLocalCheckpointSigner('.data/audit-signing-key.pem');
 * const { signature, keyVersion } = await signer.sign(Buffer.from('checkpoint'));
 */
export async function openLocalCheckpointSigner(file: string): Promise<CheckpointSigner> {
  const privateKey = await loadOrCreateKey(file);
  const publicKey = rawEd25519PublicKey(createPublicKey(privateKey));
  return {
    async sign(data) {
      return { signature: sign(null, data, privateKey).toString('base64'), keyVersion: LOCAL_KEY_VERSION };
    },
    async publicKeys() {
      return { [LOCAL_KEY_VERSION]: publicKey };
    },
  };
}

async function loadOrCreateKey(file: string): Promise<KeyObject> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  try {
    // 'wx' with mode 0600: created private, and never over an existing key.
    const handle = await open(file, 'wx', 0o600);
    try {
      await handle.writeFile(privateKey.export({ format: 'pem', type: 'pkcs8' }));
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  }
  return readPrivateKey(file);
}

async function readPrivateKey(file: string): Promise<KeyObject> {
  const handle = await open(file, 'r');
  try {
    const stats = await handle.stat();
    if ((stats.mode & SHARED_PERMISSION_BITS) !== 0) {
      throw new Error(`signing key ${file} must not be accessible by group or others (chmod 600)`);
    }
    const key = createPrivateKey(await handle.readFile('utf8'));
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`signing key ${file} is not an Ed25519 key`);
    return key;
  } finally {
    await handle.close();
  }
}
