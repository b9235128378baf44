import { execFile } from 'node:child_process';
import { hostname, userInfo } from 'node:os';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrol, liveGrants } from '../../gateway/src/auth/enrolments.js';
import { registerPharmacy } from '@sidep-gateway/demo/pharmacies.js';
import { createDevCa, issueClientCertificate } from '../../gateway/src/pki/index.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

/** Enrolments are the only source of roles: created by an operator command, audited, with an expiry. */
const run = promisify(execFile);
let db: TestDatabase;
const actor = { type: 'user' as const, id: 'cli:test' };

beforeAll(async () => {
  db = await testDatabase();
  const ca = await createDevCa();
  for (const finess of ['759999907', '759999915']) {
    await registerPharmacy(db.owner, { finess, name: finess, certPem: (await issueClientCertificate(ca, { commonName: finess })).certPem });
  }
});
afterAll(async () => {
  await db?.drop();
});

const gateway = (...args: string[]) => run(process.execPath, ['gateway/bin/gateway.js', ...args, '--database-url', db.ownerUrl], { env: { ...process.env, USER: 'tester' } });

describe('gateway enrolments', () => {
  it('adds, lists and revokes an enrolment from the command line, audited', async () => {
    const added = await gateway('enrolments', 'add', '--issuer', 'psc', '--subject', 'f:cli-person', '--role', 'pharmacist', '--pharmacy', '759999907', '--days', '30');
    const id = /Enrolled: ([0-9a-f-]{36})/.exec(added.stdout)?.[1] as string;
    expect(id).toBeDefined();
    expect((await gateway('enrolments', 'list', '--subject', 'f:cli-person')).stdout).toContain(`${id}  psc:f:cli-person  pharmacist`);
    expect(await liveGrants(db.runtime, 'psc', 'f:cli-person')).toEqual([{ role: 'pharmacist', pharmacyId: expect.any(String), finess: '759999907' }]);
    await gateway('enrolments', 'revoke', id);
    expect(await liveGrants(db.runtime, 'psc', 'f:cli-person')).toEqual([]);
    const events = await db.owner.selectFrom('audit_events').select(['action', 'actor_id']).where('object_id', '=', id).orderBy('seq').execute();
    expect(events).toEqual([
      { action: 'enrolment.add', actor_id: `cli:${userInfo().username}@${hostname()}` },
      { action: 'enrolment.revoke', actor_id: `cli:${userInfo().username}@${hostname()}` },
    ]);
  });

  it('answers a usage error (exit 2) for an incomplete command', async () => {
    await expect(gateway('enrolments', 'add', '--issuer', 'psc')).rejects.toMatchObject({ code: 2 });
    await expect(gateway('sessions', 'revoke')).rejects.toMatchObject({ code: 2 });
  });

  it('refuses a pharmacy role without a pharmacy, a chain role with one, and a past expiry', async () => {
    const base = { issuer: 'psc', subject: 'f:x', expiresAt: new Date(Date.now() + 60_000), actor };
    await expect(enrol(db.owner, { ...base, role: 'pharmacist' })).rejects.toMatchObject({ errors: [{ pointer: '/pharmacy', code: 'required' }] });
    await expect(enrol(db.owner, { ...base, role: 'chain-admin', pharmacy: '759999907' })).rejects.toMatchObject({ errors: [{ pointer: '/pharmacy', code: 'invalid-type' }] });
    await expect(enrol(db.owner, { ...base, role: 'root' })).rejects.toMatchObject({ errors: [{ pointer: '/role', code: 'invalid-type' }] });
    await expect(enrol(db.owner, { ...base, role: 'auditor', expiresAt: new Date(Date.now() - 1) })).rejects.toMatchObject({ errors: [{ pointer: '/expiresAt', code: 'time-range' }] });
  });

  it('stops granting at expiry, and for a deactivated pharmacy', async () => {
    await enrol(db.owner, { issuer: 'psc', subject: 'f:y', role: 'pharmacist', pharmacy: '759999915', expiresAt: new Date(Date.now() + 60_000), actor });
    await enrol(db.owner, { issuer: 'psc', subject: 'f:y', role: 'auditor', expiresAt: new Date(Date.now() + 60_000), actor });
    expect((await liveGrants(db.runtime, 'psc', 'f:y')).map((g) => g.role).sort()).toEqual(['auditor', 'pharmacist']);
    await sql`UPDATE enrolments SET expires_at = now() - interval '1 second' WHERE subject = 'f:y' AND role = 'auditor'`.execute(db.owner);
    await db.owner.updateTable('pharmacies').set({ active: false }).where('finess', '=', '759999915').execute();
    expect(await liveGrants(db.runtime, 'psc', 'f:y')).toEqual([]);
  });

  it('replaces the live enrolment of the same role and pharmacy (a new expiry), never doubling it', async () => {
    await enrol(db.owner, { issuer: 'psc', subject: 'f:z', role: 'operator', expiresAt: new Date(Date.now() + 60_000), actor });
    await enrol(db.owner, { issuer: 'psc', subject: 'f:z', role: 'operator', expiresAt: new Date(Date.now() + 120_000), actor });
    expect((await liveGrants(db.runtime, 'psc', 'f:z')).length).toBe(1);
  });
});
