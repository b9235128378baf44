import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { appendFile, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { rawEd25519PublicKey, type CheckpointSigner } from './checkpoint-signer.js';

// Group or other permission bits: a signing key anyone else can read lets them forge checkpoints.
const SHARED_PERMISSION_BITS = 0o077;
const PEM_BLOCK = /-----BEGIN PRIVATE KEY-----[^-]+-----END PRIVATE KEY-----/g;

/**
 * The embedded default signer (audit checkpoints, delivery receipts): Ed25519 private keys in a
 * PKCS#8 PEM file, created with mode 0600 on first use (concurrent first starts keep the first
 * file) and refused when group or others may read it. Each PEM block is a key version, the
 * first version 1; the last signs, and the earlier ones stay so that their signatures still
 * verify (`rotateLocalSigningKey`).
 *
 * @example
 * const signer = await openLocalCheckpointSigner('.data/audit-signing-key.pem');
 * const { signature, keyVersion } = await signer.sign(Buffer.from('checkpoint'));
 */
export async function openLocalCheckpointSigner(file: string): Promise<CheckpointSigner> {
  await loadOrCreateKeys(file);
  // read at each call, as Transit answers: a rotation by another process is seen without a restart
  return {
    async sign(data) {
      const versions = await readPrivateKeys(file);
      return { signature: sign(null, data, versions[versions.length - 1] as KeyObject).toString('base64'), keyVersion: versions.length };
    },
    async publicKeys() {
      const versions = await readPrivateKeys(file);
      return Object.fromEntries(versions.map((key, i) => [i + 1, rawEd25519PublicKey(createPublicKey(key))]));
    },
  };
}

/**
 * Adds a key version to a local signer's file, which signs from the next start; the earlier
 * versions stay, so what they signed still verifies. Returns the new version.
 *
 * @example
 * await rotateLocalSigningKey('.data/receipt-signing-key.pem'); // 2
 */
export async function rotateLocalSigningKey(file: string): Promise<number> {
  const held = (await loadOrCreateKeys(file)).length;
  const { privateKey } = generateKeyPairSync('ed25519');
  await appendFile(file, privateKey.export({ format: 'pem', type: 'pkcs8' }));
  return held + 1;
}

async function loadOrCreateKeys(file: string): Promise<KeyObject[]> {
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
  return readPrivateKeys(file);
}

async function readPrivateKeys(file: string): Promise<KeyObject[]> {
  const handle = await open(file, 'r');
  try {
    const stats = await handle.stat();
    if ((stats.mode & SHARED_PERMISSION_BITS) !== 0) {
      throw new Error(`signing key ${file} must not be accessible by group or others (chmod 600)`);
    }
    const keys = ((await handle.readFile('utf8')).match(PEM_BLOCK) ?? []).map((pem) => createPrivateKey(pem));
    if (keys.length === 0 || keys.some((key) => key.asymmetricKeyType !== 'ed25519')) throw new Error(`signing key ${file} is not an Ed25519 key`);
    return keys;
  } finally {
    await handle.close();
  }
}
