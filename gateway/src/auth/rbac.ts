// the leaf, not db/index.js: the admin UI imports this file (no Node import may follow)
import type { Role } from '../db/column-types.js';
// declared where the result queries take it; the rights hand it out
import type { PharmacyScope } from '../results/lifecycle/scope.js';

export type { PharmacyScope, Role };

/**
 * The one vocabulary of rights: a row of DESIGN.md "People and rights" each. Route tables name
 * one as their `access`, handlers narrow to its scope (`Rights.scope`), and `GET /me` lists those a
 * person holds, which the UI reads to offer its pages.
 */
export type Capability = 'results' | 'reveal' | 'receipts' | 'certificates' | 'enrolments' | 'redrive' | 'keys' | 'key-status' | 'audit' | 'statistics' | 'data-subjects' | 'access-review';

export const ROLES: readonly Role[] = ['pharmacist', 'pharmacy-manager', 'operator', 'chain-admin', 'auditor', 'dpo'];

/** Roles whose rights are scoped to the pharmacies of their enrolment. */
export const PHARMACY_ROLES: readonly Role[] = ['pharmacist', 'pharmacy-manager'];

/** DESIGN.md's table: `own` = the pharmacies of the enrolment, `all` = chain-wide. */
export const MATRIX: Readonly<Record<Capability, Partial<Record<Role, 'own' | 'all'>>>> = {
  // submit / correct / cancel / list results; reveal personal data (purpose stated, audited)
  results: { pharmacist: 'own', 'pharmacy-manager': 'own' },
  reveal: { pharmacist: 'own', 'pharmacy-manager': 'own' },
  // result receipts search, no personal data
  receipts: { 'pharmacy-manager': 'own', operator: 'all', 'chain-admin': 'all', auditor: 'all' },
  // issue / revoke certificates, and register status-callback endpoints (one row of DESIGN.md)
  certificates: { 'pharmacy-manager': 'own', 'chain-admin': 'all' },
  // adding and deactivating pharmacies, and chain roles, need it chain-wide (`target` 'chain')
  enrolments: { 'pharmacy-manager': 'own', 'chain-admin': 'all' },
  // reading dead letters goes with redriving them
  redrive: { operator: 'all', 'chain-admin': 'all' },
  // rotate / rewrap keys
  keys: { 'chain-admin': 'all' },
  // key status, doctor: the overview's and the system page's health figures too
  'key-status': { operator: 'all', 'chain-admin': 'all', auditor: 'all' },
  audit: { auditor: 'all' },
  statistics: { 'pharmacy-manager': 'own', operator: 'all', 'chain-admin': 'all', auditor: 'all' },
  // the rights of the people tested (GDPR art. 15-18, 21): find, export, erase, the register of requests
  'data-subjects': { dpo: 'all' },
  // who holds which role, their last sign-in and its MFA evidence (read only: recertify and revoke need `enrolments`)
  'access-review': { 'pharmacy-manager': 'own', 'chain-admin': 'all', auditor: 'all', dpo: 'all' },
};

export const CAPABILITIES = Object.keys(MATRIX) as Capability[];


/** What `GET /me` says of a person's rights: `all` or the FINESS of the pharmacies each reaches. */
export type CapabilityScopes = Partial<Record<Capability, 'all' | string[]>>;

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
 * Claims only narrow enrolments, never widen them. Every enrolment needs MFA evidence: each role
 * reaches personal data or administers the gateway, and professionals get no password-only access
 * (DOMAIN.md, PGSSI-S). A pharmacy role also survives only for a pharmacy the provider names
 * (when it names any).
 */
export function narrow(grants: readonly Grant[], claims: ClaimEvidence): Grant[] {
  if (!claims.mfa) return [];
  return grants.filter((g) => !PHARMACY_ROLES.includes(g.role) || claims.finess === null || (g.finess !== null && claims.finess.includes(g.finess)));
}

/** Why a person with these grants may not sign in at all, if so. */
export function signInRefusal(grants: readonly Grant[], claims: ClaimEvidence): 'mfa-required' | 'no-enrolment' | undefined {
  // an enrolled person without MFA evidence is told so, rather than that no enrolment matches
  if (!claims.mfa && grants.length > 0) return 'mfa-required';
  return narrow(grants, claims).length === 0 ? 'no-enrolment' : undefined;
}

/** The rights of a signed-in person. */
export interface Rights {
  roles: Role[];
  /** Pharmacies of the person's pharmacy roles. */
  pharmacies: { id: string; finess: string; roles: Role[] }[];
  /** The pharmacies `capability` reaches, or undefined when it reaches none. */
  scope(capability: Capability): PharmacyScope | undefined;
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
      if (roles.some((r) => rule[r] === 'all')) return { all: true };
      const pharmacyIds = [...pharmacies.values()].filter((p) => p.roles.some((r) => rule[r] === 'own')).map((p) => p.id);
      return pharmacyIds.length ? { all: false, pharmacyIds } : undefined;
    },
  };
}

/** Each capability the rights reach, with `all` or its pharmacies' FINESS: what the UI offers (the server still checks). */
export function capabilitiesOf(rights: Rights): CapabilityScopes {
  const finessOf = new Map(rights.pharmacies.map((p) => [p.id, p.finess]));
  const held: CapabilityScopes = {};
  for (const capability of CAPABILITIES) {
    const scope = rights.scope(capability);
    if (scope) held[capability] = scope.all ? 'all' : scope.pharmacyIds.flatMap((id) => finessOf.get(id) ?? []);
  }
  return held;
}
