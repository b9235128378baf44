import { Hono } from 'hono';
import type { AppEnv, Route } from '../http/index.js';
import { appendAuditNow } from '../audit/index.js';
import { auditActor } from '../auth/principal.js';
import type { Database } from '../db/index.js';
import type { Metrics } from '../observability/index.js';
import { GatewayError, Unauthenticated, ValidationFailed } from '../errors.js';
import type { Context, Handler, MiddlewareHandler } from 'hono';
import type { SubmitRequest, SubmitService } from './submit.js';
import type { CorrectionService } from './corrections.js';
import { getResultStatus, listResultStatuses, type Accepted } from '../results/lifecycle/index.js';

export interface IntakeDeps {
  db: Database;
  submit: SubmitService;
  corrections: CorrectionService;
  metrics: Metrics;
  /** Middleware that checks type, size and JSON syntax of a body (`jsonBody`). */
  jsonBody: MiddlewareHandler<AppEnv>;
  openapi: () => unknown;
}

const NO_STORE = { 'cache-control': 'no-store' };

/**
 * Who may call an intake route: a pharmacy system by its client certificate (verified by the TLS
 * handshake, mapped to an active pharmacy by `clientCertificate`). Results are scoped to that
 * pharmacy: another pharmacy's result answers 404, never 403, so its existence does not leak.
 */
export type IntakeAccess = 'pharmacy-certificate';

/** One route of the intake listener and who may call it. */
export type IntakeRoute = Route<IntakeAccess>;

/**
 * Every route of the intake listener: `createIntakeRoutes` registers routes only through this
 * table, and the authorization tests enumerate it (`app/route-table.ts`).
 */
export const INTAKE_ROUTES = {
  openapi: { method: 'GET', path: '/api/v1/openapi.json', access: 'pharmacy-certificate' },
  submit: { method: 'POST', path: '/api/v1/test-results', access: 'pharmacy-certificate' },
  listResults: { method: 'GET', path: '/api/v1/test-results', access: 'pharmacy-certificate' },
  resultStatus: { method: 'GET', path: '/api/v1/test-results/:id', access: 'pharmacy-certificate' },
  correct: { method: 'POST', path: '/api/v1/test-results/:id/corrections', access: 'pharmacy-certificate' },
  cancel: { method: 'POST', path: '/api/v1/test-results/:id/cancellation', access: 'pharmacy-certificate' },
} as const satisfies Record<string, IntakeRoute>;

/**
 * Fails closed if the listener forgot `clientCertificate`: an intake route answers pharmacy
 * systems only, never a person's session.
 */
const pharmacyCertificate: MiddlewareHandler<AppEnv> = async function pharmacyCertificate(c, next) {
  if (c.get('principal')?.kind !== 'pharmacy') throw new Unauthenticated();
  await next();
};

/**
 * The pharmacy-software API of the mTLS listener, mounted at `/` behind `clientCertificate`,
 * the per-pharmacy rate limit and the audit guard.
 * @example intake.route('/', createIntakeRoutes({ db, submit, corrections, metrics, jsonBody, openapi }));
 */
export function createIntakeRoutes(deps: IntakeDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const on = (r: IntakeRoute, ...handlers: Handler<AppEnv>[]) => app.on(r.method, r.path, pharmacyCertificate, ...handlers);

  const request = (c: Context<AppEnv>): SubmitRequest => ({
    principal: c.get('principal'),
    idempotencyKey: c.req.header('idempotency-key'),
    body: c.get('body'),
    requestId: c.get('requestId'),
    sourceIp: c.env.incoming.socket.remoteAddress,
  });

  /** Counts every answer of a write route by outcome, and validation failures by rule. */
  async function counted(route: string, work: () => Promise<Accepted>): Promise<Accepted> {
    try {
      const accepted = await work();
      deps.metrics.intakeRequests.inc({ route, outcome: accepted.replayed ? 'replayed' : 'accepted' });
      return accepted;
    } catch (e) {
      deps.metrics.intakeRequests.inc({ route, outcome: e instanceof GatewayError ? e.code : 'internal' });
      if (e instanceof ValidationFailed) for (const issue of e.errors) deps.metrics.validationFailures.inc({ rule: issue.code });
      throw e;
    }
  }

  on(INTAKE_ROUTES.openapi, (c) => c.json(deps.openapi()));

  on(INTAKE_ROUTES.submit, deps.jsonBody, async (c) => {
    const { answer } = await counted('submit', () => deps.submit.submit(request(c)));
    return c.json(answer, 202, NO_STORE);
  });

  on(INTAKE_ROUTES.listResults, async (c) => {
    const principal = c.get('principal');
    const page = await listResultStatuses(deps.db, principal.pharmacyId, c.req.query());
    // A listing reads each status it shows: one event per result, as for a single read.
    await appendAuditNow(deps.db, page.items.map((v) => ({ actor: auditActor(principal), action: 'result.list-status', object: { type: 'test-result', id: v.id }, outcome: 'success' as const, requestId: c.get('requestId') })));
    return c.json(page, 200, NO_STORE);
  });

  on(INTAKE_ROUTES.resultStatus, async (c) => {
    const principal = c.get('principal');
    const view = await getResultStatus(deps.db, principal.pharmacyId, c.req.param('id') ?? '');
    await appendAuditNow(deps.db, { actor: auditActor(principal), action: 'result.read-status', object: { type: 'test-result', id: view.id }, outcome: 'success', requestId: c.get('requestId') });
    return c.json(view, 200, NO_STORE);
  });

  on(INTAKE_ROUTES.correct, deps.jsonBody, async (c) => {
    const { answer } = await counted('correct', () => deps.corrections.correct({ ...request(c), resultId: c.req.param('id') ?? '' }));
    return c.json(answer, 202, NO_STORE);
  });

  on(INTAKE_ROUTES.cancel, deps.jsonBody, async (c) => {
    const { answer } = await counted('cancel', () => deps.corrections.cancel({ ...request(c), resultId: c.req.param('id') ?? '' }));
    return c.json(answer, 202, NO_STORE);
  });

  return app;
}
