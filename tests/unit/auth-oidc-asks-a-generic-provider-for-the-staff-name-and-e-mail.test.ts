import { describe, expect, it } from 'vitest';
import { effectiveIssuer } from '../../gateway/src/auth/oidc.js';
import { issuerSchema } from '../../gateway/src/config/web-schema.js';

const issuer = (more: Record<string, unknown>) => issuerSchema.parse({ id: 'chain', issuer: 'https://idp.chain.example/', clientId: 'gateway', clientSecretFile: '/run/secrets/oidc', ...more });

/** The admin pages show staff by the name and e-mail of their last sign-in: a provider sends them only when asked. */
describe('the scopes asked of a provider', () => {
  it('are openid profile email for a generic provider unless its settings name others', () => {
    expect(effectiveIssuer(issuer({})).scopes).toEqual(['openid', 'profile', 'email']);
    expect(effectiveIssuer(issuer({ scopes: ['openid', 'chain_staff'] })).scopes).toEqual(['openid', 'chain_staff']);
  });

  it('are Pro Santé Connect’s own for it', () => {
    expect(effectiveIssuer(issuer({ kind: 'psc' })).scopes).toEqual(['openid', 'scope_all']);
  });
});
