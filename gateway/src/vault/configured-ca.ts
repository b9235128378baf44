import { readFile } from 'node:fs/promises';
import type { Settings } from '../config/index.js';
import { caKindOf, createDevCertificateAuthority, EXTERNAL_CA, type CertificateAuthority } from '../pki/index.js';
import { openVaultPki } from './pki.js';
import type { VaultSession } from './session.js';

type PkiSettings = Settings['pki'];

/**
 * Opens the CA of the settings, for the running gateway and `gateway cert` alike. Vault PKI
 * rides on the key manager's AppRole session and reads the CA certificate once. Here, not in
 * pki/: vault/ builds on pki/, so pki/ names no Vault module.
 *
 * @throws Error naming the missing setting
 * @example
 * const ca = await openConfiguredCa(settings.pki, { vault });
 */
export async function openConfiguredCa(pki: PkiSettings, o: { vault?: VaultSession } = {}): Promise<CertificateAuthority> {
  switch (caKindOf(pki)) {
    case 'external':
      return EXTERNAL_CA;
    case 'dev': {
      if (!pki.caCertFile || !pki.caKeyFile) throw new Error('GATEWAY_PKI_CA_CERT_FILE and GATEWAY_PKI_CA_KEY_FILE name the dev CA.');
      const [certPem, keyPem] = await Promise.all([readFile(pki.caCertFile, 'utf8'), readFile(pki.caKeyFile, 'utf8')]);
      return createDevCertificateAuthority({ ca: { certPem, keyPem }, clientValidityDays: pki.clientValidityDays, crlValidityDays: pki.crlValidityDays });
    }
    case 'vault-pki':
      if (!o.vault) throw new Error('GATEWAY_PKI_CA_KIND=vault-pki needs GATEWAY_KEY_MANAGER_KIND=vault: Vault PKI is reached through its AppRole session.');
      return openVaultPki({ vault: o.vault, mount: pki.vaultMount, role: pki.vaultRole, clientValidityDays: pki.clientValidityDays });
  }
}
