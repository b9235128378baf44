import { z } from '@hono/zod-openapi';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { auditActor, type PharmacyPrincipal } from '../auth/principal.js';
import { appendAuditNow } from '../audit/index.js';
import { Unauthenticated } from '../errors.js';
import { mountedAt, NO_STORE, type AppEnv, type Route } from '../http/index.js';
import { JWKS_ENDPOINT, JWS_MEDIA_TYPE, RECEIPT_ENDPOINTS, type Receipts } from '../receipts/index.js';
import { PREFILL_ENDPOINTS } from './prefill-api.js';
import type { PrefillService } from './prefills.js';
import { RESULTS_ENDPOINTS } from './results-api.js';
import { createResultsRoutes, type ResultsEnv, type ResultsRoutesDeps } from './results-routes.js';

export interface IntakeDeps extends Omit<ResultsRoutesDeps<ResultsEnv>, 'prefix' | 'caller'> {
  openapi: () => unknown;
  receipts: Receipts;
  prefills: PrefillService;
}

/**
 * Who may call an intake route: a pharmacy system by its client certificate (verified by the TLS
 * handshake, mapped to an active pharmacy by `clientCertificate`). Results are scoped to that
 * pharmacy: another pharmacy's result answers 404, never 403, so its existence does not leak.
 */
export type IntakeAccess = 'pharmacy-certificate';

/** One route of the intake listener and who may call it. */
export type IntakeRoute = Route<IntakeAccess>;

/** Where the intake listener serves its API. */
export const INTAKE_API_PREFIX = '/api/v1';

/** The intake API's own description (`intake/openapi.ts`), which documents every other route. */
export const OPENAPI_ROUTE = {
  method: 'GET',
  path: `${INTAKE_API_PREFIX}/openapi.json`,
  access: 'pharmacy-certificate',
  schemas: () => ({
    summary: 'This OpenAPI 3.1 document',
    responses: { 200: { description: 'The document', content: { 'application/json': { schema: z.object({ openapi: z.literal('3.1.0') }).loose() } } } },
  }),
} as const satisfies IntakeRoute;

/**
 * Every route of the intake listener: `createIntakeRoutes` registers exactly these, and the
 * authorization tests enumerate them (`app/route-table.ts`).
 */
export const INTAKE_ROUTES: readonly IntakeRoute[] = [
  OPENAPI_ROUTE,
  ...mountedAt(RESULTS_ENDPOINTS, INTAKE_API_PREFIX, 'pharmacy-certificate'),
  ...mountedAt(RECEIPT_ENDPOINTS, INTAKE_API_PREFIX, 'pharmacy-certificate'),
  ...mountedAt(PREFILL_ENDPOINTS, INTAKE_API_PREFIX, 'pharmacy-certificate'),
  { ...JWKS_ENDPOINT, access: 'pharmacy-certificate' },
];

/**
 * The caller's pharmacy, set by `clientCertificate`; fails closed if the listener forgot it: an
 * intake route answers pharmacy systems only, never a person's session.
 */
function certificatePharmacy<E extends AppEnv>(c: Context<E>): PharmacyPrincipal {
  const principal = c.get('principal');
  if (principal?.kind !== 'pharmacy') throw new Unauthenticated();
  return principal;
}

const pharmacyCertificate: MiddlewareHandler<AppEnv> = async function pharmacyCertificate(c, next) {
  certificatePharmacy(c);
  await next();
};

/**
 * The intake listener's caller resolver: the certificate's pharmacy, whatever a body names (the
 * submit service refuses another FINESS, audited) and whoever holds a result (a change of
 * another pharmacy's answers 404 from the service).
 */
const certificateCaller: MiddlewareHandler<ResultsEnv> = async function certificateCaller(c, next) {
  const principal = certificatePharmacy(c);
  const acting = () => Promise.resolve(principal);
  c.set('caller', { scope: { all: false, pharmacyIds: [principal.pharmacyId] }, actor: auditActor(principal), forPharmacy: acting, forResult: acting });
  await next();
};

/**
 * The pharmacy-software API of the mTLS listener, mounted at `/` behind `clientCertificate`,
 * the per-pharmacy rate limit and the audit guard.
 * @example intake.route('/', createIntakeRoutes({ db, submit, corrections, metrics, jsonBody, openapi }));
 */
export function createIntakeRoutes(deps: IntakeDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.on(OPENAPI_ROUTE.method, OPENAPI_ROUTE.path, pharmacyCertificate, (c) => c.json(deps.openapi()));
  app.route('/', createResultsRoutes({ ...deps, prefix: INTAKE_API_PREFIX, caller: certificateCaller }));
  app.on(RECEIPT_ENDPOINTS.receipt.method, `${INTAKE_API_PREFIX}${RECEIPT_ENDPOINTS.receipt.path}`, pharmacyCertificate, async (c) => {
    const principal = certificatePharmacy(c);
    const jws = await deps.receipts.receipt({ all: false, pharmacyIds: [principal.pharmacyId] }, c.req.param('id') ?? '');
    await appendAuditNow(deps.db, [{ actor: auditActor(principal), requestId: c.get('requestId'), sourceIp: c.env.incoming.socket.remoteAddress, action: 'result.read-receipt', object: { type: 'test-result', id: c.req.param('id') ?? '' }, outcome: 'success' }]);
    return c.body(jws, 200, { ...NO_STORE, 'content-type': JWS_MEDIA_TYPE });
  });
  app.on(JWKS_ENDPOINT.method, JWKS_ENDPOINT.path, pharmacyCertificate, async (c) => c.json(await deps.receipts.jwks()));
  // the token opens the counter for the certificate's pharmacy only (docs/counter-prefill.md)
  app.on(PREFILL_ENDPOINTS.issue.method, `${INTAKE_API_PREFIX}${PREFILL_ENDPOINTS.issue.path}`, pharmacyCertificate, deps.jsonBody, async (c) => {
    const issued = await deps.prefills.issue({ principal: certificatePharmacy(c), body: c.get('body'), requestId: c.get('requestId'), sourceIp: c.env.incoming.socket.remoteAddress });
    return c.json(issued, 201, NO_STORE);
  });
  return app;
}
