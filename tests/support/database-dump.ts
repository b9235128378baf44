import { sql, type Kysely } from 'kysely';

/** Columns that hold only ciphertext: the one place a submitted value may be (sealed). */
const CIPHERTEXT_COLUMNS = new Set(['sealed']);

/**
 * Every row of every table of the public schema as `table.column=value` lines, ciphertext
 * columns aside: what a leak check searches for submitted values.
 */
export async function dumpDatabase(db: Kysely<any>): Promise<string> {
  const tables = await sql<{ table_name: string }>`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`.execute(db);
  let dump = '';
  for (const { table_name } of tables.rows) {
    const rows = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table_name)}`.execute(db);
    for (const row of rows.rows) for (const [k, v] of Object.entries(row)) if (!CIPHERTEXT_COLUMNS.has(k)) dump += `${table_name}.${k}=${v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v)}\n`;
  }
  return dump;
}
