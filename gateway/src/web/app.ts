import { Hono } from 'hono';
import { accessLog, answerWithProblems, auditGuard, rateLimit, requestId, type RateLimiter } from '../http/index.js';
import { createResultsRoutes, type ResultsRoutesDeps } from '../intake/results-routes.js';
import { authorize, type AccessDeps } from './access.js';
import type { WebEnv } from './env.js';
import { securityHeaders } from './headers.js';
import { registerDeadLetterRoutes } from './dead-letter-routes.js';
import type { PrefillService } from '../intake/prefills.js';
import { registerPrefillRoutes } from './prefill-routes.js';
import type { Receipts } from '../receipts/index.js';
import { sessionCaller } from './results-caller.js';
import { WEB_API_PREFIX, WEB_RESULTS_ROUTES, WEB_ROUTES, type RegisterWebRoute, type WebRoute } from './route-table.js';
import { registerSignInRoutes, type SignInDeps } from './sign-in-routes.js';
import { staticFiles } from './static-files.js';

export interface WebDeps extends SignInDeps, AccessDeps, Omit<ResultsRoutesDeps<WebEnv>, 'prefix' | 'caller'> {
  /** Delivery receipts: their public keys at `/.well-known/jwks.json`. */
  receipts: Pick<Receipts, 'jwks'>;
  /** One-time counter-prefill tokens, redeemed by the counter page. */
  prefills: PrefillService;
  /** The built admin UI (`admin-ui/dist`), if any. */
  uiDir: string | undefined;
  /** Per signed-in person, on every route behind a session. */
  userLimiter: RateLimiter;
  /** False while the audit log lags beyond `audit.maxSealLagSeconds` (`createAuditGuard`). */
  auditAvailable: () => boolean;
  /** The admin UI's read API (`admin/routes.ts`): its routes, each behind `authorize`. */
  admin?: { routes: readonly WebRoute[]; app: Hono<WebEnv> };
}

/**
 * The web listener: OIDC sign-in, the JSON API of the admin UI under `/api/web/v1`, and the
 * built UI's files. Every route is declared in `WEB_ROUTES` with who may call it.
 * @example const app = createWebApp({ db, oidc, sessions, loginStates, submit, publicOrigin, … });
 */
export function createWebApp(deps: WebDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  app.use(securityHeaders(), requestId(), accessLog({ log: deps.log, metrics: deps.metrics, listener: 'web' }));
  // Data-changing API routes fail closed while the audit log lags; sign-in/out stay open (a person can always leave).
  app.use(`${WEB_API_PREFIX}/*`, auditGuard<WebEnv>({ available: deps.auditAvailable }));
  const userRate = rateLimit<WebEnv>({ limiter: deps.userLimiter, key: (c) => c.get('session').userId });
  const on: RegisterWebRoute = (r, ...handlers) => {
    if (r.access === 'public') app.on(r.method, r.path, authorize(deps, r.access), ...handlers);
    else app.on(r.method, r.path, authorize(deps, r.access), userRate, ...handlers);
  };

  registerSignInRoutes(on, deps);
  // the intake listener's results API: the `results` right first, then the person's pharmacies
  for (const r of WEB_RESULTS_ROUTES) on(r);
  app.route('/', createResultsRoutes({ ...deps, prefix: WEB_API_PREFIX, caller: sessionCaller(deps) }));
  registerDeadLetterRoutes(on, deps);
  registerPrefillRoutes(on, deps);
  if (deps.admin) {
    // access rule (and per-person rate limit) first, then the admin app's handler
    for (const r of deps.admin.routes) on(r);
    app.route('/', deps.admin.app);
  }

  on(WEB_ROUTES.jwks, async (c) => c.json(await deps.receipts.jwks()));
  on(WEB_ROUTES.ui, staticFiles({ root: deps.uiDir }));

  answerWithProblems(app, { log: deps.log });
  return app;
}
