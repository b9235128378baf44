import { existsSync } from 'node:fs';
import path from 'node:path';
import { envName, pkiSchema, settingsFromEnv, settingsSchema, SettingsRefused, type Settings } from '../config/index.js';
import { caKindOf, openConfiguredCa, type CertificateAuthority } from '../pki/index.js';
import { demoDataDir } from './database-url.js';
import { vaultSessionFromSettings } from './key-manager-from-settings.js';

/**
 * The CA `gateway cert` works with, from the same `GATEWAY_PKI_*` settings as the gateway:
 * Vault PKI (through the `GATEWAY_KEY_MANAGER_VAULT_*` AppRole), the dev CA files, or external.
 * With nothing set and outside production, the running demo's dev CA (`.data/pki`).
 *
 * @throws SettingsRefused for invalid settings; Error when a dev CA key does not belong to its certificate
 */
export async function operatorCertificateAuthority(env: NodeJS.ProcessEnv): Promise<CertificateAuthority> {
  const input = settingsFromEnv(env);
  const pki = parsed(pkiSchema, input.pki ?? {}, 'pki');
  const demoPki = path.join(demoDataDir(env), 'pki');
  if (pki.caKind === undefined && caKindOf(pki) === 'external' && env.GATEWAY_PROFILE !== 'production' && existsSync(path.join(demoPki, 'ca-key.pem'))) {
    return openConfiguredCa({ ...pki, caKind: 'dev', caCertFile: path.join(demoPki, 'ca.pem'), caKeyFile: path.join(demoPki, 'ca-key.pem') });
  }
  if (caKindOf(pki) !== 'vault-pki') return openConfiguredCa(pki);
  const keyManager = parsed(settingsSchema.shape.keyManager, input.keyManager ?? {}, 'keyManager');
  if (keyManager.kind !== 'vault') throw new SettingsRefused([`${envName(['keyManager', 'kind'])}: must be vault for GATEWAY_PKI_CA_KIND=vault-pki`]);
  return openSettingsCa({ pki, keyManager });
}

/**
 * The CA of parsed settings as `gateway serve` opens it; Vault PKI rides on an AppRole session of
 * the key-manager settings (without a Vault key manager, `openConfiguredCa` says what is missing).
 *
 * @example
 * const ca = await openSettingsCa(settings); // what `gateway doctor` checks
 */
export function openSettingsCa(s: Pick<Settings, 'pki' | 'keyManager'>): Promise<CertificateAuthority> {
  if (caKindOf(s.pki) !== 'vault-pki' || s.keyManager.kind !== 'vault') return openConfiguredCa(s.pki);
  return openConfiguredCa(s.pki, { vault: vaultSessionFromSettings(s.keyManager) });
}

function parsed<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; code: string }[] } } }, value: unknown, section: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new SettingsRefused(result.error.issues.map((i) => `${envName([section, ...i.path])}: ${i.code}`));
  return result.data;
}
