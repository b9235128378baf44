import { Hono, type Context, type Handler, type MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { appendAuditNow } from '../audit/index.js';
import { BREAK_GLASS_ISSUER, takeLoginLink } from '../auth/break-glass.js';
import { csrfTokenFor } from '../auth/csrf.js';
import { liveGrants } from '../auth/enrolments.js';
import { SignInRefused, type Oidc } from '../auth/oidc.js';
import type { UserPrincipal } from '../auth/principal.js';
import { MATRIX, signInRefusal, type Capability } from '../auth/rbac.js';
import { newSecret, SESSION_COOKIE, type LoginStates, type SessionStore } from '../auth/sessions.js';
import type { Database } from '../db/index.js';
import { Forbidden, NotFound, RateLimited, ValidationFailed } from '../errors.js';
import type { SubmitService } from '../intake/submit.js';
import type { CorrectionService } from '../intake/corrections.js';
import { getResultStatus, listResultStatuses } from '../intake/status.js';
import { listMessages, redrive } from '../outbox/index.js';
import type { Logger, Metrics } from '../observability/index.js';
import { auditGuard } from '../app/audit-guard.js';
import { accessLog, onError, requestId } from '../app/middleware.js';
import type { RateLimiter } from '../app/rate-limit.js';
import { authorize, sourceIp } from './access.js';
import type { WebEnv } from './env.js';
import { securityHeaders } from './headers.js';
import { breakGlassPage, issuerChoicePage, refusalPage, signedInPage, signedOutPage } from './pages.js';
import { WEB_ROUTES, type WebRoute } from './route-table.js';
import { staticFiles } from './static-files.js';

export interface WebDeps {
  db: Database;
  oidc: Oidc;
  sessions: SessionStore;
  loginStates: LoginStates;
  submit: SubmitService;
  corrections: CorrectionService;
  /** `https://host[:port]` as browsers see it. */
  publicOrigin: string;
  /** The built admin UI (`admin-ui/dist`), if any. */
  uiDir: string | undefined;
  /** Per client address, on the sign-in routes. */
  signInLimiter: RateLimiter;
  /** Per signed-in person, on every route behind a session. */
  userLimiter: RateLimiter;
  jsonBody: MiddlewareHandler<WebEnv>;
  idleSeconds: number;
  log: Logger;
  metrics: Metrics;
  /** False while the audit log lags beyond `audit.maxSealLagSeconds` (`createAuditGuard`). */
  auditAvailable: () => boolean;
  /** The admin UI's read API (`admin/routes.ts`): its routes, each behind `authorize`. */
  admin?: { routes: readonly WebRoute[]; app: Hono<WebEnv> };
}

/** Browser-binding cookie of a sign-in in progress: Lax, because the provider's redirect back is cross-site. */
const LOGIN_COOKIE = '__Host-gw-login';
/** Cookie and link tokens: 256 random bits, base64url. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NO_STORE = { 'cache-control': 'no-store' };
/** The same status resource, on this listener (the service answers with the API's URL). */
const onWeb = (statusUrl: string) => statusUrl.replace(/^\/api\/v1\//, '/api/web/v1/');

/**
 * The web listener: OIDC sign-in, the JSON API of the admin UI under `/api/web/v1`, and the
 * built UI's files. Every route is declared in `WEB_ROUTES` with who may call it.
 * @example const app = createWebApp({ db, oidc, sessions, loginStates, submit, publicOrigin, … });
 */
export function createWebApp(deps: WebDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  app.use(securityHeaders(), requestId(), accessLog({ log: deps.log, metrics: deps.metrics, listener: 'web' }));
  // Data-changing API routes fail closed while the audit log lags; sign-in/out stay open (a person can always leave).
  app.use('/api/web/v1/*', auditGuard<WebEnv>({ available: deps.auditAvailable }));
  const userRate: MiddlewareHandler<WebEnv> = async (c, next) => {
    const wait = deps.userLimiter.take(c.get('session').userId);
    if (wait > 0) throw new RateLimited(Math.ceil(wait));
    await next();
  };
  const on = (r: WebRoute, ...handlers: Handler<WebEnv>[]) =>
    r.access === 'public' ? app.on(r.method, r.path, authorize(deps, r.access), ...handlers) : app.on(r.method, r.path, authorize(deps, r.access), userRate, ...handlers);
  const audit = (c: Context<WebEnv>, e: { actor: { type: 'user' | 'anonymous'; id?: string }; action: string; outcome: 'success' | 'denied'; reason?: string; object?: { type: string; id: string } }) =>
    appendAuditNow(deps.db, { ...e, requestId: c.get('requestId'), sourceIp: sourceIp(c) });
  const signInRate: MiddlewareHandler<WebEnv> = async (c, next) => {
    const wait = deps.signInLimiter.take(sourceIp(c) ?? 'unknown');
    if (wait > 0) throw new RateLimited(Math.ceil(wait));
    await next();
  };
  const cookieBase = { path: '/', secure: true, httpOnly: true } as const;

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
      await audit(c, { actor: { type: 'anonymous' }, action: 'login', outcome: 'denied', reason: e.reason });
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
      await audit(c, { actor, action: 'login', outcome: 'success', reason: identity.mfa ? 'mfa' : 'single-factor' });
      setCookie(c, SESSION_COOKIE, token, { ...cookieBase, sameSite: 'Strict' });
      return c.html(signedInPage());
    } catch (e) {
      if (!(e instanceof SignInRefused)) throw e;
      if (e.cause) deps.log.warn({ requestId: c.get('requestId'), reason: e.reason }, 'sign-in refused');
      await audit(c, { actor, action: 'login', outcome: 'denied', reason: e.reason });
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
      await audit(c, { actor: { type: 'anonymous' }, action: 'login', outcome: 'denied', reason: 'break-glass-link-invalid' });
      return c.html(refusalPage('login-state-invalid'), 400);
    }
    const { token: sessionToken } = await deps.sessions.open(BREAK_GLASS_ISSUER, identity);
    await audit(c, { actor: { type: 'user', id: `${BREAK_GLASS_ISSUER}:${subject}` }, action: 'login', outcome: 'success', reason: 'break-glass' });
    setCookie(c, SESSION_COOKIE, sessionToken, { ...cookieBase, sameSite: 'Strict' });
    return c.html(signedInPage());
  });

  on(WEB_ROUTES.logout, async (c) => {
    const session = c.get('session');
    await deps.sessions.close(session.idHash);
    await audit(c, { actor: { type: 'user', id: session.userId }, action: 'logout', outcome: 'success' });
    deleteCookie(c, SESSION_COOKIE, { ...cookieBase });
    const end = await deps.oidc.endSessionUrl(session.issuer, `${deps.publicOrigin}${WEB_ROUTES.signedOut.path}`);
    // the UI navigates there: RP-initiated logout ends the provider's session too
    return c.json({ redirect: end?.href ?? WEB_ROUTES.signedOut.path }, 200, NO_STORE);
  });

  on(WEB_ROUTES.me, (c) => {
    const s = c.get('session');
    const rights = c.get('rights');
    const finessOf = new Map(rights.pharmacies.map((p) => [p.id, p.finess]));
    // capability → 'all' or the FINESS it reaches: what the UI shows (the server still checks)
    const capabilities: Partial<Record<Capability, 'all' | string[]>> = {};
    for (const cap of Object.keys(MATRIX) as Capability[]) {
      const scope = rights.scope(cap);
      if (scope === 'all' || scope.length) capabilities[cap] = scope === 'all' ? 'all' : scope.flatMap((id) => finessOf.get(id) ?? []);
    }
    return c.json(
      {
        user: { issuer: s.issuer, subject: s.subject, rpps: s.rpps, mfa: s.mfa },
        roles: rights.roles,
        pharmacies: rights.pharmacies,
        capabilities,
        csrfToken: csrfTokenFor(c.get('sessionToken')),
        sessionExpiresAt: s.expiresAt.toISOString(),
        idleTimeoutSeconds: deps.idleSeconds,
      },
      200,
      NO_STORE,
    );
  });

  /** The pharmacy a request is about: named by FINESS, or the only one the person holds. */
  const pharmacyFor = async (c: Context<WebEnv>, finess: unknown, pointer: string) => {
    const scope = c.get('rights').scope('results');
    const mine = c.get('rights').pharmacies.filter((p) => scope === 'all' || scope.includes(p.id));
    if (finess === undefined) {
      if (mine.length === 1) return mine[0] as (typeof mine)[number];
      throw new ValidationFailed([{ pointer, code: 'required' }]);
    }
    const p = mine.find((m) => m.finess === finess);
    if (!p) {
      await audit(c, { actor: { type: 'user', id: c.get('session').userId }, action: 'result.access', outcome: 'denied', reason: 'finess-mismatch' });
      throw new Forbidden('finess-mismatch');
    }
    return p;
  };

  on(WEB_ROUTES.submit, deps.jsonBody, async (c) => {
    const body = c.get('body');
    const named = body !== null && typeof body === 'object' ? (body as Record<string, unknown>).pharmacyFiness : undefined;
    const pharmacy = await pharmacyFor(c, named, '/pharmacyFiness');
    const session = c.get('session');
    const principal: UserPrincipal = { kind: 'user', pharmacyId: pharmacy.id, finess: pharmacy.finess, userId: session.userId, performerRpps: session.rpps };
    const { answer } = await deps.submit.submit({ principal, idempotencyKey: c.req.header('idempotency-key'), body, requestId: c.get('requestId'), sourceIp: sourceIp(c) });
    return c.json({ ...answer, statusUrl: onWeb(answer.statusUrl) }, 202, NO_STORE);
  });

  on(WEB_ROUTES.listResults, async (c) => {
    const { pharmacy: finess, status, since, limit, cursor } = c.req.query();
    const pharmacy = await pharmacyFor(c, finess, '/pharmacy');
    return c.json(await listResultStatuses(deps.db, pharmacy.id, { status, since, limit, cursor }), 200, NO_STORE);
  });

  /** The person's pharmacy holding result `id`; another pharmacy's result, or no UUID, is 404. */
  const pharmacyOfResult = async (c: Context<WebEnv>, id: string) => {
    const scope = c.get('rights').scope('results');
    const mine = c.get('rights').pharmacies.filter((p) => scope === 'all' || scope.includes(p.id));
    if (!UUID.test(id) || mine.length === 0) throw new NotFound();
    const row = await deps.db.selectFrom('test_results').select('pharmacy_id').where('id', '=', id.toLowerCase()).where('pharmacy_id', 'in', mine.map((p) => p.id)).executeTakeFirst();
    const pharmacy = mine.find((p) => p.id === row?.pharmacy_id);
    if (!pharmacy) throw new NotFound();
    return pharmacy;
  };

  const userPrincipal = (c: Context<WebEnv>, pharmacy: { id: string; finess: string }): UserPrincipal => {
    const session = c.get('session');
    return { kind: 'user', pharmacyId: pharmacy.id, finess: pharmacy.finess, userId: session.userId, performerRpps: session.rpps };
  };

  on(WEB_ROUTES.resultStatus, async (c) => {
    const id = c.req.param('id') ?? '';
    const view = await getResultStatus(deps.db, (await pharmacyOfResult(c, id)).id, id);
    await audit(c, { actor: { type: 'user', id: c.get('session').userId }, action: 'result.read-status', outcome: 'success', object: { type: 'test-result', id: view.id } });
    return c.json(view, 200, NO_STORE);
  });

  for (const change of ['correct', 'cancel'] as const) {
    on(WEB_ROUTES[change], deps.jsonBody, async (c) => {
      const resultId = c.req.param('id') ?? '';
      const principal = userPrincipal(c, await pharmacyOfResult(c, resultId));
      const { answer } = await deps.corrections[change]({ principal, resultId, idempotencyKey: c.req.header('idempotency-key'), body: c.get('body'), requestId: c.get('requestId'), sourceIp: sourceIp(c) });
      return c.json({ ...answer, statusUrl: onWeb(answer.statusUrl) }, 202, NO_STORE);
    });
  }

  on(WEB_ROUTES.deadLetters, async (c) => {
    const limit = Number(c.req.query('limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new ValidationFailed([{ pointer: '/limit', code: 'invalid-type' }]);
    return c.json({ items: await listMessages(deps.db, { state: 'dead', limit }) }, 200, NO_STORE);
  });

  on(WEB_ROUTES.redrive, async (c) => {
    const id = c.req.param('id') ?? '';
    if (!UUID.test(id)) throw new NotFound();
    const ids = await redrive(deps.db, { ids: [id.toLowerCase()], actor: { type: 'user', id: c.get('session').userId }, requestId: c.get('requestId') });
    if (ids.length === 0) throw new NotFound();
    return c.json({ redriven: ids }, 200, NO_STORE);
  });

  if (deps.admin) {
    // access rule (and per-person rate limit) first, then the admin app's handler
    for (const r of deps.admin.routes) on(r);
    app.route('/', deps.admin.app);
  }

  on(WEB_ROUTES.ui, staticFiles({ root: deps.uiDir }));

  app.notFound(() => {
    throw new NotFound();
  });
  app.onError(onError({ log: deps.log }));
  return app;
}
