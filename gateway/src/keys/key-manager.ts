import { DecryptionFailed } from '../errors.js';
import type { BlindIndexKey } from '../crypto/index.js';

/**
 * A data key wrapped by a key-encryption key (KEK), in Vault Transit's ciphertext form
 * `<kind>:v<N>:<base64>` (`vault:v3:…`, `local:v1:…`): every stored row records which KEK
 * version wrapped it, so `keys rewrap` can find the rows still under an old version.
 */
export type WrappedKey = string;

/**
 * The key manager: holds the key-encryption keys and the blind-index key. Vault Transit in
 * production, the local keyring in the embedded default; both pass one contract suite
 * (`tests/support/key-manager-contract.ts`).
 *
 * Errors: a backend that cannot answer (unreachable, refused, misconfigured, timed out) throws
 * `KeyManagerUnavailable` with the cause; a wrapped key that fails authentication, is malformed
 * or names an unknown version throws `DecryptionFailed`. Implementations bound every call with
 * their own timeout: the availability guard (`guard.ts`) skips a probe while the previous one is pending.
 *
 * `context` is authenticated with the wrapped key (AAD locally, a derived-key context in
 * Transit): a wrapped key only unwraps with the context it was wrapped under.
 *
 * @example
 * const { plaintext, wrapped } = await keys.generateDataKey('sidep-gateway/data-key/v1/<id>');
 * const same = await keys.unwrapDataKey(wrapped, 'sidep-gateway/data-key/v1/<id>');
 */
export interface KeyManager {
  readonly kind: 'local' | 'vault';
  wrapDataKey(plaintext: Buffer, context: string): Promise<WrappedKey>;
  unwrapDataKey(wrapped: WrappedKey, context: string): Promise<Buffer>;
  /** A fresh random 32-byte data key, and the same wrapped under the current KEK version. */
  generateDataKey(context: string): Promise<{ plaintext: Buffer; wrapped: WrappedKey }>;
  /** The same data key wrapped under the current KEK version (Transit `rewrap`). */
  rewrapDataKey(wrapped: WrappedKey, context: string): Promise<WrappedKey>;
  /** Many at once (Transit batch `rewrap`), in order; any key that does not open: `DecryptionFailed`. */
  rewrapDataKeys(items: { wrapped: WrappedKey; context: string }[]): Promise<WrappedKey[]>;
  /** Adds a KEK version, which becomes current; returns its number. Old versions still unwrap. */
  rotate(): Promise<number>;
  /**
   * Crypto-shredding: KEK versions below `version` no longer unwrap (Transit
   * `min_decryption_version`; the local keyring deletes them). Rewrap first. `RangeError`
   * outside 1…current.
   */
  advanceMinDecryptionVersion(version: number): Promise<void>;
  /**
   * Every version of the HMAC key of the blind indexes (at least one), with when each was added,
   * read again at each call so a rotation by another process is seen (running gateways call it
   * every 2 s: `createLiveBlindIndex`). Not changed by `rotate`.
   */
  blindIndexKeys(): Promise<BlindIndexKey[]>;
  /** Adds a blind-index key version; running gateways index under it once adopted (`live-blind-index.ts`). Returns its number. */
  rotateBlindIndexKey(): Promise<number>;
  /**
   * Forgets the blind-index key versions below `version` (after `keys reindex` moved every
   * index off them). `RangeError` outside 1…newest.
   */
  retireBlindIndexKeys(version: number): Promise<void>;
  /** Resolves when the backend can serve requests now. */
  probe(): Promise<void>;
  keyVersions(): Promise<{ current: number; minDecryption: number }>;
}

const WRAPPED_KEY_FORM = /^(local|vault):v([1-9][0-9]{0,8}):([A-Za-z0-9+/]+={0,2})$/;

/**
 * Splits a wrapped key into backend kind, KEK version and payload; a malformed one is
 * `DecryptionFailed`, like any other wrapped key that cannot be opened.
 *
 * @example
 * parseWrappedKey('local:v2:AAAA'); // { kind: 'local', version: 2, payload: <Buffer 00 00 00> }
 */
export function parseWrappedKey(wrapped: WrappedKey): {
  kind: KeyManager['kind'];
  version: number;
  payload: Buffer;
} {
  const match = WRAPPED_KEY_FORM.exec(wrapped);
  if (!match?.[3]) throw new DecryptionFailed();
  return {
    kind: match[1] === 'vault' ? 'vault' : 'local',
    version: Number(match[2]),
    payload: Buffer.from(match[3], 'base64'),
  };
}

/**
 * Refuses a minimum decryption version outside 1…current (Vault refuses it too).
 *
 * @example
 * assertVersionInRange(3, 3); // ok
 */
export function assertVersionInRange(version: number, current: number): void {
  if (!Number.isSafeInteger(version) || version < 1 || version > current) {
    throw new RangeError(`The minimum decryption version must be between 1 and the current version ${current}.`);
  }
}
