/**
 * The admin UI's capabilities, each reached through rows of DESIGN.md "People and rights"
 * (`auth/rbac.ts`). The admin routes enforce it; `GET /admin/capabilities` tells the UI what
 * to offer.
 */
import type { Capability as Right, Rights } from '../auth/rbac.js';

export type AdminCapability =
  | 'enter-results' | 'overview' | 'read-dead-letters' | 'redrive' | 'search-results' | 'statistics' | 'system' | 'certificates' | 'reveal'
  | 'audit' | 'key-status' | 'rotate-keys' | 'enrolments';

/**
 * A capability is held through any of these rows, over the union of their scopes. Health
 * figures go with "key status, doctor" (operator, chain-admin, auditor), dead letters with
 * redrive; finding a result's receipt (no personal data) with key status or statistics, so a
 * pharmacy manager finds their own pharmacies' results.
 */
export const REACHED_THROUGH: Readonly<Record<AdminCapability, readonly Right[]>> = {
  'enter-results': ['results'],
  overview: ['key-status'],
  'read-dead-letters': ['redrive'],
  redrive: ['redrive'],
  'search-results': ['key-status', 'statistics'],
  statistics: ['statistics'],
  system: ['key-status'],
  certificates: ['certificates'],
  reveal: ['reveal'],
  audit: ['audit'],
  'key-status': ['key-status'],
  'rotate-keys': ['keys'],
  // granting roles; adding and deactivating pharmacies need it chain-wide
  enrolments: ['enrolments'],
};

/** Which pharmacies a caller reaches: every one, or those of its enrolments. */
export type PharmacyScope = { all: true } | { all: false; pharmacyIds: readonly string[] };

/** The pharmacies a person reaches with `capability`, or undefined when none. */
export function scopeOf(rights: Rights, capability: AdminCapability): PharmacyScope | undefined {
  const scopes = REACHED_THROUGH[capability].map((right) => rights.scope(right));
  if (scopes.includes('all')) return { all: true };
  const pharmacyIds = [...new Set(scopes.flatMap((s) => (s === 'all' ? [] : s)))];
  return pharmacyIds.length ? { all: false, pharmacyIds } : undefined;
}
