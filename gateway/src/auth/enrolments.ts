import { sql } from 'kysely';
import { inTransaction, type Database, type Role } from '../db/index.js';
import { appendAudit, type AuditEvent } from '../audit/index.js';
import { NotFound, ValidationFailed } from '../errors.js';
import { PHARMACY_ROLES, ROLES, type Grant } from './rbac.js';

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
 * transaction. Pharmacy roles name an active pharmacy by FINESS; chain-wide roles none.
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
  return inTransaction(db, async (tx) => {
    let pharmacyId: string | null = null;
    if (e.pharmacy !== undefined) {
      const p = await tx.selectFrom('pharmacies').select('id').where('finess', '=', e.pharmacy).where('active', '=', true).executeTakeFirst();
      if (!p) throw new NotFound();
      pharmacyId = p.id;
    }
    // a new enrolment replaces the live one for the same role and pharmacy (new expiry)
    let replaced = tx.updateTable('enrolments').set({ revoked_at: sql`now()` }).where('issuer', '=', e.issuer).where('subject', '=', e.subject).where('role', '=', e.role as Role).where('revoked_at', 'is', null);
    replaced = pharmacyId === null ? replaced.where('pharmacy_id', 'is', null) : replaced.where('pharmacy_id', '=', pharmacyId);
    await replaced.execute();
    const { id } = await tx
      .insertInto('enrolments')
      .values({ issuer: e.issuer, subject: e.subject, role: e.role as Role, pharmacy_id: pharmacyId, expires_at: e.expiresAt, created_by: e.actor.id ?? e.actor.type })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(tx, [{ actor: e.actor, action: 'enrolment.add', object: { type: 'enrolment', id }, outcome: 'success', reason: e.role }]);
    return id;
  });
}

/** Ends an enrolment now (audited). Sessions lose its rights on their next request. */
export async function revokeEnrolment(db: Database, id: string, actor: AuditEvent['actor']): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const row = await tx.updateTable('enrolments').set({ revoked_at: sql`now()` }).where('id', '=', id).where('revoked_at', 'is', null).returning('id').executeTakeFirst();
    if (row) await appendAudit(tx, [{ actor, action: 'enrolment.revoke', object: { type: 'enrolment', id }, outcome: 'success' }]);
    return row !== undefined;
  });
}

/** Live enrolments, optionally of one person, for `gateway enrolments list`. */
export function listEnrolments(db: Database, o: { issuer?: string; subject?: string }) {
  let q = db
    .selectFrom('enrolments as e')
    .leftJoin('pharmacies as p', 'p.id', 'e.pharmacy_id')
    .select(['e.id', 'e.issuer', 'e.subject', 'e.role', 'p.finess', 'e.expires_at as expiresAt', 'e.created_by as createdBy'])
    .where('e.revoked_at', 'is', null)
    .orderBy('e.issuer')
    .orderBy('e.subject');
  if (o.issuer) q = q.where('e.issuer', '=', o.issuer);
  if (o.subject) q = q.where('e.subject', '=', o.subject);
  return q.execute();
}
