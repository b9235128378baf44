import { createPublicKey, verify } from 'node:crypto';

/**
 * Signs audit checkpoints with Ed25519: a Vault Transit `ed25519` key in production (the key
 * never leaves Vault), a local key file in the embedded default. Signatures and public keys are
 * base64 of the raw bytes (64-byte signature, 32-byte public key), the form Transit uses, so a
 * checkpoint verifies with `verifyCheckpointSignature` whichever backend signed it.
 *
 * @example
 * const { signature, keyVersion } = await signer.sign(Buffer.from(checkpointJson));
 * const ok = verifyCheckpointSignature((await signer.publicKeys())[keyVersion]!, data, signature);
 */
export interface CheckpointSigner {
  sign(data: Buffer): Promise<{ signature: string; keyVersion: number }>;
  /** Every key version that may have signed a checkpoint, as base64 raw 32-byte Ed25519 keys. */
  publicKeys(): Promise<Record<number, string>>;
}

// RFC 8410: the DER prefix of an Ed25519 SubjectPublicKeyInfo, followed by the 32 raw key bytes.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const ED25519_PUBLIC_KEY_BYTES = 32;

/**
 * True when `signature` (base64, raw 64 bytes) is an Ed25519 signature of `data` under
 * `publicKey` (base64, raw 32 bytes). Needs no key manager: auditors verify offline.
 *
 * @example
 * verifyCheckpointSignature(publicKeys[2], Buffer.from(checkpointJson), signature); // true
 */
export function verifyCheckpointSignature(publicKey: string, data: Buffer, signature: string): boolean {
  const raw = Buffer.from(publicKey, 'base64');
  if (raw.length !== ED25519_PUBLIC_KEY_BYTES) return false;
  try {
    const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    return verify(null, data, key, Buffer.from(signature, 'base64'));
  } catch {
    // Not a key or not a signature: a forged checkpoint, not a crash of the verifier.
    return false;
  }
}

/**
 * The raw 32-byte form (base64) of an Ed25519 public key object, as Transit publishes it.
 *
 * @example
 * rawEd25519PublicKey(createPublicKey(pem)); // 'MCowBQ…' without the DER prefix
 */
export function rawEd25519PublicKey(key: ReturnType<typeof createPublicKey>): string {
  const der = key.export({ format: 'der', type: 'spki' });
  return der.subarray(ED25519_SPKI_PREFIX.length).toString('base64');
}
