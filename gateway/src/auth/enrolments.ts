import { sql } from 'kysely';
import type { Database, Role } from '../db/index.js';
import type { AuditEvent } from '../audit/index.js';
import { NotFound, ValidationFailed } from '../errors.js';
import { PHARMACY_ROLES, ROLES, type Grant } from './rbac.js';

/** The longest enrolment a web page may grant or recertify: a year, renewed by a person on purpose. */
export const MAX_ENROLMENT_DAYS = 366;
const DAY_MS = 86_400_000;

/** An enrolment's new expiry must be after `now` and at most MAX_ENROLMENT_DAYS later (`/expiresAt` `time-range`). */
export function requireEnrolmentExpiry(expiresAt: Date, now: Date): void {
  const ms = expiresAt.getTime() - now.getTime();
  if (!(ms > 0 && ms <= MAX_ENROLMENT_DAYS * DAY_MS)) throw new ValidationFailed([{ pointer: '/expiresAt', code: 'time-range' }]);
}

/** The live enrolments of a person: not revoked, not expired, of an active pharmacy. */
export async function liveGrants(db: Database, issuer: string, subject: string): Promise<Grant[]> {
  const rows = await db
    .selectFrom('enrolments as e')
    .leftJoin('pharmacies as p', 'p.id', 'e.pharmacy_id')
    .select(['e.role', 'e.pharmacy_id as pharmacyId', 'p.finess', 'p.active'])
    .where('e.issuer', '=', issuer)
    .where('e.subject', '=', subject)
    .where('e.revoked_at', 'is', null)
    .where('e.expires_at', '>', sql<Date>`now()`)
    .execute();
  return rows.filter((r) => r.pharmacyId === null || r.active === true).map((r) => ({ role: r.role, pharmacyId: r.pharmacyId, finess: r.finess }));
}

export interface NewEnrolment {
  issuer: string;
  subject: string;
  role: string;
  /** FINESS, for the pharmacy roles only. */
  pharmacy?: string;
  expiresAt: Date;
  actor: AuditEvent['actor'];
}

/**
 * Enrols a person (issuer, subject) in one role until `expiresAt`, audited in the same
 * transaction. Pharmacy roles name an active pharmacy by FINESS; chain-wide roles none. The
 * database function `enrol_person` writes the enrolment and its event: neither the runtime role
 * nor the registrar role may insert enrolments themselves.
 * @example await enrol(db, { issuer: 'psc', subject, role: 'pharmacist', pharmacy: '759999907', expiresAt, actor });
 */
export async function enrol(db: Database, e: NewEnrolment): Promise<string> {
  const errors = [];
  if (!ROLES.includes(e.role as Role)) errors.push({ pointer: '/role', code: 'invalid-type' });
  const pharmacyRole = PHARMACY_ROLES.includes(e.role as Role);
  if (pharmacyRole !== (e.pharmacy !== undefined)) errors.push({ pointer: '/pharmacy', code: pharmacyRole ? 'required' : 'invalid-type' });
  if (Number.isNaN(e.expiresAt.getTime()) || e.expiresAt.getTime() <= Date.now()) errors.push({ pointer: '/expiresAt', code: 'time-range' });
  if (!e.issuer || !e.subject) errors.push({ pointer: e.issuer ? '/subject' : '/issuer', code: 'required' });
  if (errors.length) throw new ValidationFailed(errors);
  const { rows } = await sql<{ id: string | null }>`SELECT enrol_person(${e.issuer}, ${e.subject}, ${e.role}, ${e.pharmacy ?? null}, ${e.expiresAt}, ${e.actor.type}, ${e.actor.id ?? null}) AS id`.execute(db);
  const id = rows[0]?.id;
  // NULL: no active pharmacy has that FINESS
  if (!id) throw new NotFound();
  return id;
}

/** Ends an enrolment now (audited, by `revoke_enrolment`). Sessions lose its rights on their next request. */
export async function revokeEnrolment(db: Database, id: string, actor: AuditEvent['actor']): Promise<boolean> {
  const { rows } = await sql<{ revoked: boolean }>`SELECT revoke_enrolment(${id}::uuid, ${actor.type}, ${actor.id ?? null}) AS revoked`.execute(db);
  return rows[0]?.revoked === true;
}

/**
 * Live enrolments, optionally of one person, for `gateway enrolments list` and the enrolments
 * page: with the person's last sign-in, name and e-mail (all null before their first sign-in).
 */
export function listEnrolments(db: Database, o: { issuer?: string; subject?: string }) {
  let q = db
    .selectFrom('enrolments as e')
    .leftJoin('pharmacies as p', 'p.id', 'e.pharmacy_id')
    .leftJoin('person_sign_ins as s', (j) => j.onRef('s.issuer', '=', 'e.issuer').onRef('s.subject', '=', 'e.subject'))
    .select(['e.id', 'e.issuer', 'e.subject', 'e.role', 'p.finess', 'e.expires_at as expiresAt', 'e.created_by as createdBy', 's.name', 's.email', 's.last_sign_in_at as lastSignInAt'])
    .where('e.revoked_at', 'is', null)
    .orderBy('e.issuer')
    .orderBy('e.subject');
  if (o.issuer) q = q.where('e.issuer', '=', o.issuer);
  if (o.subject) q = q.where('e.subject', '=', o.subject);
  return q.execute();
}
