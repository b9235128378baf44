import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePolicyHcl } from '../support/vault-transit-double.js';

const policy = (name: string) => parsePolicyHcl(readFileSync(new URL(`../../deploy/vault/policies/${name}`, import.meta.url), 'utf8'));
const KEYS = ['gateway-data', 'gateway-blind-index', 'gateway-audit-checkpoints'];

describe('the Vault policies in deploy/vault/policies', () => {
  it.each(['gateway.hcl', 'keys-admin.hcl'])('%s: Transit paths of the gateway keys only, no delete, export, backup, trim, sudo or globs', (file) => {
    const rules = policy(file);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.path).toMatch(/^transit\/[a-z/]+\/gateway-[a-z-]+(\/(rotate|config))?$/);
      expect(KEYS.some((key) => rule.path.split('/').includes(key))).toBe(true);
      expect(rule.path).not.toMatch(/export|backup|restore|trim|[*+]/);
      expect(rule.capabilities.filter((c) => ['delete', 'sudo', 'create', 'list'].includes(c))).toEqual([]);
    }
  });

  it('gateway.hcl cannot rotate, reconfigure, rewrap or encrypt arbitrary data', () => {
    const paths = policy('gateway.hcl').map((rule) => rule.path);
    expect(paths.filter((p) => /\/(rotate|config)$|^transit\/(rewrap|encrypt|hmac|datakey\/wrapped)\//.test(p))).toEqual([]);
    expect(paths).toEqual(
      expect.arrayContaining(['transit/datakey/plaintext/gateway-data', 'transit/decrypt/gateway-data', 'transit/sign/gateway-audit-checkpoints']),
    );
  });
});
