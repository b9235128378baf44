import { createHmac } from 'node:crypto';

/** Keyed, deterministic indexes of personal values: equal inputs match without decrypting. */
export interface BlindIndex {
  /** Pass the validated, normalised NIR: the HMAC sees exactly this string. */
  nir(nir: string): string;
  /** Of the RFC 8785 canonical JSON of a submission (idempotency "same body"). */
  fingerprint(canonicalJson: string): string;
  externalRef(ref: string): string;
}

// Changing a label changes every index: stored duplicates and idempotency keys stop matching.
const PURPOSES = {
  nir: 'sidep-gateway/blind-index/v1/nir',
  fingerprint: 'sidep-gateway/blind-index/v1/fingerprint',
  externalRef: 'sidep-gateway/blind-index/v1/external-ref',
} as const;

/**
 * HMAC-SHA256 blind indexes, hex. Each purpose has its own subkey, HMAC(key, purpose label), so
 * a NIR's index can never equal a fingerprint or external reference index of the same string.
 *
 * @example
 * const index = createBlindIndex(await keys.blindIndexKey());
 * const nirIndex = index.nir('180017512345649');
 */
export function createBlindIndex(key: Buffer): BlindIndex {
  if (key.length < 32) throw new RangeError('The blind-index key must hold at least 32 bytes.');
  const indexFor = (label: string) => {
    const subkey = createHmac('sha256', key).update(label).digest();
    return (value: string) => createHmac('sha256', subkey).update(value, 'utf8').digest('hex');
  };
  return {
    nir: indexFor(PURPOSES.nir),
    fingerprint: indexFor(PURPOSES.fingerprint),
    externalRef: indexFor(PURPOSES.externalRef),
  };
}
