import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptionFailed } from '../errors.js';

/** AES-256: data keys and key-encryption keys are 32 bytes. */
export const AES_KEY_BYTES = 32;

// 96-bit random nonces: NIST SP 800-38D §8.3 allows 2^32 messages per key; a data key lives
// one window (1 h × 1 shard ≈ 2M seals at 8k/s), far below.
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts with AES-256-GCM under a fresh random nonce; returns `nonce ‖ ciphertext ‖ tag`.
 *
 * @example
 * const sealed = aesGcmSeal(key, Buffer.from('{"a":1}'), Buffer.from('binding'));
 */
export function aesGcmSeal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  return Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/**
 * Reverses {@link aesGcmSeal}. Any failure (wrong key, wrong AAD, tampering, truncation) is the
 * one fixed `DecryptionFailed`, so callers cannot tell the causes apart.
 *
 * @example
 * const plaintext = aesGcmOpen(key, sealed, Buffer.from('binding'));
 */
export function aesGcmOpen(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new DecryptionFailed();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const body = sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new DecryptionFailed();
  }
}
