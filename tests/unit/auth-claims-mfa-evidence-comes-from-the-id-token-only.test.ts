import { describe, expect, it } from 'vitest';
import { mapClaims, type ClaimMapping } from '../../gateway/src/auth/claims.js';

const psc: ClaimMapping = { kind: 'psc', subject: 'sub', rpps: 'SubjectNameID', mfaAcr: ['eidas1'], mfaAmr: ['mfa'] };
const generic: ClaimMapping = { kind: 'generic', subject: 'sub', finess: 'finess', mfaAcr: ['urn:chain:mfa'], mfaAmr: ['mfa'] };
const pharmacistAt = (finess: string) => ({ SubjectRefPro: { exercices: [{ codeProfession: '21', activities: [{ numeroFinessSite: finess }] }] } });

describe('MFA evidence of a sign-in', () => {
  it('counts acr and amr from the ID token', () => {
    expect(mapClaims(psc, { idToken: { sub: 's', acr: 'eidas1' } })).toMatchObject({ mfa: true, acr: 'eidas1' });
    expect(mapClaims(generic, { idToken: { sub: 's', amr: ['mfa'] } })?.mfa).toBe(true);
    expect(mapClaims(generic, { idToken: { sub: 's', amr: ['pwd'] } })?.mfa).toBe(false);
  });

  it('never takes acr or amr from userinfo, where the ID token lacks them or says less', () => {
    for (const m of [psc, generic]) {
      for (const idToken of [{ sub: 's' }, { sub: 's', amr: ['pwd'] }, { sub: 's', acr: 'eidas0', amr: ['pwd'] }]) {
        const id = mapClaims(m, { idToken, userinfo: { sub: 's', acr: m.mfaAcr[0], amr: ['pwd', 'otp', 'mfa'] } });
        expect(id?.mfa, JSON.stringify(idToken)).toBe(false);
        expect(id?.acr ?? null).toBe(idToken.acr ?? null);
      }
    }
  });

  it('still reads identifiers and narrowing claims from userinfo, the ID token winning where both speak', () => {
    expect(mapClaims(psc, { idToken: { sub: 's', acr: 'eidas1' }, userinfo: { sub: 's', SubjectNameID: '810000123454', ...pharmacistAt('759999907') } })).toEqual({
      subject: 's',
      rpps: '10000123454',
      finess: ['759999907'],
      mfa: true,
      acr: 'eidas1',
      name: null,
      email: null,
    });
    expect(mapClaims(generic, { idToken: { sub: 's', finess: ['759999907'] }, userinfo: { finess: ['759999907', '759999915'] } })?.finess).toEqual(['759999907']);
  });
});
