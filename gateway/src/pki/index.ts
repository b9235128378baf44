export { anssiTlsOptions, TLS_CIPHERS, TLS_ECDH_CURVES, TLS_MIN_VERSION, type TlsPolicyOptions } from './tls-policy.js';
export {
  createDevCa,
  DEV_CA_NAME,
  issueClientCertificate,
  issueServerCertificate,
  type CertificateAndKey,
  type Validity,
} from './dev-ca.js';
export { ensureDevPki, type DevPki, type StoredCertificate } from './dev-pki-files.js';
export { certificateFingerprint, parseFingerprint } from './fingerprint.js';
export { createCrl, REVOCATION_REASONS, type RevocationReasonName, type RevokedEntry } from './crl.js';
export { exportPkcs12, type Pkcs12Bundle } from './pkcs12.js';
export { trackClientConnections, type ClientConnections } from './tls-connections.js';
export {
  caKindOf,
  createDevCertificateAuthority,
  EXTERNAL_CA,
  type CaKind,
  type CertificateAuthority,
  type CurrentCrl,
  type DevCaOptions,
  type IssuedCertificate,
} from './certificate-authority.js';
// ECDSA P-256 keys and signing, shared with Vault PKI (vault/pki.ts), which signs CSRs made here
export { distinguishedName, generateKeyPair, privateKeyPem, provider, SIGNING_ALGORITHM } from './p256.js';
export { mergeCaBundles, parseCertificates, pemCertificates } from './ca-bundle.js';
