import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit } from '../../gateway/src/audit/index.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await testDatabase();
  await appendAudit(db.runtime, [{ actor: { type: 'system', id: 'test' }, action: 'audit.search', outcome: 'success' }]);
});
afterAll(() => db.drop());

/** Runs `statement` as the runtime role switched to the sealer role, in a transaction rolled back after. */
async function asSealer(statement: string): Promise<unknown> {
  return db.runtime.transaction().execute(async (tx) => {
    await sql`SET LOCAL ROLE gateway_sealer`.execute(tx);
    return (await sql.raw(statement).execute(tx)).rows;
  });
}

describe('the audit roles', () => {
  it('let the runtime role append events but never read, update, delete or truncate them', async () => {
    await expect(sql`SELECT * FROM audit_events`.execute(db.runtime)).rejects.toThrow(/permission denied/);
    await expect(sql`UPDATE audit_events SET action = 'x'`.execute(db.runtime)).rejects.toThrow(/permission denied/);
    await expect(sql`DELETE FROM audit_events`.execute(db.runtime)).rejects.toThrow(/permission denied/);
    await expect(sql`TRUNCATE audit_events`.execute(db.runtime)).rejects.toThrow(/permission denied/);
    await expect(sql`SELECT * FROM audit_checkpoints`.execute(db.runtime)).rejects.toThrow(/permission denied/);
  });

  it('let the sealer role read events and add checkpoints, never change or remove either', async () => {
    expect(await asSealer('SELECT seq FROM audit_events')).toHaveLength(1);
    for (const statement of [
      `UPDATE audit_events SET action = 'x'`,
      'DELETE FROM audit_events',
      'TRUNCATE audit_events',
      `INSERT INTO audit_events (actor_type, action, outcome) VALUES ('system', 'x', 'success')`,
      'UPDATE audit_checkpoints SET root = root',
      'DELETE FROM audit_checkpoints',
      'TRUNCATE audit_checkpoints',
      'DELETE FROM audit_sink_copies',
    ]) {
      await expect(asSealer(statement), statement).rejects.toThrow(/permission denied/);
    }
  });

  it('do not give the runtime role the sealer role outside SET ROLE (NOINHERIT)', async () => {
    const { rows } = await sql<{ inherits: boolean }>`SELECT rolinherit AS inherits FROM pg_roles WHERE rolname = 'gateway_runtime'`.execute(db.owner);
    expect(rows[0]?.inherits).toBe(false);
    const { rows: login } = await sql<{ canLogin: boolean }>`SELECT rolcanlogin AS "canLogin" FROM pg_roles WHERE rolname = 'gateway_sealer'`.execute(db.owner);
    expect(login[0]?.canLogin).toBe(false);
  });
});
