import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventsPage, EnrolmentRow } from '../../gateway/src/api-types.js';
import { forgetSignInsWithoutEnrolment } from '../../gateway/src/auth/access-review.js';
import { webApiCalls } from '../support/web-api-calls.js';
import { startWebHarness, type WebHarness } from '../support/web-harness.js';

/**
 * Staff by name: a real sign-in through the OIDC provider keeps the name and e-mail it asserts
 * (userinfo `given_name`, `family_name`, `email`, as Pro Santé Connect sends them) with the
 * person's last sign-in; the enrolments list and the audit search show them, the audit log never
 * holds them, and the purge forgets them once the person holds no live enrolment.
 */
let w: WebHarness | undefined;
const harness = () => w as WebHarness;
const { as } = webApiCalls(harness);
const LEAVER = { username: 'partante', password: 'partante-password-0123', subject: 'demo-partante', mfa: true, roles: ['auditor' as const], pharmacies: [], givenName: 'Léa', familyName: 'Partante', email: 'lea.partante@chaine.example' };

beforeAll(async () => {
  w = await startWebHarness({ web: { signInBurst: 10_000 }, morePeople: [LEAVER] });
}, 60_000);
afterAll(async () => {
  await w?.close();
});

const enrolments = async () => {
  const res = await as('admin', 'GET', '/api/web/v1/admin/enrolments');
  expect(res.status, res.text.slice(0, 200)).toBe(200);
  return res.json().items as EnrolmentRow[];
};
const rowOf = (items: EnrolmentRow[], username: string) => items.find((e) => e.issuer === 'dev' && e.subject === `demo-${username}`);

describe('staff names from their last sign-in', () => {
  it('are kept at sign-in and carried by the enrolments list; someone not signed in yet shows by subject alone', async () => {
    const items = await enrolments();
    expect(rowOf(items, 'admin')).toMatchObject({ name: 'Karim Benali', email: 'karim.benali@chaine.example', lastSignInAt: expect.any(String) });
    expect(rowOf(items, 'dpo')).toMatchObject({ subject: 'demo-dpo', name: null, email: null, lastSignInAt: null });
    const stored = await harness().h.db.owner.selectFrom('person_sign_ins').select(['name', 'email']).where('subject', '=', 'demo-admin').executeTakeFirstOrThrow();
    expect(stored).toEqual({ name: 'Karim Benali', email: 'karim.benali@chaine.example' });
  });

  it('name the people of the audit search, while the log keeps only their pseudonymous id', async () => {
    await as('admin', 'GET', '/api/web/v1/me');
    const res = await as('auditeur', 'GET', `/api/web/v1/admin/audit/events?actor=${encodeURIComponent('dev:demo-admin')}`);
    expect(res.status, res.text.slice(0, 200)).toBe(200);
    const page = res.json() as AuditEventsPage;
    expect(page.items.length).toBeGreaterThan(0);
    for (const e of page.items) expect(e.actor).toEqual({ type: 'user', id: 'dev:demo-admin', name: 'Karim Benali' });
    const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM audit_events e WHERE e::text ILIKE '%Benali%' OR e::text ILIKE '%karim.benali%'`.execute(harness().h.db.owner);
    expect(rows[0]?.n).toBe('0');
  });

  it('are forgotten by the purge once the person holds no live enrolment, and only then', async () => {
    await as('partante', 'GET', '/api/web/v1/me');
    const signIns = () => harness().h.db.owner.selectFrom('person_sign_ins').select('subject').where('subject', 'in', ['demo-partante', 'demo-admin']).orderBy('subject').execute();
    expect(await forgetSignInsWithoutEnrolment(harness().h.db.runtime)).toBe(0);
    expect(rowOf(await enrolments(), 'partante')).toMatchObject({ name: 'Léa Partante', email: 'lea.partante@chaine.example' });
    const id = rowOf(await enrolments(), 'partante')?.id as string;
    expect((await as('admin', 'POST', `/api/web/v1/admin/enrolments/${id}/revoke`)).status).toBe(200);
    expect(await signIns()).toEqual([{ subject: 'demo-admin' }, { subject: 'demo-partante' }]);
    expect(await forgetSignInsWithoutEnrolment(harness().h.db.runtime)).toBe(1);
    expect(await signIns()).toEqual([{ subject: 'demo-admin' }]);
  });
});
