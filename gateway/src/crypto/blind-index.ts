import { createHmac } from 'node:crypto';

/** The index functions of one blind-index key version. */
export interface BlindIndexFunctions {
  /**
   * The NIR's index at one pharmacy (`nir_index_scheme` 'pharmacy'): the same person has unrelated
   * indexes at two pharmacies, so a dump does not link their tests across the chain. Pass the
   * pharmacy's id (a UUID) and the validated, normalised NIR: the HMAC sees exactly these.
   */
  nir(pharmacyId: string, nir: string): string;
  /**
   * The NIR's chain-wide index, written before per-pharmacy indexes (`nir_index_scheme` 'chain'):
   * only matched, never written, until `keys reindex` has converted every such row.
   */
  chainNir(nir: string): string;
  /** Of the RFC 8785 canonical JSON of a submission (idempotency "same body"). */
  fingerprint(canonicalJson: string): string;
  externalRef(ref: string): string;
  /**
   * Of the message bytes delivered to SI-DEP (a receipt's `deliveredDigest`): keyed, so that it
   * cannot be used to test guesses of the personal values the message holds.
   */
  deliveredContent(message: string): string;
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
  pharmacyNir: 'sidep-gateway/blind-index/v2/pharmacy-nir',
  chainNir: 'sidep-gateway/blind-index/v1/nir',
  fingerprint: 'sidep-gateway/blind-index/v1/fingerprint',
  externalRef: 'sidep-gateway/blind-index/v1/external-ref',
  deliveredContent: 'sidep-gateway/blind-index/v1/delivered-content',
} as const;

/**
 * HMAC-SHA256 blind indexes, hex. Each purpose has its own subkey, HMAC(key, purpose label), so
 * a NIR's index can never equal a fingerprint or external reference index of the same string.
 * The per-pharmacy NIR index hashes `<pharmacy UUID>:<NIR>`: a UUID has a fixed length and no
 * colon, so no other (pharmacy, NIR) pair gives the same input.
 * A single buffer is key version 1 (keyrings from before versioned blind-index keys).
 *
 * @example
 * const index = createBlindIndex(await keys.blindIndexKeys());
 * const nirIndex = index.nir(pharmacyId, '180017512345649');
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
  const pharmacyNir = indexFor(PURPOSES.pharmacyNir);
  return {
    nir: (pharmacyId, nir) => pharmacyNir(`${canonicalUuid(pharmacyId)}:${nir}`),
    chainNir: indexFor(PURPOSES.chainNir),
    fingerprint: indexFor(PURPOSES.fingerprint),
    externalRef: indexFor(PURPOSES.externalRef),
    deliveredContent: indexFor(PURPOSES.deliveredContent),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Lower case, as Postgres prints a uuid: the index must not depend on how the id was spelt. */
function canonicalUuid(id: string): string {
  const lower = id.toLowerCase();
  if (!UUID.test(lower)) throw new RangeError('A per-pharmacy blind index needs the pharmacy id as a UUID.');
  return lower;
}
