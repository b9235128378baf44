import { describe, expect, it } from 'vitest';
import { webProductionKit } from './config-web-production-kit.js';

const { issuer, webProblems } = webProductionKit();
const chain = (over: Record<string, unknown> = {}) => issuer({ id: 'chain', kind: 'generic', issuer: 'https://login.chain.example/realms/staff', ...over });
const refusal = 'GATEWAY_WEB_ISSUERS: issuer chain: names no multi-factor evidence';
const refused = (i: Record<string, unknown>) => webProblems({ issuers: [i] }).some((p) => p.startsWith(refusal));

describe('issuers in the production profile', () => {
  it('refuses an issuer whose settings name no acr or amr value as MFA evidence', () => {
    expect(refused(chain())).toBe(true);
    expect(refused(chain({ mfaAcr: [], mfaAmr: [] }))).toBe(true);
    // requiring an acr says nothing of which values are multi-factor
    expect(refused(chain({ requiredAcr: ['gold'] }))).toBe(true);
    expect(refused(issuer({ id: 'chain', mfaAcr: [] }))).toBe(true);
  });

  it('accepts Pro Santé Connect as it comes, and an issuer naming its MFA acr or amr values', () => {
    expect(refused(issuer({ id: 'chain' }))).toBe(false);
    expect(refused(issuer({ id: 'chain', requiredAcr: [] }))).toBe(false);
    expect(refused(chain({ requiredAcr: ['gold'], mfaAcr: ['gold'] }))).toBe(false);
    expect(refused(chain({ mfaAmr: ['mfa'] }))).toBe(false);
  });
});
