/** Who is asking. A pharmacy system authenticates with its client certificate. */
export interface PharmacyPrincipal {
  kind: 'pharmacy';
  pharmacyId: string;
  finess: string;
  /** SHA-256 of the client certificate (lowercase hex). */
  fingerprint: string;
}

export type Principal = PharmacyPrincipal;

/** The audit actor id of a principal: pseudonymous, never a name. */
export function actorId(p: Principal): string {
  return `${p.pharmacyId}/${p.fingerprint.slice(0, 16)}`;
}
