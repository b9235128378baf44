import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePolicyHcl } from '../support/vault-transit-double.js';

const policy = (name: string) => parsePolicyHcl(readFileSync(new URL(`../../deploy/vault/policies/${name}`, import.meta.url), 'utf8'));
const KEYS = ['gateway-data', 'gateway-blind-index', 'gateway-audit-checkpoints'];

describe('the Vault policies in deploy/vault/policies', () => {
  it.each(['gateway.hcl', 'keys-admin.hcl'])('%s: Transit paths of the gateway keys only, no delete, export, backup, trim, sudo or globs', (file) => {
    const rules = policy(file).filter((rule) => !rule.path.startsWith('pki-'));
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.path).toMatch(/^transit\/[a-z/]+\/gateway-[a-z-]+(\/(rotate|config))?$/);
      expect(KEYS.some((key) => rule.path.split('/').includes(key))).toBe(true);
      expect(rule.path).not.toMatch(/export|backup|restore|trim|[*+]/);
      expect(rule.capabilities.filter((c) => ['delete', 'sudo', 'create', 'list'].includes(c))).toEqual([]);
    }
  });

  it('gateway.hcl rotates and rewraps the data KEK (the keys page) but cannot reconfigure it or encrypt arbitrary data', () => {
    const transit = policy('gateway.hcl').filter((rule) => rule.path.startsWith('transit/'));
    expect(transit).toEqual([
      { path: 'transit/datakey/plaintext/gateway-data', capabilities: ['update'] },
      { path: 'transit/decrypt/gateway-data', capabilities: ['update'] },
      { path: 'transit/keys/gateway-data', capabilities: ['read'] },
      { path: 'transit/keys/gateway-data/rotate', capabilities: ['update'] },
      { path: 'transit/rewrap/gateway-data', capabilities: ['update'] },
      { path: 'transit/decrypt/gateway-blind-index', capabilities: ['update'] },
      { path: 'transit/sign/gateway-audit-checkpoints', capabilities: ['update'] },
      { path: 'transit/keys/gateway-audit-checkpoints', capabilities: ['read'] },
    ]);
    // min_decryption_version (`keys retire`), trim, delete and export stay with keys-admin.hcl
    expect(transit.filter((rule) => /\/(config|trim|export)(\/|$)|^transit\/(encrypt|hmac|datakey\/wrapped)\//.test(rule.path))).toEqual([]);
  });

  it('gateway.hcl grants on the PKI mount only signing through the pharmacy role, revoking, and reading the CA and CRL', () => {
    const pki = policy('gateway.hcl').filter((rule) => !rule.path.startsWith('transit/'));
    expect(pki).toEqual([
      { path: 'pki-pharmacies/sign/pharmacy-client', capabilities: ['update'] },
      { path: 'pki-pharmacies/revoke', capabilities: ['update'] },
      { path: 'pki-pharmacies/cert/ca', capabilities: ['read'] },
      { path: 'pki-pharmacies/cert/crl', capabilities: ['read'] },
    ]);
    expect(policy('keys-admin.hcl').filter((rule) => !rule.path.startsWith('transit/'))).toEqual([]);
  });
});
