import { randomBytes } from 'node:crypto';
import type { Role } from '@sidep-gateway/gateway/db/index.js';
import type { DevUser } from './dev-oidc-provider.js';
import { DEMO_PHARMACIES } from './pharmacies.js';

const [P1, P2] = DEMO_PHARMACIES.map((p) => p.finess) as [string, string];

/** A demo person: a development-provider account and the enrolments the demo gives it. */
export interface DemoPerson extends DevUser {
  roles: Role[];
  /** FINESS of the pharmacy roles; empty for chain-wide roles. */
  pharmacies: string[];
}

/**
 * One demo person per role, each with MFA (synthetic RPPS numbers with valid keys), plus a
 * pharmacist of both pharmacies. The accounts without MFA, named `…-sans-mfa`, exist only to show
 * that their sign-in is refused, whatever the role. Passwords are drawn anew by each call.
 */
export function demoPeople(): DemoPerson[] {
  const pw = () => randomBytes(9).toString('base64url');
  const person = (username: string, p: Omit<DemoPerson, 'username' | 'password' | 'subject'>): DemoPerson => ({ username, password: pw(), subject: `demo-${username}`, ...p });
  return [
    person('pharmacien1', { roles: ['pharmacist'], pharmacies: [P1], mfa: true, rpps: '10000123454', pharmacistAt: [P1], givenName: 'Camille', familyName: 'Martin', email: 'camille.martin@pharmacie1.example' }),
    person('pharmacien2', { roles: ['pharmacist'], pharmacies: [P2], mfa: true, rpps: '10000123462', pharmacistAt: [P2] }),
    person('pharmacien-deux-officines', { roles: ['pharmacist'], pharmacies: [P1, P2], mfa: true, rpps: '10000123470', pharmacistAt: [P1, P2] }),
    person('pharmacien-sans-mfa', { roles: ['pharmacist'], pharmacies: [P1], mfa: false, rpps: '10000123496', pharmacistAt: [P1] }),
    person('titulaire1', { roles: ['pharmacy-manager'], pharmacies: [P1], mfa: true, rpps: '10000123488', pharmacistAt: [P1], givenName: 'Hélène', familyName: 'Dubois', email: 'helene.dubois@pharmacie1.example' }),
    person('admin', { roles: ['chain-admin'], pharmacies: [], mfa: true, givenName: 'Karim', familyName: 'Benali', email: 'karim.benali@chaine.example' }),
    person('admin-sans-mfa', { roles: ['chain-admin'], pharmacies: [], mfa: false }),
    person('exploitant', { roles: ['operator'], pharmacies: [], mfa: true }),
    person('auditeur', { roles: ['auditor'], pharmacies: [], mfa: true }),
    person('dpo', { roles: ['dpo'], pharmacies: [], mfa: true }),
  ];
}
