import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { BREAK_GLASS_ISSUER, takeLoginLink } from '../auth/break-glass.js';
import type { Me } from '../api-types.js';
import { csrfTokenFor } from '../auth/csrf.js';
import { liveGrants } from '../auth/enrolments.js';
import { SignInRefused, type Oidc } from '../auth/oidc.js';
import { capabilitiesOf, signInRefusal } from '../auth/rbac.js';
import { newSecret, SESSION_COOKIE, type LoginStates, type SessionStore } from '../auth/sessions.js';
import type { Database } from '../db/index.js';
import { clientAddress, NO_STORE, rateLimit, type RateLimiter } from '../http/index.js';
import type { Logger } from '../observability/index.js';
import { auditRequest } from './access.js';
import type { WebEnv } from './env.js';
import { breakGlassPage, issuerChoicePage, refusalPage, signedInPage, signedOutPage } from './pages.js';
import { WEB_ROUTES, type RegisterWebRoute } from './route-table.js';

export interface SignInDeps {
  db: Database;
  oidc: Oidc;
  sessions: SessionStore;
  loginStates: LoginStates;
  /** `https://host[:port]` as browsers see it. */
  publicOrigin: string;
  /** Per client address, on the sign-in routes. */
  signInLimiter: RateLimiter;
  idleSeconds: number;
  log: Logger;
}

/** Browser-binding cookie of a sign-in in progress: Lax, because the provider's redirect back is cross-site. */
const LOGIN_COOKIE = '__Host-gw-login';
/** Cookie and link tokens: 256 random bits, base64url. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const cookieBase = { path: '/', secure: true, httpOnly: true } as const;

/**
 * Sign-in and out: the OIDC code flow, the break-glass link, and `/me` (who is signed in, with
 * what rights, and the CSRF token). Each refused or completed sign-in is audited.
 * @example registerSignInRoutes(on, { db, oidc, sessions, loginStates, publicOrigin, signInLimiter, idleSeconds, log });
 */
