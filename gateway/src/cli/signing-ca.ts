import path from 'node:path';
import { envName, requiredSection, SettingsRefused } from '../config/index.js';
import { caKindOf, type CertificateAuthority } from '../pki/index.js';
import { openConfiguredCa, openSettingsCa } from '../vault/index.js';
import { demoFile, type OperatorSettings } from './operator-settings.js';

/**
 * The CA `gateway cert` works with, from the same `GATEWAY_PKI_*` settings as the gateway:
 * Vault PKI (through the `GATEWAY_KEY_MANAGER_VAULT_*` AppRole), the dev CA files, or external.
 * With nothing set and outside production, the running demo's dev CA (`.data/pki`).
 *
 * @throws SettingsRefused for missing settings; Error when a dev CA key does not belong to its certificate
 * @example const ca = await operatorCertificateAuthority(readOperatorSettings(process.env));
 */
export async function operatorCertificateAuthority(o: OperatorSettings): Promise<CertificateAuthority> {
  const { pki } = o.settings;
  const demoCaKey = demoFile(o, path.join('pki', 'ca-key.pem'));
  if (pki.caKind === undefined && caKindOf(pki) === 'external' && demoCaKey) {
    return openConfiguredCa({ ...pki, caKind: 'dev', caCertFile: path.join(path.dirname(demoCaKey), 'ca.pem'), caKeyFile: demoCaKey });
  }
  if (caKindOf(pki) !== 'vault-pki') return openConfiguredCa(pki);
  const keyManager = requiredSection(o.settings, 'keyManager');
  if (keyManager.kind !== 'vault') throw new SettingsRefused([`${envName(['keyManager', 'kind'])}: must be vault for GATEWAY_PKI_CA_KIND=vault-pki`]);
  return openSettingsCa({ pki, keyManager });
}
