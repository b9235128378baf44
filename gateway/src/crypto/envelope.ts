import { DecryptionFailed } from '../errors.js';
import { aesGcmOpen, aesGcmSeal } from './aes-gcm.js';

/** Where a sealed document belongs: it opens only with this exact binding. */
export interface EnvelopeBinding {
  resultId: string;
  pharmacyId: string;
  /** The id of the data key it is sealed under (`data_keys.id`). */
  keyId: string;
}

// Layout: version ‖ nonce (12) ‖ ciphertext ‖ tag (16). The version byte names the layout and
// the AAD encoding, so a later format can coexist with stored v1 documents.
const ENVELOPE_V1 = 0x01;

/**
 * Seals a JSON document (the personal and health fields of one result) with AES-256-GCM under
 * a data key. The binding is authenticated: a ciphertext copied to another result, pharmacy or
 * key id does not open.
 *
 * @example
 * const { keyId, key } = await dataKeys.forSealing(pharmacyId);
 * const sealed = sealDocument(personalFields, { resultId, pharmacyId, keyId }, key);
 */
export function sealDocument(doc: unknown, binding: EnvelopeBinding, dataKey: Buffer): Buffer {
  const json = JSON.stringify(doc);
  if (json === undefined) throw new TypeError('The document is not JSON-serialisable.');
  const sealed = aesGcmSeal(dataKey, Buffer.from(json, 'utf8'), bindingAad(binding));
  return Buffer.concat([Buffer.of(ENVELOPE_V1), sealed]);
}

/**
 * Opens what {@link sealDocument} sealed. Any failure (other binding, other key, a changed
 * byte, unknown version) throws the one fixed `DecryptionFailed`.
 *
 * @example
 * const doc = openDocument(row.sealed, { resultId: row.id, pharmacyId: row.pharmacy_id, keyId }, key);
 */
export function openDocument(sealed: Buffer, binding: EnvelopeBinding, dataKey: Buffer): unknown {
  if (sealed[0] !== ENVELOPE_V1) throw new DecryptionFailed();
  const plaintext = aesGcmOpen(dataKey, sealed.subarray(1), bindingAad(binding));
  try {
    return JSON.parse(plaintext.toString('utf8'));
  } catch {
    throw new DecryptionFailed();
  }
}

/** A JSON array is an unambiguous encoding: no choice of ids can make two bindings collide. */
function bindingAad({ resultId, pharmacyId, keyId }: EnvelopeBinding): Buffer {
  return Buffer.from(JSON.stringify(['sidep-gateway/envelope', ENVELOPE_V1, resultId, pharmacyId, keyId]));
}
