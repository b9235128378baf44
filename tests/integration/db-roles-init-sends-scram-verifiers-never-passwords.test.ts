import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { sql } from 'kysely';
import { AUDIT_ADMIN_ROLE, initRoles, RUNTIME_ROLE } from '../../gateway/src/db/index.js';
import { AUDIT_ADMIN_TEST_PASSWORD, RUNTIME_TEST_PASSWORD } from '../support/database-names.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

/** `gateway db init-roles` on the test cluster, with the passwords the other tests log in with. */
let db: TestDatabase;
beforeAll(async () => {
  db = await testDatabase();
});
afterAll(() => db.drop());

/** Every statement text and bound value a pg client sends while `run` runs. */
async function sentDuring(run: () => Promise<void>): Promise<string[]> {
  const spy = vi.spyOn(pg.Client.prototype, 'query');
  try {
    await run();
    return spy.mock.calls.flatMap(([text, values]) => [typeof text === 'string' ? text : JSON.stringify(text), JSON.stringify(values ?? null)]);
  } finally {
    spy.mockRestore();
  }
}

async function logsIn(role: string, password: string): Promise<boolean> {
  const url = new URL(db.ownerUrl);
  url.username = role;
  url.password = password;
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await client.connect();
    return (await client.query<{ who: string }>('SELECT current_user AS who')).rows[0]?.who === role;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('gateway db init-roles', () => {
  it('sends each login role a SCRAM-SHA-256 verifier, never the password, and the role logs in with the password', async () => {
    const sent = await sentDuring(() => initRoles({ url: db.ownerUrl, runtimePassword: RUNTIME_TEST_PASSWORD, auditAdminPassword: AUDIT_ADMIN_TEST_PASSWORD }));
    expect(sent.length).toBeGreaterThan(0);
    for (const password of [RUNTIME_TEST_PASSWORD, AUDIT_ADMIN_TEST_PASSWORD]) expect(sent.filter((s) => s.includes(password))).toEqual([]);

    const { rows } = await sql<{ rolname: string; rolpassword: string }>`SELECT rolname, rolpassword FROM pg_authid WHERE rolname IN (${RUNTIME_ROLE}, ${AUDIT_ADMIN_ROLE}) ORDER BY rolname`.execute(db.owner);
    expect(rows.map((r) => r.rolname)).toEqual([AUDIT_ADMIN_ROLE, RUNTIME_ROLE]);
    for (const { rolpassword } of rows) {
      // RFC 5802/7677: 4096 iterations, a 16-byte salt, 32-byte StoredKey and ServerKey
      const m = /^SCRAM-SHA-256\$4096:([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(rolpassword);
      expect(m).not.toBeNull();
      expect([1, 2, 3].map((i) => Buffer.from(m?.[i] ?? '', 'base64').length)).toEqual([16, 32, 32]);
      // the stored verifier is the one computed here and sent, not one the server derived
      expect(sent.some((s) => s.includes(rolpassword))).toBe(true);
    }

    expect(await logsIn(RUNTIME_ROLE, RUNTIME_TEST_PASSWORD)).toBe(true);
    expect(await logsIn(AUDIT_ADMIN_ROLE, AUDIT_ADMIN_TEST_PASSWORD)).toBe(true);
    expect(await logsIn(RUNTIME_ROLE, `${RUNTIME_TEST_PASSWORD}-wrong`)).toBe(false);
  });

  it('refuses a password that Postgres and node-postgres would hash differently, before sending anything', async () => {
    const sent = await sentDuring(() => expect(initRoles({ url: db.ownerUrl, runtimePassword: 'mot-de-passe-\u00e9t\u00e9' })).rejects.toThrow(/ASCII/));
    expect(sent.some((s) => /ALTER ROLE|CREATE ROLE/.test(s))).toBe(false);
  });
});
