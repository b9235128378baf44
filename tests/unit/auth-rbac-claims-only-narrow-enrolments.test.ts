import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CAPABILITIES, narrow, PHARMACY_ROLES, rightsOf, ROLES, signInRefusal, type Capability, type Grant } from '../../gateway/src/auth/rbac.js';

const FINESS = ['759999907', '759999915', '130786049'];
const grant: fc.Arbitrary<Grant> = fc.constantFrom(...ROLES).chain((role): fc.Arbitrary<Grant> =>
  PHARMACY_ROLES.includes(role)
    ? fc.constantFrom(...FINESS).map((f) => ({ role, pharmacyId: `id-${f}`, finess: f }))
    : fc.constant({ role, pharmacyId: null, finess: null }),
);
const claims = fc.record({ finess: fc.option(fc.subarray(FINESS), { nil: null }), mfa: fc.boolean() });

function reach(grants: Grant[], cap: Capability): 'all' | Set<string> {
  const s = rightsOf(grants).scope(cap);
  return s?.all ? 'all' : new Set(s?.pharmacyIds);
}

describe('rights from enrolments, narrowed by claims', () => {
  it('never gives a capability or pharmacy that the enrolments alone do not', () => {
    fc.assert(
      fc.property(fc.array(grant, { maxLength: 8 }), claims, (grants, c) => {
        for (const cap of CAPABILITIES) {
          const without = reach(grants, cap);
          const withClaims = reach(narrow(grants, c), cap);
          if (withClaims === 'all') expect(without).toBe('all');
          else if (without !== 'all') for (const p of withClaims) expect(without.has(p)).toBe(true);
        }
      }),
    );
  });

  it('keeps no role at all without MFA evidence, and refuses the sign-in of anyone enrolled outright', () => {
    fc.assert(
      fc.property(fc.array(grant, { maxLength: 8 }), claims, (grants, c) => {
        expect(narrow(grants, { ...c, mfa: false })).toEqual([]);
        expect(signInRefusal(grants, { ...c, mfa: false })).toBe(grants.length ? 'mfa-required' : 'no-enrolment');
      }),
    );
    // a pharmacist with a password alone, at a pharmacy the provider names: still no session
    const pharmacist: Grant = { role: 'pharmacist', pharmacyId: 'p1', finess: '759999907' };
    expect(signInRefusal([pharmacist], { finess: ['759999907'], mfa: false })).toBe('mfa-required');
    expect(signInRefusal([pharmacist], { finess: ['759999907'], mfa: true })).toBeUndefined();
  });

  it('keeps a pharmacy role only for a FINESS the provider asserts, when it asserts any', () => {
    fc.assert(
      fc.property(fc.array(grant, { maxLength: 8 }), fc.subarray(FINESS), (grants, asserted) => {
        for (const g of narrow(grants, { finess: asserted, mfa: true })) if (PHARMACY_ROLES.includes(g.role)) expect(asserted).toContain(g.finess);
      }),
    );
  });

  it('follows the table of DESIGN.md for one enrolment per role', () => {
    const own = (role: (typeof ROLES)[number]) => rightsOf([{ role, pharmacyId: 'p1', finess: '759999907' }]);
    const chain = (role: (typeof ROLES)[number]) => rightsOf([{ role, pharmacyId: null, finess: null }]);
    expect(own('pharmacist').scope('results')).toEqual({ all: false, pharmacyIds: ['p1'] });
    expect(own('pharmacist').scope('certificates')).toBeUndefined();
    expect(own('pharmacy-manager').scope('enrolments')).toEqual({ all: false, pharmacyIds: ['p1'] });
    expect(chain('operator').scope('redrive')).toEqual({ all: true });
    expect(chain('operator').scope('keys')).toBeUndefined();
    expect(chain('chain-admin').scope('keys')).toEqual({ all: true });
    expect(chain('chain-admin').scope('results')).toBeUndefined();
    expect(chain('auditor').scope('audit')).toEqual({ all: true });
    expect(chain('auditor').scope('redrive')).toBeUndefined();
  });
});
