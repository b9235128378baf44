import type { Role } from '../db/index.js';

export type { Role };

/** The capabilities of DESIGN.md "People and rights", one per row of its table. */
export type Capability = 'results' | 'reveal' | 'certificates' | 'enrolments' | 'redrive' | 'keys' | 'key-status' | 'audit' | 'statistics';

export const ROLES: readonly Role[] = ['pharmacist', 'pharmacy-manager', 'operator', 'chain-admin', 'auditor'];

/** Roles whose rights are scoped to the pharmacies of their enrolment. */
export const PHARMACY_ROLES: readonly Role[] = ['pharmacist', 'pharmacy-manager'];

/** Roles that administer something: they require multi-factor evidence at sign-in. */
export const ADMIN_ROLES: readonly Role[] = ['pharmacy-manager', 'operator', 'chain-admin', 'auditor'];

/** DESIGN.md's table: `own` = the pharmacies of the enrolment, `all` = chain-wide. */
export const MATRIX: Readonly<Record<Capability, Partial<Record<Role, 'own' | 'all'>>>> = {
  results: { pharmacist: 'own', 'pharmacy-manager': 'own' },
  reveal: { pharmacist: 'own', 'pharmacy-manager': 'own' },
  certificates: { 'pharmacy-manager': 'own', 'chain-admin': 'all' },
  enrolments: { 'pharmacy-manager': 'own', 'chain-admin': 'all' },
  redrive: { operator: 'all', 'chain-admin': 'all' },
  keys: { 'chain-admin': 'all' },
  'key-status': { operator: 'all', 'chain-admin': 'all', auditor: 'all' },
  audit: { auditor: 'all' },
  statistics: { 'pharmacy-manager': 'own', operator: 'all', 'chain-admin': 'all', auditor: 'all' },
};

/** One live enrolment, with its pharmacy's FINESS (null for chain-wide roles). */
export interface Grant {
  role: Role;
  pharmacyId: string | null;
  finess: string | null;
}

/** What the identity provider asserted at sign-in, kept with the session. */
export interface ClaimEvidence {
  /** FINESS numbers asserted, or null when the issuer asserts none (no narrowing). */
  finess: readonly string[] | null;
  mfa: boolean;
}

/**
 * Claims only narrow enrolments, never widen them: a pharmacy role survives only for a
 * pharmacy the provider also names (when it names any), and admin roles only with MFA evidence.
 */
export function narrow(grants: readonly Grant[], claims: ClaimEvidence): Grant[] {
  return grants.filter((g) => {
    if (ADMIN_ROLES.includes(g.role) && !claims.mfa) return false;
    if (PHARMACY_ROLES.includes(g.role) && claims.finess !== null) return g.finess !== null && claims.finess.includes(g.finess);
    return true;
  });
}

/** Why a person with these grants may not sign in at all, if so. */
export function signInRefusal(grants: readonly Grant[], claims: ClaimEvidence): 'mfa-required' | 'no-enrolment' | undefined {
  // an admin enrolment without MFA refuses the whole sign-in, so the person learns why
  if (!claims.mfa && grants.some((g) => ADMIN_ROLES.includes(g.role))) return 'mfa-required';
  return narrow(grants, claims).length === 0 ? 'no-enrolment' : undefined;
}

/** The rights of a signed-in person: what a capability reaches. */
export interface Rights {
  roles: Role[];
  /** Pharmacies of the person's pharmacy roles. */
  pharmacies: { id: string; finess: string; roles: Role[] }[];
  /** `all`, or the pharmacy ids a capability reaches (empty: none). */
  scope(capability: Capability): 'all' | string[];
}

/** Rights from (already narrowed) grants. */
export function rightsOf(grants: readonly Grant[]): Rights {
  const roles = [...new Set(grants.map((g) => g.role))];
  const pharmacies = new Map<string, { id: string; finess: string; roles: Role[] }>();
  for (const g of grants) {
    if (g.pharmacyId === null || g.finess === null) continue;
    const p = pharmacies.get(g.pharmacyId) ?? { id: g.pharmacyId, finess: g.finess, roles: [] };
    if (!p.roles.includes(g.role)) p.roles.push(g.role);
    pharmacies.set(g.pharmacyId, p);
  }
  return {
    roles,
    pharmacies: [...pharmacies.values()],
    scope(capability) {
      const rule = MATRIX[capability];
      if (roles.some((r) => rule[r] === 'all')) return 'all';
      return [...pharmacies.values()].filter((p) => p.roles.some((r) => rule[r] === 'own')).map((p) => p.id);
    },
  };
}

/** Whether the rights reach `capability` at all (any pharmacy, or chain-wide). */
export function holds(rights: Rights, capability: Capability): boolean {
  const s = rights.scope(capability);
  return s === 'all' || s.length > 0;
}
