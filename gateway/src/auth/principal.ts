import type { AuditEvent } from '../audit/index.js';

/** Who is asking. A pharmacy system authenticates with its client certificate. */
export interface PharmacyPrincipal {
  kind: 'pharmacy';
  pharmacyId: string;
  finess: string;
  /** SHA-256 of the client certificate (lowercase hex). */
  fingerprint: string;
}

/**
 * A person signed in on the web listener, acting for one pharmacy of their enrolment (the
 * pharmacist's entry page). `performerRpps` is the RPPS the identity provider asserted: the
 * only performer such a principal may submit as.
 */
export interface UserPrincipal {
  kind: 'user';
  pharmacyId: string;
  finess: string;
  /** `<issuer id>:<subject>`: pseudonymous, never a name. */
  userId: string;
  performerRpps: string | null;
}

export type Principal = PharmacyPrincipal | UserPrincipal;

/** The audit actor id of a principal: pseudonymous, never a name. */
export function actorId(p: Principal): string {
  return p.kind === 'pharmacy' ? `${p.pharmacyId}/${p.fingerprint.slice(0, 16)}` : p.userId;
}

/** The audit actor of a principal. */
export function auditActor(p: Principal): AuditEvent['actor'] {
  return { type: p.kind, id: actorId(p) };
}
