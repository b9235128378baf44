import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapClaims, valuesAt, type ClaimMapping } from '../../gateway/src/auth/claims.js';
import { finessIssue, rppsIssue } from '../../gateway/src/results/index.js';

const psc: ClaimMapping = { kind: 'psc', subject: 'sub', rpps: 'SubjectNameID', mfaAcr: ['eidas1'], mfaAmr: ['mfa'] };
const generic: ClaimMapping = { kind: 'generic', subject: 'sub', rpps: 'rpps', finess: 'org.sites.finess', mfaAcr: [], mfaAmr: ['mfa'] };

// claims as a provider might send them, right or wrong: any JSON, with the expected keys sometimes present
const json = fc.jsonValue({ maxDepth: 4 });
const claims = fc.record(
  {
    sub: fc.oneof(fc.string(), json),
    acr: fc.oneof(fc.constantFrom('eidas1', 'eidas2', 'pwd'), json),
    amr: fc.oneof(fc.subarray(['pwd', 'otp', 'mfa', 'hwk', 'fpt']), json),
    SubjectNameID: fc.oneof(fc.constantFrom('810000123454', '899700771191', '10000123454', '8123'), json),
    rpps: fc.oneof(fc.constantFrom('10000123454', '10000123455'), json),
    SubjectRefPro: fc.oneof(
      fc.record({ exercices: fc.array(fc.record({ codeProfession: fc.constantFrom('21', '10', 21), activities: fc.array(fc.record({ numeroFinessSite: fc.oneof(fc.constantFrom('759999907', '759999908', '2A1234567'), json) })) })) }),
      json,
    ),
    org: fc.oneof(fc.record({ sites: fc.array(fc.record({ finess: fc.oneof(fc.constantFrom('759999907', 'x'), json) })) }), json),
  },
  { requiredKeys: [] },
);

describe('claim mapping of any provider answer', () => {
  it('never throws, and keeps only well-formed RPPS and FINESS', () => {
    fc.assert(
      fc.property(fc.constantFrom(psc, generic), claims, claims, (m, idToken, userinfo) => {
        const id = mapClaims(m, { idToken, userinfo } as { idToken: Record<string, unknown>; userinfo: Record<string, unknown> });
        if (id === null) return;
        expect(typeof id.subject).toBe('string');
        if (id.rpps !== null) expect(rppsIssue(id.rpps)).toBeUndefined();
        for (const f of id.finess ?? []) expect(finessIssue(f)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it('reads PSC sites only from pharmacist exercices, and the RPPS from the idNatPs', () => {
    const id = mapClaims(psc, {
      idToken: { sub: 's', acr: 'eidas1' },
      userinfo: {
        sub: 's',
        SubjectNameID: '810000123454',
        SubjectRefPro: { exercices: [{ codeProfession: '21', activities: [{ numeroFinessSite: '759999907' }] }, { codeProfession: '10', activities: [{ numeroFinessSite: '759999915' }] }] },
      },
    });
    expect(id).toEqual({ subject: 's', name: null, email: null, rpps: '10000123454', finess: ['759999907'], mfa: true, acr: 'eidas1' });
  });

  it('counts amr as MFA evidence only with `mfa` or two factor classes', () => {
    const mfa = (amr: string[]) => mapClaims(generic, { idToken: { sub: 's', amr } })?.mfa;
    expect(mfa(['pwd'])).toBe(false);
    expect(mfa(['otp'])).toBe(false);
    expect(mfa(['pwd', 'otp'])).toBe(true);
    expect(mfa(['mfa'])).toBe(true);
    expect(mfa(['pwd', 'pin'])).toBe(false);
  });

  it('reads dot paths through arrays', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 5 }), (values) => {
        expect(valuesAt({ a: values.map((v) => ({ b: v })) }, 'a.b')).toEqual(values);
      }),
    );
  });
});
