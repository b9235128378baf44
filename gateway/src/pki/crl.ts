import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { CertificateAndKey } from './dev-ca.js';

/** RFC 5280 §5.3.1 reasons the registry records (`gateway cert revoke --reason`). */
export const REVOCATION_REASONS = ['unspecified', 'keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation'] as const;
export type RevocationReasonName = (typeof REVOCATION_REASONS)[number];

/** One revoked certificate of the CA, by serial number (hex). */
export interface RevokedEntry {
  serialNumber: string;
  revokedAt: Date;
  reason: RevocationReasonName;
}

const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

/**
 * Signs a CRL (v2, ECDSA P-256 / SHA-256) listing `entries`, with the CA's Authority Key
 * Identifier so OpenSSL matches it to the CA. Returns PEM (`X509 CRL`), the form `tls` `crl` options take.
 *
 * @example
 * const pem = await createCrl(ca, [{ serialNumber: '4f…', revokedAt: new Date(), reason: 'keyCompromise' }], { nextUpdate });
 */
export async function createCrl(
  ca: CertificateAndKey,
  entries: readonly RevokedEntry[],
  dates: { thisUpdate?: Date; nextUpdate: Date },
): Promise<string> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const signingKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(ca.keyPem), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const crl = await x509.X509CrlGenerator.create(
    {
      issuer: caCert.subjectName,
      thisUpdate: dates.thisUpdate ?? new Date(),
      nextUpdate: dates.nextUpdate,
      signingAlgorithm: SIGNING,
      signingKey,
      extensions: [await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey, false, webcrypto)],
      entries: entries.map((e) => ({ serialNumber: e.serialNumber, revocationDate: e.revokedAt, reason: x509.X509CrlReason[e.reason] })),
    },
    webcrypto,
  );
  // RFC 7468 names it "X509 CRL"; OpenSSL, and so node's `crl` option, reads no other label
  return x509.PemConverter.encode(crl.rawData, 'X509 CRL');
}
