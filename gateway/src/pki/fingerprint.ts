import { createHash, X509Certificate } from 'node:crypto';

/**
 * The SHA-256 fingerprint of a certificate's DER encoding, as 64 lowercase hex digits:
 * `openssl x509 -fingerprint -sha256` without colons. This is how a client certificate
 * maps to a pharmacy.
 *
 * @param certificate PEM text (the first certificate is used) or DER bytes.
 * @example
 * certificateFingerprint(readFileSync('clients/759999907.pem', 'utf8')); // 'a3f1…'
 */
export function certificateFingerprint(certificate: string | Uint8Array): string {
  const der = new X509Certificate(certificate).raw;
  return createHash('sha256').update(der).digest('hex');
}

const FINGERPRINT_TEXT = /^[0-9a-f]{2}(?::?[0-9a-f]{2}){31}$/i;

/**
 * Reads a fingerprint typed by a person: 64 hex digits, colons optional, any case
 * (DESIGN "CLI"). Returns the canonical form of `certificateFingerprint`, or `undefined`.
 *
 * @example
 * parseFingerprint('AB:CD:…'); // 'abcd…'
 */
export function parseFingerprint(text: string): string | undefined {
  const trimmed = text.trim();
  return FINGERPRINT_TEXT.test(trimmed) ? trimmed.replaceAll(':', '').toLowerCase() : undefined;
}
