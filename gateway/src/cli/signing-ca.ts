import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { envName, pkiSchema, settingsFromEnv, SettingsRefused } from '../config/index.js';
import type { SigningCa } from '../pharmacies/index.js';
import { demoDataDir } from './database-url.js';

/**
 * The CA certificate commands sign with: `GATEWAY_PKI_CA_CERT_FILE` and `GATEWAY_PKI_CA_KEY_FILE`,
 * else — outside production — the running demo's dev CA (`.data/pki`). `undefined` when neither
 * exists (an external CA: certificates are registered, revocation is by fingerprint).
 *
 * @throws SettingsRefused for invalid `pki` settings; Error when the key does not belong to the certificate
 */
export function operatorSigningCa(env: NodeJS.ProcessEnv): SigningCa | undefined {
  const parsed = pkiSchema.safeParse(settingsFromEnv(env).pki ?? {});
  if (!parsed.success) throw new SettingsRefused(parsed.error.issues.map((i) => `${envName(['pki', ...i.path])}: ${i.code}`));
  const pki = parsed.data;
  const demoPki = path.join(demoDataDir(env), 'pki');
  const files =
    pki.caCertFile && pki.caKeyFile
      ? { cert: pki.caCertFile, key: pki.caKeyFile }
      : env.GATEWAY_PROFILE !== 'production' && existsSync(path.join(demoPki, 'ca-key.pem'))
        ? { cert: path.join(demoPki, 'ca.pem'), key: path.join(demoPki, 'ca-key.pem') }
        : undefined;
  if (!files) return undefined;
  const ca = { certPem: readFileSync(files.cert, 'utf8'), keyPem: readFileSync(files.key, 'utf8') };
  if (!new X509Certificate(ca.certPem).checkPrivateKey(createPrivateKey(ca.keyPem))) {
    throw new Error('GATEWAY_PKI_CA_KEY_FILE does not hold the key of GATEWAY_PKI_CA_CERT_FILE.');
  }
  return { ca, clientValidityDays: pki.clientValidityDays, crlValidityDays: pki.crlValidityDays };
}
