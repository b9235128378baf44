import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapClaims, type ClaimMapping } from '../../gateway/src/auth/claims.js';

const psc: ClaimMapping = { kind: 'psc', subject: 'sub', rpps: 'SubjectNameID', mfaAcr: ['eidas1'], mfaAmr: ['mfa'] };
const generic: ClaimMapping = { kind: 'generic', subject: 'sub', mfaAcr: [], mfaAmr: ['mfa'] };

// what migration 0026's CHECKs accept: what the sign-in writes must never be refused there
/* eslint-disable no-control-regex -- control characters are what the checks refuse */
const CONTROL = /[\u0001-\u001f\u007f-\u009f]/;
const dbAcceptsName = (n: string) => [...n].length >= 1 && [...n].length <= 200 && !CONTROL.test(n);
const dbAcceptsEmail = (e: string) => [...e].length >= 3 && [...e].length <= 254 && /^[^@\s\u0001-\u001f\u007f-\u009f]+@[^@\s\u0001-\u001f\u007f-\u009f]+$/.test(e);

// names and addresses as a provider might send them, right or wrong
const text = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('Camille', '  Martin  ', 'a\nb', 'x'.repeat(201), 'é'.repeat(200), ''), fc.jsonValue({ maxDepth: 2 }));
const email = fc.oneof(fc.emailAddress(), text, fc.constantFrom('a@b', 'a b@c.d', 'a@@b', `${'x'.repeat(250)}@b.fr`, 'a@b\n.fr'));
const claims = fc.record({ sub: fc.constant('s'), name: text, given_name: text, family_name: text, email }, { requiredKeys: ['sub'] });

describe('a staff member’s name and e-mail from a sign-in’s claims', () => {
  it('are one trimmed line the database accepts, or nothing, whatever the provider sends', () => {
    fc.assert(
      fc.property(fc.constantFrom(psc, generic), claims, claims, (m, idToken, userinfo) => {
        const id = mapClaims(m, { idToken, userinfo } as { idToken: Record<string, unknown>; userinfo: Record<string, unknown> });
        if (id?.name != null) {
          expect(dbAcceptsName(id.name)).toBe(true);
          expect(id.name).toBe(id.name.trim());
          expect(id.name).not.toMatch(/\s\s/);
        }
        if (id?.email != null) expect(dbAcceptsEmail(id.email)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('take `name`, else the given and family names, and `email`, from the ID token or userinfo', () => {
    const read = (idToken: Record<string, unknown>, userinfo: Record<string, unknown> = {}) => {
      const id = mapClaims(psc, { idToken: { sub: 's', ...idToken }, userinfo });
      return { name: id?.name, email: id?.email };
    };
    expect(read({}, { given_name: 'Hélène', family_name: ' Dubois ', email: 'h.dubois@pharmacie.example' })).toEqual({ name: 'Hélène Dubois', email: 'h.dubois@pharmacie.example' });
    expect(read({ name: 'Dr  Hélène\tDubois', given_name: 'X', family_name: 'Y' })).toEqual({ name: 'Dr Hélène Dubois', email: null });
    expect(read({ given_name: 'Hélène' })).toEqual({ name: 'Hélène', email: null });
    expect(read({ name: 'x'.repeat(201), email: 'two@at@signs' })).toEqual({ name: null, email: null });
    expect(read({ name: 'Eve\u0007', email: 'e ve@example.org' })).toEqual({ name: null, email: null });
    expect(read({})).toEqual({ name: null, email: null });
  });
});
