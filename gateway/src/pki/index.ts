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
  createDevCertificateAuthority,
  EXTERNAL_CA,
  type CaKind,
  type CertificateAuthority,
  type CurrentCrl,
  type DevCaOptions,
  type IssuedCertificate,
} from './certificate-authority.js';
export { caKindOf, openConfiguredCa } from './configured-ca.js';
export { openVaultPki, type VaultPkiOptions } from './vault-pki.js';
export { mergeCaBundles } from './ca-bundle.js';
