import { execFile } from 'node:child_process';
import { hostname, userInfo } from 'node:os';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrol } from '../../gateway/src/auth/enrolments.js';
import { createSessionStore } from '../../gateway/src/auth/sessions.js';
import { registerPharmacy } from '@sidep-gateway/demo/pharmacies.js';
import { createDevCa, issueClientCertificate } from '../../gateway/src/pki/index.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

/** `gateway access`: the review of who holds which role, and recertification, from the command line. */
const run = promisify(execFile);
let db: TestDatabase;
const actor = { type: 'system' as const, id: 'test' };
const DAY_MS = 86_400_000;
const [P1, P2] = ['759999907', '759999915'];

beforeAll(async () => {
  db = await testDatabase();
  const ca = await createDevCa();
  for (const finess of [P1, P2]) {
    await registerPharmacy(db.owner, { finess, name: finess, certPem: (await issueClientCertificate(ca, { commonName: finess })).certPem });
  }
});
afterAll(async () => {
  await db?.drop();
});

const gateway = (...args: string[]) => run(process.execPath, ['gateway/bin/gateway.js', ...args, '--database-url', db.ownerUrl], { env: { ...process.env, USER: 'tester' } });
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS);

describe('gateway access', () => {
  it("reviews every person's enrolments, last sign-in and evidence, as JSON or narrowed to one pharmacy", async () => {
    await enrol(db.owner, { issuer: 'psc', subject: 'f:manager', role: 'pharmacy-manager', pharmacy: P1, expiresAt: inDays(30), actor });
    await enrol(db.owner, { issuer: 'psc', subject: 'f:manager', role: 'pharmacist', pharmacy: P2, expiresAt: inDays(30), actor });
    await enrol(db.owner, { issuer: 'psc', subject: 'f:admin', role: 'chain-admin', expiresAt: inDays(30), actor });
    await createSessionStore({ db: db.runtime, idleMs: 60_000, maxMs: 3_600_000 }).open('psc', { subject: 'f:admin', rpps: null, finess: null, mfa: true, acr: null });
    const all = JSON.parse((await gateway('access', 'review', '--format', 'json')).stdout).items;
    expect(all).toEqual([
      { issuer: 'psc', subject: 'f:admin', lastSignInAt: expect.any(String), mfaEvidence: 'mfa', enrolments: [expect.objectContaining({ role: 'chain-admin', finess: null, unused: false })] },
      { issuer: 'psc', subject: 'f:manager', lastSignInAt: null, mfaEvidence: null, enrolments: [expect.objectContaining({ role: 'pharmacist', finess: P2 }), expect.objectContaining({ role: 'pharmacy-manager', finess: P1 })] },
    ]);
    const table = (await gateway('access', 'review', '--pharmacy', P1)).stdout;
    expect(table).toContain('psc:f:manager  last-sign-in=never');
    expect(table).not.toContain(P2);
    expect(table).not.toContain('f:admin');
  });

  it('recertifies a live enrolment until a date, audited with the operator; refuses a past date and an unknown id', async () => {
    const id = await enrol(db.owner, { issuer: 'psc', subject: 'f:auditor', role: 'auditor', expiresAt: inDays(5), actor });
    const until = inDays(100).toISOString().slice(0, 10);
    expect((await gateway('access', 'recertify', id, '--until', until, '--operator', 'jdupont')).stdout).toContain(`Recertified until ${until}T00:00:00.000Z.`);
    expect((await db.owner.selectFrom('enrolments').select('expires_at').where('id', '=', id).executeTakeFirstOrThrow()).expires_at.toISOString()).toBe(`${until}T00:00:00.000Z`);
    const events = await db.owner.selectFrom('audit_events').select(['action', 'actor_id']).where('object_id', '=', id).where('action', '=', 'enrolment.recertify').execute();
    expect(events).toEqual([{ action: 'enrolment.recertify', actor_id: `cli:${userInfo().username}@${hostname()};operator=jdupont` }]);
    await expect(gateway('access', 'recertify', id, '--until', '2020-01-01')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('/expiresAt time-range') });
    await expect(gateway('access', 'recertify', '00000000-0000-4000-8000-000000000000', '--until', until)).rejects.toMatchObject({ code: 1, stdout: expect.stringContaining('No live enrolment') });
    await expect(gateway('access', 'recertify', id, '--until', 'next year')).rejects.toMatchObject({ code: 2 });
  });
});
