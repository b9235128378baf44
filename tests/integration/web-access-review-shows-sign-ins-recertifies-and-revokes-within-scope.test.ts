import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { enrol } from '../../gateway/src/auth/enrolments.js';
import type { AccessReviewPerson } from '../../gateway/src/api-types.js';
import { eventually } from '../support/gateway-harness.js';
import { webApiCalls, webHarnessWithAResult } from '../support/web-api-calls.js';

/**
 * The access review, as people signed in through the OIDC provider use it: who holds which role
 * where, when they last signed in and with what evidence, until when; recertifying and revoking
 * from there for those who manage enrolments; the gauge of admin enrolments left unused.
 */
const harness = webHarnessWithAResult();
const { as } = webApiCalls(harness);
const REVIEW = '/api/web/v1/admin/access-review';
const P1 = '759999907';
const DAY_MS = 86_400_000;
const SYSTEM = { type: 'system' as const, id: 'test' };

const review = async (who: string) => {
  const res = await as(who, 'GET', REVIEW);
  expect(res.status, res.text.slice(0, 200)).toBe(200);
  return res.json().items as AccessReviewPerson[];
};
const personIn = (items: AccessReviewPerson[], username: string) => items.find((p) => p.issuer === 'dev' && p.subject === `demo-${username}`);
const enrolmentOf = async (username: string) =>
  (await harness().h.db.owner.selectFrom('enrolments').select('id').where('subject', '=', `demo-${username}`).where('revoked_at', 'is', null).executeTakeFirstOrThrow()).id;

describe('the access review page', () => {
  it("shows each person's last sign-in and its MFA evidence, kept after the session and renewed by the next sign-in", async () => {
    const first = personIn(await review('admin'), 'admin');
    expect(first).toMatchObject({ mfaEvidence: 'mfa', lastSignInAt: expect.any(String) });
    expect(personIn(await review('admin'), 'pharmacien2')).toMatchObject({ lastSignInAt: null, mfaEvidence: null });
    await harness().signIn('admin');
    const again = personIn(await review('admin'), 'admin');
    expect(new Date(again?.lastSignInAt as string).getTime()).toBeGreaterThan(new Date(first?.lastSignInAt as string).getTime());
  });

  it("shows a pharmacy manager only its pharmacies' people and their enrolments there", async () => {
    const items = await review('titulaire1');
    expect(items.map((p) => p.subject).sort()).toEqual(['demo-pharmacien-deux-officines', 'demo-pharmacien-sans-mfa', 'demo-pharmacien1', 'demo-titulaire1']);
    expect(items.flatMap((p) => p.enrolments.map((e) => e.finess))).toEqual(items.flatMap((p) => p.enrolments.map(() => P1)));
  });

  it('recertifies an enrolment until a new expiry, audited, for a chain admin; auditors and DPOs only read', async () => {
    const id = await enrolmentOf('pharmacien1');
    const until = new Date(Date.now() + 200 * DAY_MS).toISOString();
    for (const reader of ['auditeur', 'dpo']) {
      expect(personIn(await review(reader), 'pharmacien1')).toBeDefined();
      expect((await as(reader, 'POST', `/api/web/v1/admin/enrolments/${id}/recertify`, { expiresAt: until })).status).toBe(403);
    }
    const res = await as('admin', 'POST', `/api/web/v1/admin/enrolments/${id}/recertify`, { expiresAt: until });
    expect(res.status, res.text).toBe(200);
    expect(personIn(await review('admin'), 'pharmacien1')?.enrolments).toEqual([expect.objectContaining({ id, expiresAt: until })]);
    const events = await harness().h.db.owner.selectFrom('audit_events').select(['action', 'actor_id', 'reason']).where('object_id', '=', id).where('action', '=', 'enrolment.recertify').execute();
    expect(events).toEqual([{ action: 'enrolment.recertify', actor_id: 'dev:demo-admin', reason: `until ${until.replace(/\.\d+Z$/, 'Z')}` }]);
  });

  it('refuses a pharmacy manager the recertification of its own enrolment', async () => {
    const id = await enrolmentOf('titulaire1');
    const before = personIn(await review('titulaire1'), 'titulaire1')?.enrolments[0]?.expiresAt;
    expect((await as('titulaire1', 'POST', `/api/web/v1/admin/enrolments/${id}/recertify`, { expiresAt: new Date(Date.now() + 100 * DAY_MS).toISOString() })).status).toBe(403);
    expect(personIn(await review('titulaire1'), 'titulaire1')?.enrolments[0]?.expiresAt).toBe(before);
  });

  it('drops a revoked enrolment from the review', async () => {
    const id = await enrolmentOf('pharmacien2');
    expect((await as('admin', 'POST', `/api/web/v1/admin/enrolments/${id}/revoke`)).status).toBe(200);
    expect(personIn(await review('admin'), 'pharmacien2')).toBeUndefined();
  });

  it('counts, on a gauge, the live admin enrolments whose person has not signed in for 90 days', async () => {
    const { h } = harness();
    const granted = async (subject: string, role: 'operator' | 'auditor' | 'chain-admin' | 'pharmacist', grantedDaysAgo: number, signedInDaysAgo?: number) => {
      const id = await enrol(h.db.owner, { issuer: 'dev', subject, role, ...(role === 'pharmacist' ? { pharmacy: P1 } : {}), expiresAt: new Date(Date.now() + DAY_MS), actor: SYSTEM });
      await h.db.owner.updateTable('enrolments').set({ created_at: sql`now() - make_interval(days => ${grantedDaysAgo})` }).where('id', '=', id).execute();
      if (signedInDaysAgo !== undefined) {
        await h.db.owner.insertInto('person_sign_ins').values({ issuer: 'dev', subject, mfa_evidence: 'mfa', last_sign_in_at: sql`now() - make_interval(days => ${signedInDaysAgo})` }).execute();
      }
    };
    await granted('never-signed-in', 'operator', 100);
    await granted('signed-in-long-ago', 'auditor', 200, 95);
    await granted('granted-lately', 'chain-admin', 30);
    await granted('signed-in-lately', 'chain-admin', 200, 10);
    await granted('counter-only', 'pharmacist', 100);
    await eventually(async () => ((await unusedGauge()) === 2 ? true : undefined));
    const unused = (await review('admin')).filter((p) => p.enrolments.some((e) => e.unused)).map((p) => p.subject);
    expect(unused.sort()).toEqual(['never-signed-in', 'signed-in-long-ago']);
  });
});

/** gateway_admin_enrolments_unused on the running gateway's /metrics. */
async function unusedGauge(): Promise<number | undefined> {
  const { h } = harness();
  const text = await fetch(`${h.metricsUrl}/metrics`, { headers: { authorization: `Bearer ${h.metricsToken}` } }).then((r) => r.text());
  const value = /^gateway_admin_enrolments_unused (\S+)$/m.exec(text)?.[1];
  return value === undefined ? undefined : Number(value);
}
