import { certificateFingerprint } from './fingerprint.js';

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

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
  for (const pem of bundles.flatMap((b) => b.match(CERTIFICATE) ?? [])) {
    const fingerprint = certificateFingerprint(pem);
    if (seen.has(fingerprint)) continue;
    seen.add(fingerprint);
    out.push(`${pem}\n`);
  }
  return out.join('');
}
