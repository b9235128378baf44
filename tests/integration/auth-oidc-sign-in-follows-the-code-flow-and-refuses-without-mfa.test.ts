import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebHarness, type WebHarness } from '../support/web-harness.js';

/**
 * Sign-in against a real `oidc-provider` over HTTPS, redirects followed with a cookie jar:
 * Authorization Code + PKCE + state + nonce, roles from enrolments only, MFA evidence from the
 * ID token for every role, Pro Santé Connect claims narrowing a pharmacist, RP-initiated logout,
 * and the audit trail.
 */
let w: WebHarness;

// a password-only pharmacist whose provider reports MFA in userinfo, not in the ID token
const mfaInUserinfoOnly = {
  username: 'pharmacien-mfa-userinfo',
  password: 'mfa-in-userinfo-only',
  subject: 'demo-pharmacien-mfa-userinfo',
  mfa: false,
  userinfoOnly: { acr: 'eidas1', amr: ['pwd', 'otp', 'mfa'] },
  rpps: '10000123504',
  pharmacistAt: ['759999907'],
  roles: ['pharmacist' as const],
  pharmacies: ['759999907'],
};

beforeAll(async () => {
  w = await startWebHarness({ morePeople: [mfaInUserinfoOnly] });
});
afterAll(async () => {
  await w?.close();
});

const loginEvents = async (actorId: string) =>
  w.h.db.owner.selectFrom('audit_events').select(['action', 'outcome', 'reason']).where('actor_id', '=', actorId).orderBy('seq').execute();

describe('OIDC sign-in on the web listener', () => {
  it('signs a pharmacist in and gives the roles and pharmacy of the enrolment', async () => {
    const { browser, page } = await w.signIn('pharmacien1');
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${w.webUrl}/auth/callback?${new URL(page.url).searchParams}`);
    const cookie = browser.cookies.get(w.webUrl)?.get('__Host-gw-session');
    expect(cookie?.attributes).toMatch(/HttpOnly/i);
    expect(cookie?.attributes).toMatch(/Secure/i);
    expect(cookie?.attributes).toMatch(/SameSite=Strict/i);
    expect(cookie?.attributes).toMatch(/Path=\//i);
    const me = await browser.fetch('GET', `${w.webUrl}/api/web/v1/me`);
    expect(me.status).toBe(200);
    expect(me.json()).toMatchObject({
      roles: ['pharmacist'],
      pharmacies: [{ finess: '759999907', roles: ['pharmacist'] }],
      user: { rpps: '10000123454', mfa: true },
      capabilities: { results: ['759999907'] },
    });
    expect(me.json().csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // the session id is stored hashed: the cookie's value appears nowhere in the database
    const rows = await w.h.db.owner.selectFrom('web_sessions').select('id_hash').execute();
    expect(rows.map((r) => r.id_hash)).not.toContain(cookie?.value);
    expect(await loginEvents(`dev:${w.person('pharmacien1').subject}`)).toContainEqual({ action: 'login', outcome: 'success', reason: 'mfa' });
  });

  it.each(['pharmacien-sans-mfa', 'admin-sans-mfa', mfaInUserinfoOnly.username])('refuses %s (a password alone in the ID token) with a page that says so', async (username) => {
    const { browser, page } = await w.signIn(username);
    expect(page.status).toBe(403);
    expect(page.text).toContain('multifacteur');
    expect(browser.cookies.get(w.webUrl)?.has('__Host-gw-session')).toBe(false);
    expect(await w.h.db.owner.selectFrom('web_sessions').select('subject').where('subject', '=', w.person(username).subject).execute()).toEqual([]);
    expect(await loginEvents(`dev:${w.person(username).subject}`)).toEqual([{ action: 'login', outcome: 'denied', reason: 'mfa-required' }]);
  });

  it('signs a chain-admin with MFA in, chain-wide', async () => {
    const { browser } = await w.signIn('admin');
    const me = (await browser.fetch('GET', `${w.webUrl}/api/web/v1/me`)).json();
    expect(me.roles).toEqual(['chain-admin']);
    expect(me.capabilities).toMatchObject({ redrive: 'all', certificates: 'all', keys: 'all' });
    expect(me.capabilities.results).toBeUndefined();
  });

  it('lets claims narrow but never widen: a pharmacist whose PSC sites do not name the pharmacy is refused', async () => {
    const p = w.person('pharmacien2');
    // enrolled for both pharmacies, but Pro Santé Connect names only 759999915
    const { enrol } = await import('../../gateway/src/auth/enrolments.js');
    await enrol(w.h.db.owner, { issuer: 'dev', subject: p.subject, role: 'pharmacist', pharmacy: '759999907', expiresAt: new Date(Date.now() + 3_600_000), actor: { type: 'system', id: 'test' } });
    const { browser } = await w.signIn('pharmacien2');
    const me = (await browser.fetch('GET', `${w.webUrl}/api/web/v1/me`)).json();
    expect(me.pharmacies.map((x: { finess: string }) => x.finess)).toEqual(['759999915']);
  });

  it('refuses a callback whose state this browser did not start', async () => {
    const b = w.browser();
    const res = await b.fetch('GET', `${w.webUrl}/auth/callback?code=x&state=forged`);
    expect(res.status).toBe(400);
  });

  it('signs out: the session ends here and at the provider (RP-initiated logout)', async () => {
    const { browser } = await w.signIn('exploitant');
    const me = (await browser.fetch('GET', `${w.webUrl}/api/web/v1/me`)).json();
    const out = await browser.fetch('POST', `${w.webUrl}/auth/logout`, { headers: { 'x-csrf-token': me.csrfToken, origin: w.webUrl } });
    expect(out.status).toBe(200);
    const redirect = new URL(out.json().redirect);
    expect(redirect.origin).toBe(w.provider.issuer);
    expect(redirect.searchParams.get('post_logout_redirect_uri')).toBe(`${w.webUrl}/auth/signed-out`);
    expect((await browser.fetch('GET', `${w.webUrl}/api/web/v1/me`)).status).toBe(401);
    // the provider asks to confirm, then returns to the gateway's signed-out page
    const confirm = await browser.fetch('GET', redirect.href);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.text)?.[1] as string;
    const action = /action="([^"]+)"/.exec(confirm.text)?.[1] as string;
    const back = await browser.fetch('POST', new URL(action, confirm.url).href, { form: { xsrf, logout: 'yes' } });
    expect(back.url).toBe(`${w.webUrl}/auth/signed-out`);
    expect(await loginEvents(`dev:${w.person('exploitant').subject}`)).toContainEqual({ action: 'logout', outcome: 'success', reason: null });
  });
});
