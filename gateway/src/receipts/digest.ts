import type { BlindIndex } from '../crypto/index.js';

/**
 * The keyed digest of the message a delivery sends, as a receipt states it: HMAC-SHA256 under
 * the blind-index key (its own purpose subkey) of the bytes the FHIR client sends
 * (`JSON.stringify` of the bundle), prefixed with the key version (`v2:<hex>`) so that it can be
 * recomputed while that version is held. Keyed, so it cannot test guesses of personal values.
 *
 * @example
 * deliveredDigest(live.blindIndex, bundle); // 'v1:3f0c…'
 */
export function deliveredDigest(index: BlindIndex, bundle: unknown): string {
  return `v${index.version}:${index.deliveredContent(JSON.stringify(bundle))}`;
}
