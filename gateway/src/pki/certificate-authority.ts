import { createPrivateKey, X509Certificate } from 'node:crypto';
import { RegistryConflict } from '../errors.js';
import { createCrl, type RevokedEntry } from './crl.js';
import { issueClientCertificate, type CertificateAndKey } from './dev-ca.js';
import { certificateFingerprint } from './fingerprint.js';

/** Where client certificates come from: `dev` (local CA files, demo), `vault-pki`, or `external` (registered only). */
export type CaKind = 'dev' | 'vault-pki' | 'external';

/**
 * The CA kind the settings choose: `GATEWAY_PKI_CA_KIND`, else `dev` when CA files are named
 * (`GATEWAY_PKI_CA_CERT_FILE`/`_KEY_FILE`), else `external`. Takes the fields, not the settings
 * type: config/ imports pki/ (production rules), so pki/ does not import config/.
 *
 * @example
 * caKindOf(settings.pki); // 'external' when nothing is set
 */
export function caKindOf(pki: { caKind?: CaKind | undefined; caCertFile?: string | undefined; caKeyFile?: string | undefined }): CaKind {
  return pki.caKind ?? (pki.caCertFile && pki.caKeyFile ? 'dev' : 'external');
}

/** A client certificate just issued, its key (returned once, never stored) and the CA chain to hand out with it. */
export interface IssuedCertificate extends CertificateAndKey {
  /** The issuing CA and any intermediates, PEM: the PEM bundle and the PKCS#12 carry it. */
  chainPem: string;
}

/** A CRL of this CA, as the `certificate_revocation_lists` table stores it. */
export interface CurrentCrl {
  pem: string;
  thisUpdate: Date;
  nextUpdate: Date;
  entries: number;
}

/**
 * The CA the gateway and `gateway cert` issue pharmacy client certificates with. One interface,
 * three backends: `createDevCertificateAuthority` (local CA files), `openVaultPki` (Vault PKI)
 * and `EXTERNAL_CA` (nothing issued here; certificates are registered by fingerprint).
 *
 * @example
 * const ca = createDevCertificateAuthority({ ca: devCa, clientValidityDays: 90, crlValidityDays: 30 });
 * const issued = await ca.issueClientCertificate({ commonName: '759999907' });
 */
export interface CertificateAuthority {
  readonly kind: CaKind;
  /** SHA-256 fingerprint of the issuing CA certificate (registry rows and CRLs name it); none for `external`. */
  readonly issuerFingerprint: string | undefined;
  /** The CA certificates the intake listener must trust for what this CA issues ('' for `external`). */
  readonly trustedCaPem: string;
  /**
   * Issues an ECDSA P-256 clientAuth certificate with subject CN `commonName`, valid the configured days.
   * @throws RegistryConflict `ca-issues-nothing` for `external`; Vault failures as the backend reports them
   */
  issueClientCertificate(o: { commonName: string }): Promise<IssuedCertificate>;
  /** Revokes at the CA itself (Vault); the local CA keeps its list in the registry and does nothing here. */
  revoke(serialNumber: string): Promise<void>;
  /**
   * The CRL to load now: the local CA signs one listing `revoked` (the registry's list); Vault
   * answers with the CRL it keeps and `revoked` is not used. `undefined` for `external`.
   */
  currentCrl(revoked: readonly RevokedEntry[]): Promise<CurrentCrl | undefined>;
}

/** `external`: certificates come from elsewhere and are registered by fingerprint; issuing here is refused. */
export const EXTERNAL_CA: CertificateAuthority = Object.freeze({
  kind: 'external' as const,
  issuerFingerprint: undefined,
  trustedCaPem: '',
  issueClientCertificate: () => Promise.reject(new RegistryConflict('ca-issues-nothing')),
  revoke: () => Promise.resolve(),
  currentCrl: () => Promise.resolve(undefined),
});

/** The local CA and how long what it signs lasts. */
export interface DevCaOptions {
  ca: CertificateAndKey;
  clientValidityDays: number;
  crlValidityDays: number;
}

const DAY_MS = 86_400_000;

/**
 * The local CA of the demo and the tests (`.data/pki`, or `GATEWAY_PKI_CA_CERT_FILE`/`_KEY_FILE`
 * outside production): signs certificates and CRLs with a key held in a file. The production
 * profile refuses it.
 *
 * @throws Error when the key does not belong to the certificate
 */
export function createDevCertificateAuthority(o: DevCaOptions): CertificateAuthority {
  if (!new X509Certificate(o.ca.certPem).checkPrivateKey(createPrivateKey(o.ca.keyPem))) {
    throw new Error('The CA key does not belong to the CA certificate.');
  }
  return {
    kind: 'dev',
    issuerFingerprint: certificateFingerprint(o.ca.certPem),
    trustedCaPem: o.ca.certPem,
    async issueClientCertificate({ commonName }) {
      const issued = await issueClientCertificate(o.ca, { commonName, validityDays: o.clientValidityDays });
      return { ...issued, chainPem: o.ca.certPem };
    },
    revoke: () => Promise.resolve(),
    async currentCrl(revoked) {
      const thisUpdate = new Date();
      const nextUpdate = new Date(thisUpdate.getTime() + o.crlValidityDays * DAY_MS);
      return { pem: await createCrl(o.ca, revoked, { thisUpdate, nextUpdate }), thisUpdate, nextUpdate, entries: revoked.length };
    },
  };
}
