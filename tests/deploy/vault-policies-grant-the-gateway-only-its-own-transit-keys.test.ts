import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The `path "…" { capabilities = [...] }` blocks of a policy file, in order; other stanzas and
 * comments are ignored. What the server makes of them is proven on a real OpenBao
 * (vault-policies-let-the-gateway-use-keys-but-never-read-change-or-delete-them.test.ts).
 */
function policy(name: string): { path: string; capabilities: string[] }[] {
  const hcl = readFileSync(new URL(`../../deploy/vault/policies/${name}`, import.meta.url), 'utf8').replace(/#[^\n]*/g, '');
  return [...hcl.matchAll(/path\s+"([^"]+)"\s*\{[^}]*?capabilities\s*=\s*\[([^\]]*)\][^}]*\}/g)].map((m) => ({
    path: m[1] ?? '',
    capabilities: [...(m[2] ?? '').matchAll(/"([a-z]+)"/g)].map((c) => c[1] ?? ''),
  }));
}
const KEYS = ['gateway-data', 'gateway-blind-index', 'gateway-audit-checkpoints', 'gateway-receipts'];

describe('the Vault policies in deploy/vault/policies', () => {
  it.each(['gateway.hcl', 'keys-admin.hcl'])('%s: Transit paths of the gateway keys only, no delete, export, backup, trim, sudo or globs', (file) => {
    const rules = policy(file).filter((rule) => rule.path.startsWith('transit/'));
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
      { path: 'transit/sign/gateway-receipts', capabilities: ['update'] },
      { path: 'transit/keys/gateway-receipts', capabilities: ['read'] },
    ]);
    // min_decryption_version (`keys retire`), trim, delete and export stay with keys-admin.hcl
    expect(transit.filter((rule) => /\/(config|trim|export)(\/|$)|^transit\/(encrypt|hmac|datakey\/wrapped)\//.test(rule.path))).toEqual([]);
  });

  it('keys-admin.hcl rotates, rewraps and configures the data KEK but never opens a data key (no decrypt, datakey or encrypt on it)', () => {
    const onDataKey = policy('keys-admin.hcl').filter((rule) => rule.path.split('/').includes('gateway-data'));
    expect(onDataKey.map((rule) => rule.path)).toEqual(['transit/rewrap/gateway-data', 'transit/keys/gateway-data', 'transit/keys/gateway-data/rotate', 'transit/keys/gateway-data/config']);
  });

  it('gateway.hcl grants on the PKI mount only signing through the pharmacy role, revoking, rotating the CRL, and reading the CA and CRL', () => {
    const pki = policy('gateway.hcl').filter((rule) => rule.path.startsWith('pki-'));
    expect(pki).toEqual([
      { path: 'pki-pharmacies/sign/pharmacy-client', capabilities: ['update'] },
      { path: 'pki-pharmacies/revoke', capabilities: ['update'] },
      { path: 'pki-pharmacies/crl/rotate', capabilities: ['read'] },
      { path: 'pki-pharmacies/cert/ca', capabilities: ['read'] },
      { path: 'pki-pharmacies/cert/crl', capabilities: ['read'] },
    ]);
    expect(policy('keys-admin.hcl').filter((rule) => !rule.path.startsWith('transit/'))).toEqual([]);
  });

  it('gateway.hcl grants outside Transit and PKI only the lookup of its own AppRole secret id (its expiry metric)', () => {
    const other = policy('gateway.hcl').filter((rule) => !rule.path.startsWith('transit/') && !rule.path.startsWith('pki-'));
    expect(other).toEqual([{ path: 'auth/approle/role/gateway/secret-id/lookup', capabilities: ['update'] }]);
  });
});
