import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await testDatabase();
});
afterAll(() => db.drop());

describe('the runtime database role', () => {
  it('can append audit events but never read, change or delete them', async () => {
    await db.runtime.insertInto('audit_events').values({ actor_type: 'system', actor_id: null, action: 'test', object_type: null, object_id: null, outcome: 'success', reason: null, request_id: null, source_ip: null }).execute();
    await expect(db.runtime.selectFrom('audit_events').selectAll().execute()).rejects.toThrow(/permission denied/);
    await expect(db.runtime.updateTable('audit_events').set({ action: 'x' }).execute()).rejects.toThrow(/permission denied/);
    await expect(db.runtime.deleteFrom('audit_events').execute()).rejects.toThrow(/permission denied/);
  });

  it('cannot run DDL', async () => {
    await expect(sql`CREATE TABLE intruder (id int)`.execute(db.runtime)).rejects.toThrow(/permission denied/);
    await expect(sql`DROP TABLE test_results`.execute(db.runtime)).rejects.toThrow(/must be owner|permission denied/);
  });

  it('cannot add pharmacies or certificates', async () => {
    await expect(db.runtime.insertInto('pharmacies').values({ finess: '759999907', name: 'x' }).execute()).rejects.toThrow(/permission denied/);
  });
});
