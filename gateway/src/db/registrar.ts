import { sql } from 'kysely';
import type { Database, Tx } from './database.js';
import { REGISTRAR_ROLE } from './roles.js';

/**
 * Runs `fn` in one transaction as the registrar role, the only way the web process writes the
 * pharmacy registry, certificates and CRLs (enrolments go through `enrol_person`, migration
 * 0011). `SET LOCAL` ends with the transaction, so the pooled connection goes back with the
 * runtime role's rights alone.
 * @example await asRegistrar(db, (tx) => addPharmacy(tx, { finess, name, actor }));
 */
export function asRegistrar<T>(db: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    await sql`SET LOCAL ROLE ${sql.id(REGISTRAR_ROLE)}`.execute(tx);
    return fn(tx);
  });
}

/**
 * Runs `fn` in the caller's transaction when given one, else in a new one: registry changes
 * work alone (the CLI, as owner) and inside `asRegistrar` (the admin UI).
 */
export function inTransaction<T>(db: Database | Tx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db as Tx) : db.transaction().execute(fn);
}
