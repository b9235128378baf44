import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEnrolmentBody, parsePharmacyBody, parseRevocationBody } from '../../gateway/src/admin/registry-bodies.js';
import { MAX_ENROLMENT_DAYS } from '../../gateway/src/auth/enrolments.js';
import { ROLES } from '../../gateway/src/auth/rbac.js';
import { ValidationFailed } from '../../gateway/src/errors.js';
import { REVOCATION_REASONS } from '../../gateway/src/pki/index.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const DAY_MS = 86_400_000;
// a value the parsers must never repeat back
const MARK = 'ZZMARK';
const anyValue = fc.oneof(fc.string({ maxLength: 300 }).map((s) => `${MARK}${s}`), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
const field = <T>(good: fc.Arbitrary<T>) => fc.option(fc.oneof(good, anyValue), { nil: undefined });
const instant = fc.integer({ min: -2 * DAY_MS, max: (MAX_ENROLMENT_DAYS + 2) * DAY_MS }).map((ms) => new Date(NOW.getTime() + ms).toISOString());
const asBody = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined));

/** Either `parse` returns, or it throws ValidationFailed naming fields of `pointers` with codes, never a value. */
function parsesOrNames(parse: () => unknown, pointers: RegExp): unknown {
  try {
    return parse();
  } catch (e) {
    if (!(e instanceof ValidationFailed)) throw e;
    expect(e.errors.length).toBeGreaterThan(0);
    for (const issue of e.errors) {
      expect(issue.pointer).toMatch(pointers);
      expect(issue.code).toMatch(/^[a-z-]+$/);
    }
    expect(JSON.stringify(e.errors)).not.toContain(MARK);
    return undefined;
  }
}

describe('admin registry bodies', () => {
  it('enrolment: a known role, printable identifiers, an expiry within the bound, or the fields at fault', () => {
    const extra = fc.option(fc.constantFrom('note', 'id', '__proto__x'), { nil: undefined });
    fc.assert(
      fc.property(
        fc.record({ issuer: field(fc.constantFrom('psc', 'dev', 'keycloak')), subject: field(fc.string({ minLength: 1, maxLength: 300 })), role: field(fc.constantFrom(...ROLES)), pharmacy: field(fc.constantFrom('759999907', '2A0000001')), expiresAt: field(instant) }),
        extra,
        (raw, extraKey) => {
          const body = { ...asBody(raw), ...(extraKey ? { [extraKey]: 1 } : {}) };
          const e = parsesOrNames(() => parseEnrolmentBody(body, NOW), /^\/(issuer|subject|role|pharmacy|expiresAt|note|id|__proto__x)$/) as ReturnType<typeof parseEnrolmentBody> | undefined;
          if (!e) return;
          expect(extraKey).toBeUndefined();
          expect(ROLES).toContain(e.role);
          expect(e.subject).toMatch(/^[\x21-\x7e]{1,255}$/);
          const ms = e.expiresAt.getTime() - NOW.getTime();
          expect(ms > 0 && ms <= MAX_ENROLMENT_DAYS * DAY_MS).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('pharmacy: a FINESS of nine characters at most and a name of 200, nothing else', () => {
    fc.assert(
      fc.property(fc.record({ finess: field(fc.string({ maxLength: 12 })), name: field(fc.string({ maxLength: 250 })) }), fc.boolean(), (raw, extra) => {
        const body = { ...asBody(raw), ...(extra ? { active: false } : {}) };
        const p = parsesOrNames(() => parsePharmacyBody(body), /^\/(finess|name|active)$/) as { finess: string; name: string } | undefined;
        if (!p) return;
        expect(extra).toBe(false);
        expect(p.finess.length).toBeLessThanOrEqual(9);
        expect(p.name.length).toBeLessThanOrEqual(200);
      }),
      { numRuns: 2000 },
    );
  });

  it('revocation: one of the CRL reasons, nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.record({ reason: field(fc.constantFrom(...REVOCATION_REASONS)) }).map(asBody), anyValue), (body) => {
        const reason = parsesOrNames(() => parseRevocationBody(body), /^(\/reason|\/.*|)$/);
        if (reason !== undefined) expect(REVOCATION_REASONS).toContain(reason);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a body that is not an object', () => {
    for (const body of [null, [], 'x', 1]) expect(() => parseEnrolmentBody(body, NOW)).toThrow(ValidationFailed);
  });
});
