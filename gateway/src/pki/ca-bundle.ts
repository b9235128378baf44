import { X509Certificate } from 'node:crypto';
import { certificateFingerprint } from './fingerprint.js';

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The PEM blocks of the certificates in a bundle, in file order (any text around them ignored).
 * @example pemCertificates(readFileSync(caFile, 'utf8')).length; // certificates in the bundle
 */
export function pemCertificates(pem: string): string[] {
  return pem.match(CERTIFICATE) ?? [];
}

/**
 * The certificates of a PEM bundle, in file order; throws on a block that does not parse.
 * @example const leaf = parseCertificates(readFileSync(certFile, 'utf8'))[0];
 */
export function parseCertificates(pem: string): X509Certificate[] {
  return pemCertificates(pem).map((block) => new X509Certificate(block));
}

/**
 * One PEM bundle of every certificate in `bundles`, each once (by fingerprint), in order: the
 * intake listener trusts `intake.clientCaFile` and the configured CA together.
 *
 * @example
 * mergeCaBundles(readFileSync(clientCaFile, 'utf8'), ca.trustedCaPem);
 */
export function mergeCaBundles(...bundles: string[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const pem of bundles.flatMap(pemCertificates)) {
    const fingerprint = certificateFingerprint(pem);
    if (seen.has(fingerprint)) continue;
    seen.add(fingerprint);
    out.push(`${pem}\n`);
  }
  return out.join('');
}
