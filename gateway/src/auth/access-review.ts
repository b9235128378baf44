import { sql, type ExpressionBuilder } from 'kysely';
import type { AuditEvent } from '../audit/index.js';
import type { Database, DB, Role } from '../db/index.js';
import { requireEnrolmentExpiry } from './enrolments.js';
import type { PharmacyScope } from './rbac.js';

/**
 * Roles that administer the gateway or reach people's rights: everything but the pharmacist's
 * counter work. An enrolment in one of them left unused is a standing door nobody watches.
 */
export const ADMIN_ROLES: readonly Role[] = ['pharmacy-manager', 'operator', 'chain-admin', 'auditor', 'dpo'];

/** Days without a sign-in after which an admin enrolment counts as unused (alert AdminEnrolmentUnused). */
export const UNUSED_AFTER_DAYS = 90;

/** One live enrolment of a person, as the review shows it. */
export interface ReviewedEnrolment {
  id: string;
  role: Role;
  /** FINESS, for the pharmacy roles; null for chain-wide roles. */
  finess: string | null;
  expiresAt: Date;
  /** An admin role whose person has not signed in for UNUSED_AFTER_DAYS since it was granted. */
  unused: boolean;
}

/** A person under review: identifiers and evidence (their name and e-mail are the enrolments page's). */
export interface ReviewedPerson {
  issuer: string;
  subject: string;
  /** null: never signed in since sign-ins were recorded. */
  lastSignInAt: Date | null;
  /** `mfa` or `single-factor`, as the provider's evidence at the last sign-in counted. */
  mfaEvidence: string | null;
  enrolments: ReviewedEnrolment[];
}

type Joined = ExpressionBuilder<DB & { e: DB['enrolments']; s: DB['person_sign_ins'] }, 'e' | 's'>;

/** Live: neither revoked nor expired. */
const live = (eb: Joined) => eb.and([eb('e.revoked_at', 'is', null), eb('e.expires_at', '>', sql<Date>`now()`)]);

/** The one definition of "unused", shared by the review and the gauge: greatest() skips a missing sign-in. */
const unused = sql<boolean>`(e.role = ANY(${sql.val([...ADMIN_ROLES])}::text[]) AND greatest(e.created_at, s.last_sign_in_at) < now() - make_interval(days => ${UNUSED_AFTER_DAYS}))`;

function enrolmentsWithSignIns(db: Database) {
  return db
    .selectFrom('enrolments as e')
    .leftJoin('person_sign_ins as s', (j) => j.onRef('s.issuer', '=', 'e.issuer').onRef('s.subject', '=', 'e.subject'))
    .where(live);
}

/**
 * Every person with a live enrolment in `scope`, with the roles and pharmacies of those
 * enrolments, their last sign-in and its MFA evidence; `finess` narrows to one pharmacy. A
 * pharmacy scope sees only the enrolments of its pharmacies.
 * @example const people = await reviewAccess(db, { all: true });
 */
export async function reviewAccess(db: Database, scope: PharmacyScope, o: { finess?: string } = {}): Promise<ReviewedPerson[]> {
  let q = enrolmentsWithSignIns(db)
    .leftJoin('pharmacies as p', 'p.id', 'e.pharmacy_id')
    .select(['e.id', 'e.issuer', 'e.subject', 'e.role', 'p.finess', 'e.expires_at as expiresAt', 's.last_sign_in_at as lastSignInAt', 's.mfa_evidence as mfaEvidence', unused.as('unused')])
    .orderBy('e.issuer')
    .orderBy('e.subject')
    .orderBy('e.role')
    .orderBy('p.finess');
  if (!scope.all) q = scope.pharmacyIds.length ? q.where('e.pharmacy_id', 'in', [...scope.pharmacyIds]) : q.where(sql<boolean>`false`);
  if (o.finess !== undefined) q = q.where('p.finess', '=', o.finess);
  const people = new Map<string, ReviewedPerson>();
  for (const r of await q.execute()) {
    const key = JSON.stringify([r.issuer, r.subject]);
    const person = people.get(key) ?? { issuer: r.issuer, subject: r.subject, lastSignInAt: r.lastSignInAt, mfaEvidence: r.mfaEvidence, enrolments: [] };
    person.enrolments.push({ id: r.id, role: r.role, finess: r.finess, expiresAt: r.expiresAt, unused: r.unused });
    people.set(key, person);
  }
  return [...people.values()];
}

/** Live admin enrolments unused for UNUSED_AFTER_DAYS (gauge `gateway_admin_enrolments_unused`). */
export async function countUnusedAdminEnrolments(db: Database): Promise<number> {
  const row = await enrolmentsWithSignIns(db).select(sql<string>`count(*)`.as('n')).where(unused).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Recertifies a live enrolment until `expiresAt` (future, within MAX_ENROLMENT_DAYS like a web
 * grant), audited in the same transaction by the database function `recertify_enrolment`; false
 * when no live enrolment has that id. Sessions keep it without signing in again.
 * @example await recertifyEnrolment(db, id, new Date('2027-06-30T00:00:00Z'), actor);
 */
export async function recertifyEnrolment(db: Database, id: string, expiresAt: Date, actor: AuditEvent['actor']): Promise<boolean> {
  requireEnrolmentExpiry(expiresAt, new Date());
  const { rows } = await sql<{ done: boolean }>`SELECT recertify_enrolment(${id}::uuid, ${expiresAt}, ${actor.type}, ${actor.id ?? null}) AS done`.execute(db);
  return rows[0]?.done === true;
}

/**
 * Forgets the last sign-in (name and e-mail with it) of everyone left without a live enrolment,
 * through the database function `forget_sign_ins_without_enrolment` (the runtime role deletes no
 * sign-in itself); returns how many went. Run by the purge.
 * @example const forgotten = await forgetSignInsWithoutEnrolment(db);
 */
export async function forgetSignInsWithoutEnrolment(db: Database): Promise<number> {
  const { rows } = await sql<{ gone: number }>`SELECT forget_sign_ins_without_enrolment() AS gone`.execute(db);
  return rows[0]?.gone ?? 0;
}
