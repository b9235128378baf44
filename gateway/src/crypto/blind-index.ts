import { createHmac } from 'node:crypto';

/** The index functions of one blind-index key version. */
export interface BlindIndexFunctions {
  /** Pass the validated, normalised NIR: the HMAC sees exactly this string. */
  nir(nir: string): string;
  /** Of the RFC 8785 canonical JSON of a submission (idempotency "same body"). */
  fingerprint(canonicalJson: string): string;
  externalRef(ref: string): string;
}

/** One version of the blind-index key: `keys rotate-blind-index` adds the next. */
export interface BlindIndexKey {
  version: number;
  key: Buffer;
  /**
   * When the version was added (keyring entry, or the Vault-wrapped file's modification time);
   * absent for keys from before versioned keys. Replicas index under it only from
   * `BLIND_INDEX_ADOPT_AFTER_MS` later, once every serving replica holds it (`keys/live-blind-index.ts`).
   */
  createdAt?: Date;
}

/**
 * Keyed, deterministic indexes of personal values: equal inputs match without decrypting. New
 * indexes are written under the newest key version; lookups match under every version held,
 * so rows indexed before a rotation still match until `keys reindex` has moved them.
 */
export interface BlindIndex extends BlindIndexFunctions {
  /** The key version new indexes are written under (`blind_index_version` columns). */
  readonly version: number;
  /** Every key version held, newest first. */
  readonly versions: readonly ({ version: number } & BlindIndexFunctions)[];
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
 * A single buffer is key version 1 (keyrings from before versioned blind-index keys).
 *
 * @example
 * const index = createBlindIndex(await keys.blindIndexKeys());
 * const nirIndex = index.nir('180017512345649');
 */
export function createBlindIndex(keys: Buffer | readonly BlindIndexKey[]): BlindIndex {
  const held = Buffer.isBuffer(keys) ? [{ version: 1, key: keys }] : [...keys].sort((a, b) => b.version - a.version);
  const versions = held.map(({ version, key }) => ({ version, ...indexFunctions(key) }));
  const [current] = versions;
  if (!current) throw new RangeError('No blind-index key is held.');
  return { ...current, versions };
}

function indexFunctions(key: Buffer): BlindIndexFunctions {
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
