import type { SecureContextOptions, SecureVersion } from 'node:tls';

/** ANSSI "Recommandations de sécurité relatives à TLS" v1.2: TLS 1.2 minimum, 1.3 preferred. */
export const TLS_MIN_VERSION: SecureVersion = 'TLSv1.2';

/**
 * ECDHE + AEAD suites only (no RSA key exchange, no CBC, no SHA-1), TLS 1.3 first.
 * Node (since v12, checked on 20.20) splits this one string itself: `TLS_*` names set the
 * TLS 1.3 suites, the others the TLS 1.2 ones, so no separate `ciphersuites` option exists.
 */
export const TLS_CIPHERS = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_AES_128_GCM_SHA256',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** Key-exchange groups, in preference order. */
export const TLS_ECDH_CURVES = 'X25519:P-256:P-384';

/** The TLS settings every listener and client of the project shares. */
export type TlsPolicyOptions = Required<
  Pick<SecureContextOptions, 'minVersion' | 'ciphers' | 'ecdhCurve' | 'honorCipherOrder'>
>;

/**
 * The ANSSI TLS policy as options to spread into `https.createServer`, `tls.connect` or an
 * undici `connect` block. `honorCipherOrder` matters only on servers; clients ignore it.
 *
 * @example
 * https.createServer({ ...anssiTlsOptions(), key, cert, ca, requestCert: true }, handler);
 */
export function anssiTlsOptions(): TlsPolicyOptions {
  return {
    minVersion: TLS_MIN_VERSION,
    ciphers: TLS_CIPHERS,
    ecdhCurve: TLS_ECDH_CURVES,
    honorCipherOrder: true,
  };
}