export function registerSignInRoutes(on: RegisterWebRoute, deps: SignInDeps): void {
  const signInRate = rateLimit<WebEnv>({ limiter: deps.signInLimiter, key: clientAddress });

  on(WEB_ROUTES.login, signInRate, async (c) => {
    const ids = deps.oidc.issuerIds();
    const issuer = c.req.query('issuer') ?? (ids.length === 1 ? ids[0] : undefined);
    if (!issuer || !deps.oidc.has(issuer)) {
      return c.html(issuerChoicePage(ids));
    }
    try {
      const { url, pending } = await deps.oidc.begin(issuer);
      const browser = newSecret();
      await deps.loginStates.save({ state: pending.state, browser, issuer, codeVerifier: pending.codeVerifier, nonce: pending.nonce });
      setCookie(c, LOGIN_COOKIE, browser, { ...cookieBase, sameSite: 'Lax', maxAge: 600 });
      return c.redirect(url.href, 302);
    } catch (e) {
      if (!(e instanceof SignInRefused)) throw e;
      await auditRequest(deps.db, c, { actor: { type: 'anonymous' }, action: 'login', outcome: 'denied', reason: e.reason });
      return c.html(refusalPage(e.reason), 502);
    }
  });

  on(WEB_ROUTES.callback, signInRate, async (c) => {
    const browser = getCookie(c, LOGIN_COOKIE);
    deleteCookie(c, LOGIN_COOKIE, { ...cookieBase });
    const state = c.req.query('state');
    const pending = state && browser ? await deps.loginStates.take(state, browser) : null;
    let actor: { type: 'user' | 'anonymous'; id?: string } = { type: 'anonymous' };
    try {
      if (!pending) throw new SignInRefused('login-state-invalid');
      // the redirect URI as registered (public origin), whatever Host a proxy forwarded
      const callbackUrl = new URL(WEB_ROUTES.callback.path, deps.publicOrigin);
      callbackUrl.search = new URL(c.req.url).search;
      const identity = await deps.oidc.complete(pending.issuer, callbackUrl, { state: state as string, ...pending });
      actor = { type: 'user', id: `${pending.issuer}:${identity.subject}` };
      const refusal = signInRefusal(await liveGrants(deps.db, pending.issuer, identity.subject), { finess: identity.finess, mfa: identity.mfa });
      if (refusal) throw new SignInRefused(refusal);
      const { token } = await deps.sessions.open(pending.issuer, identity);
      await auditRequest(deps.db, c, { actor, action: 'login', outcome: 'success', reason: identity.mfa ? 'mfa' : 'single-factor' });
      setCookie(c, SESSION_COOKIE, token, { ...cookieBase, sameSite: 'Strict' });
      return c.html(signedInPage());
    } catch (e) {
      if (!(e instanceof SignInRefused)) throw e;
      if (e.cause) deps.log.warn({ requestId: c.get('requestId'), reason: e.reason }, 'sign-in refused');
      // a refused person or link counts among authorization failures; the provider failing does not
      if (e.reason !== 'provider-error') c.set('refusal', e.reason);
      await auditRequest(deps.db, c, { actor, action: 'login', outcome: 'denied', reason: e.reason });
      return c.html(refusalPage(e.reason), e.reason === 'provider-error' ? 502 : e.reason === 'login-state-invalid' ? 400 : 403);
    }
  });

  on(WEB_ROUTES.signedOut, (c) => c.html(signedOutPage()));

  on(WEB_ROUTES.breakGlassPage, (c) => {
    const token = c.req.query('token') ?? '';
    return TOKEN.test(token) ? c.html(breakGlassPage(token)) : c.html(refusalPage('login-state-invalid'), 400);
  });

  on(WEB_ROUTES.breakGlass, signInRate, async (c) => {
    const origin = c.req.header('origin');
    const form = origin === undefined || origin === deps.publicOrigin ? await c.req.parseBody().catch(() => ({})) : {};
    const token = (form as Record<string, unknown>).token;
    const subject = typeof token === 'string' && TOKEN.test(token) ? await takeLoginLink(deps.db, token) : null;
    const grants = subject ? await liveGrants(deps.db, BREAK_GLASS_ISSUER, subject) : [];
    // the host's shell stands for the second factor: only the owner role can create a link
    const identity = { subject: subject ?? '', rpps: null, finess: null, mfa: true, acr: null };
    if (!subject || signInRefusal(grants, identity)) {
      c.set('refusal', 'break-glass-link-invalid');
      await auditRequest(deps.db, c, { actor: { type: 'anonymous' }, action: 'login', outcome: 'denied', reason: 'break-glass-link-invalid' });
      return c.html(refusalPage('login-state-invalid'), 400);
    }
    const { token: sessionToken } = await deps.sessions.open(BREAK_GLASS_ISSUER, identity);
    await auditRequest(deps.db, c, { actor: { type: 'user', id: `${BREAK_GLASS_ISSUER}:${subject}` }, action: 'login', outcome: 'success', reason: 'break-glass' });
    setCookie(c, SESSION_COOKIE, sessionToken, { ...cookieBase, sameSite: 'Strict' });
    return c.html(signedInPage());
  });

  on(WEB_ROUTES.logout, async (c) => {
    const session = c.get('session');
    await deps.sessions.close(session.idHash);
    await auditRequest(deps.db, c, { actor: { type: 'user', id: session.userId }, action: 'logout', outcome: 'success' });
    deleteCookie(c, SESSION_COOKIE, { ...cookieBase });
    const end = await deps.oidc.endSessionUrl(session.issuer, `${deps.publicOrigin}${WEB_ROUTES.signedOut.path}`);
    // the UI navigates there: RP-initiated logout ends the provider's session too
    return c.json({ redirect: end?.href ?? WEB_ROUTES.signedOut.path }, 200, NO_STORE);
  });

  on(WEB_ROUTES.me, (c) => {
    const s = c.get('session');
    const rights = c.get('rights');
    return c.json(
      {
        user: { issuer: s.issuer, subject: s.subject, rpps: s.rpps, mfa: s.mfa },
        roles: rights.roles,
        pharmacies: rights.pharmacies,
        capabilities: capabilitiesOf(rights),
        csrfToken: csrfTokenFor(c.get('sessionToken')),
        sessionExpiresAt: s.expiresAt.toISOString(),
        idleTimeoutSeconds: deps.idleSeconds,
      } satisfies Me,
      200,
      NO_STORE,
    );
  });
}
