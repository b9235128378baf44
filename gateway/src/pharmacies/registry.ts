import { sql } from 'kysely';
import { appendAudit, type AuditEvent } from '../audit/append.js';
import { inTransaction, type Database, type Tx } from '../db/index.js';
import { NotFound, RegistryConflict, ValidationFailed } from '../errors.js';
import { finessIssue } from '../results/index.js';
import { isUuid } from '../uuid.js';

/** Who performs an administrative action, as the audit log records it (`cli:<user>`, a web subject). */
export type Actor = AuditEvent['actor'];

/** A registered pharmacy as operators see it. */
export interface Pharmacy {
  id: string;
  finess: string;
  name: string;
  active: boolean;
  createdAt: Date;
  deactivatedAt: Date | null;
}

// a display name: printable, no control characters (it reaches terminals and the admin UI)
const NAME = /^[^\p{Cc}\p{Cf}]{1,200}$/u;

/**
 * Registers a pharmacy after checking its FINESS (format and Luhn key, as intake does) and
 * name; audited as `pharmacy.add`.
 *
 * @throws ValidationFailed `/finess` (finess-format, finess-checksum) or `/name` (name-format)
 * @throws RegistryConflict `pharmacy-exists`
 */
export async function addPharmacy(db: Database, o: { finess: string; name: string; actor: Actor }): Promise<Pharmacy> {
  const issue = finessIssue(o.finess);
  const name = o.name.trim();
  const errors = [...(issue ? [{ pointer: '/finess', code: issue }] : []), ...(NAME.test(name) ? [] : [{ pointer: '/name', code: 'name-format' }])];
  if (errors.length) throw new ValidationFailed(errors);
  return inTransaction(db, async (tx) => {
    const row = await tx
      .insertInto('pharmacies')
      .values({ finess: o.finess, name })
      .onConflict((oc) => oc.column('finess').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new RegistryConflict('pharmacy-exists');
    await appendAudit(tx, [{ actor: o.actor, action: 'pharmacy.add', object: { type: 'pharmacy', id: row.id }, outcome: 'success' }]);
    return toPharmacy(row);
  });
}

/** Every registered pharmacy, by FINESS. */
export async function listPharmacies(db: Database): Promise<Pharmacy[]> {
  const rows = await db.selectFrom('pharmacies').selectAll().orderBy('finess').execute();
  return rows.map(toPharmacy);
}

/**
 * Deactivates a pharmacy: its certificates stop authenticating at once (401 on the next
 * request, open connections closed by the listener), its data stays. Audited as `pharmacy.deactivate`.
 *
 * @param reference FINESS or pharmacy id
 * @throws NotFound, RegistryConflict `pharmacy-inactive`
 */
export async function deactivatePharmacy(db: Database, o: { reference: string; actor: Actor }): Promise<Pharmacy> {
  return inTransaction(db, async (tx) => {
    const pharmacy = await findPharmacy(tx, o.reference, { forUpdate: true });
    if (!pharmacy.active) throw new RegistryConflict('pharmacy-inactive');
    const row = await tx
      .updateTable('pharmacies')
      .set({ active: false, deactivated_at: sql<Date>`now()` })
      .where('id', '=', pharmacy.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(tx, [{ actor: o.actor, action: 'pharmacy.deactivate', object: { type: 'pharmacy', id: row.id }, outcome: 'success' }]);
    return toPharmacy(row);
  });
}

/**
 * Reactivates a deactivated pharmacy: its valid, unrevoked certificates authenticate again.
 * Audited as `pharmacy.reactivate`.
 *
 * @param reference FINESS or pharmacy id
 * @throws NotFound, RegistryConflict `pharmacy-active`, `pharmacy-offboarded` (an offboarding is final)
 */
export async function reactivatePharmacy(db: Database, o: { reference: string; actor: Actor }): Promise<Pharmacy> {
  return inTransaction(db, async (tx) => {
    const pharmacy = await findPharmacy(tx, o.reference, { forUpdate: true });
    if (pharmacy.active) throw new RegistryConflict('pharmacy-active');
    const row = await tx.updateTable('pharmacies').set({ active: true, deactivated_at: null }).where('id', '=', pharmacy.id).where('offboarding_started_at', 'is', null).returningAll().executeTakeFirst();
    if (!row) throw new RegistryConflict('pharmacy-offboarded');
    await appendAudit(tx, [{ actor: o.actor, action: 'pharmacy.reactivate', object: { type: 'pharmacy', id: row.id }, outcome: 'success' }]);
    return toPharmacy(row);
  });
}

/**
 * The pharmacy a person named, by FINESS or id.
 * @throws NotFound
 */
export async function findPharmacy(db: Database | Tx, reference: string, o: { forUpdate?: boolean } = {}): Promise<Pharmacy> {
  const column = isUuid(reference) ? 'id' : 'finess';
  let query = db.selectFrom('pharmacies').selectAll().where(column, '=', reference);
  if (o.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw new NotFound();
  return toPharmacy(row);
}

function toPharmacy(r: { id: string; finess: string; name: string; active: boolean; created_at: Date; deactivated_at: Date | null }): Pharmacy {
  return { id: r.id, finess: r.finess, name: r.name, active: r.active, createdAt: r.created_at, deactivatedAt: r.deactivated_at };
}
