import { describe, expect, it } from 'vitest';
import { parseSettings, productionProblems, settingsFromEnv } from '../../gateway/src/config/index.js';
import { productionSettingsInput } from '../support/production-settings.js';

// Only the GATEWAY_PKI_* lines matter here; the other settings point at nothing on purpose.
function pkiProblems(env: Record<string, string>, keyManagerKind = 'vault'): string[] {
  const fromEnv = settingsFromEnv(env);
  const input = productionSettingsInput('/x', { keyManager: { kind: keyManagerKind }, pki: fromEnv.pki });
  return productionProblems(parseSettings(input)).filter((p) => p.startsWith('GATEWAY_PKI_'));
}

describe('the production profile and the certificate authority', () => {
  it('refuses the dev CA, whether named or implied by CA files', () => {
    expect(pkiProblems({ GATEWAY_PKI_CA_KIND: 'dev', GATEWAY_PKI_CA_CERT_FILE: '/ca.pem', GATEWAY_PKI_CA_KEY_FILE: '/ca-key.pem' })).toEqual([
      'GATEWAY_PKI_CA_KIND: the dev CA (CA key in a file) is for the demo only; use vault-pki or external',
    ]);
    expect(pkiProblems({ GATEWAY_PKI_CA_CERT_FILE: '/ca.pem', GATEWAY_PKI_CA_KEY_FILE: '/ca-key.pem' })).toHaveLength(1);
  });

  it('accepts Vault PKI with the Vault key manager, and an external CA; refuses Vault PKI without it', () => {
    expect(pkiProblems({ GATEWAY_PKI_CA_KIND: 'vault-pki' })).toEqual([]);
    expect(pkiProblems({ GATEWAY_PKI_CA_KIND: 'external' })).toEqual([]);
    expect(pkiProblems({})).toEqual([]);
    expect(pkiProblems({ GATEWAY_PKI_CA_KIND: 'vault-pki' }, 'local')).toEqual(['GATEWAY_PKI_CA_KIND: vault-pki needs GATEWAY_KEY_MANAGER_KIND=vault']);
  });

  it('refuses an unknown CA kind and a Vault path that is not one segment', () => {
    expect(() => pkiProblems({ GATEWAY_PKI_CA_KIND: 'openssl' })).toThrow(/GATEWAY_PKI_CA_KIND/);
    expect(() => pkiProblems({ GATEWAY_PKI_VAULT_ROLE: '../sys/policy' })).toThrow(/GATEWAY_PKI_VAULT_ROLE/);
  });
});
