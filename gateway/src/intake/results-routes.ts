import { Hono, type Context, type Handler, type MiddlewareHandler } from 'hono';
import { appendAuditNow, type AuditEvent } from '../audit/index.js';
import type { Principal } from '../auth/principal.js';
import type { Database } from '../db/index.js';
import { GatewayError, ValidationFailed } from '../errors.js';
import { NO_STORE, type AppEnv, type Endpoint } from '../http/index.js';
import type { Metrics } from '../observability/index.js';
import { getResultStatus, listResultStatuses, type Accepted, type AcceptedAnswer, type PharmacyScope } from '../results/lifecycle/index.js';
import type { CorrectionService } from './corrections.js';
import { RESULTS_ENDPOINTS, type ResultsSchemasGiven } from './results-api.js';
import type { SubmitRequest, SubmitService } from './submit.js';

/**
 * Who calls a results route, as the listener's resolver found them (a pharmacy system by its
 * certificate, a person by their session): the pharmacies they reach, and as whom a request acts.
 */
export interface ResultsCaller {
  /** The pharmacies whose results the caller reads. */
  scope: PharmacyScope;
  /** Who reads, for the audit. */
  actor: AuditEvent['actor'];
  /** Acting for the pharmacy a submission or a listing names by FINESS (at `pointer`), or the caller's own. */
  forPharmacy(finess: unknown, pointer: string): Promise<Principal>;
  /** Acting for the pharmacy holding result `id`; a result of none of the caller's pharmacies is 404. */
  forResult(id: string): Promise<Principal>;
}

/** How a result was read: its status in a listing or on its own, or in today's list at the counter (initials and result). */
export type ResultReadAction = 'result.list-status' | 'result.read-status' | 'result.list-summary';

/**
 * Audits each result a caller was shown, one event per result, before the answer leaves: every
 * listing and status read of the gateway (intake, the web's results API, the admin UI's results
 * page) goes through here. Fails closed (`audit-unavailable`): no audit, no answer.
 * @example await auditResultReads(db, { actor, requestId, sourceIp }, 'result.list-status', page.items.map((v) => v.id));
 */
export function auditResultReads(db: Database, who: Pick<AuditEvent, 'actor' | 'requestId' | 'sourceIp'>, action: ResultReadAction, ids: readonly string[]): Promise<void> {
  return appendAuditNow(db, ids.map((id) => ({ ...who, action, object: { type: 'test-result', id }, outcome: 'success' as const })));
}

/** The variables of a results route: the listener's, and the caller its resolver set. */
export interface ResultsEnv extends AppEnv {
  Variables: AppEnv['Variables'] & { caller: ResultsCaller };
}

export interface ResultsRoutesDeps<E extends ResultsEnv> {
  /** Where the listener serves them (`/api/v1`, `/api/web/v1`): paths and status URLs start with it. */
  prefix: string;
  /** The listener's caller resolver: sets `caller`, or refuses the request. */
  caller: MiddlewareHandler<E>;
  db: Database;
  submit: SubmitService;
  corrections: CorrectionService;
  metrics: Metrics;
  /** Middleware that checks type, size and JSON syntax of a body (`jsonBody`). */
  jsonBody: MiddlewareHandler<E>;
}


/**
 * The results API (`RESULTS_ENDPOINTS`) under `prefix`, each route behind the listener's caller
 * resolver, whose scope every query takes. Mounted at `/` by both listeners: intake and web
 * share validation, idempotency, audit and metrics.
 * @example app.route('/', createResultsRoutes({ prefix: '/api/v1', caller: certificateCaller, db, submit, corrections, metrics, jsonBody }));
 */
export function createResultsRoutes<E extends ResultsEnv>(deps: ResultsRoutesDeps<E>): Hono<E> {
  const app = new Hono<E>();
  const on = (e: Endpoint<ResultsSchemasGiven>, ...handlers: Handler<E>[]) => app.on(e.method, `${deps.prefix}${e.path}`, deps.caller, ...handlers);
  const statusUrl = (id: string) => `${deps.prefix}${RESULTS_ENDPOINTS.status.path.replace(':id', id)}`;

  const request = (c: Context<E>, principal: Principal): SubmitRequest => ({
    principal,
    idempotencyKey: c.req.header('idempotency-key'),
    body: c.get('body'),
    requestId: c.get('requestId'),
    sourceIp: c.env.incoming.socket.remoteAddress,
  });

  const auditReads = (c: Context<E>, action: ResultReadAction, ids: readonly string[]) =>
    auditResultReads(deps.db, { actor: c.get('caller').actor, requestId: c.get('requestId'), sourceIp: c.env.incoming.socket.remoteAddress }, action, ids);

  /**
   * Counts every answer of a write route by outcome, and validation failures by rule; answers
   * 202 with the status URL of `statusOf`'s result, on this listener.
   */
  async function accepted(c: Context<E>, route: string, work: () => Promise<Accepted>, statusOf: (a: AcceptedAnswer) => string) {
    let done: Accepted;
    try {
      done = await work();
    } catch (e) {
      deps.metrics.intakeRequests.inc({ route, outcome: e instanceof GatewayError ? e.code : 'internal' });
      if (e instanceof ValidationFailed) for (const issue of e.errors) deps.metrics.validationFailures.inc({ rule: issue.code });
      throw e;
    }
    deps.metrics.intakeRequests.inc({ route, outcome: done.replayed ? 'replayed' : 'accepted' });
    return c.json({ ...done.answer, statusUrl: statusUrl(statusOf(done.answer)) }, 202, NO_STORE);
  }

  on(RESULTS_ENDPOINTS.submit, deps.jsonBody, async (c) => {
    const body = c.get('body');
    const named = typeof body === 'object' && body !== null && 'pharmacyFiness' in body ? body.pharmacyFiness : undefined;
    const principal = await c.get('caller').forPharmacy(named, '/pharmacyFiness');
    return accepted(c, 'submit', () => deps.submit.submit(request(c, principal)), (a) => a.id);
  });

  on(RESULTS_ENDPOINTS.list, async (c) => {
    const { pharmacy, status, since, limit, cursor } = c.req.query();
    const { pharmacyId } = await c.get('caller').forPharmacy(pharmacy, '/pharmacy');
    const page = await listResultStatuses(deps.db, { all: false, pharmacyIds: [pharmacyId] }, { status, since, limit, cursor });
    await auditReads(c, 'result.list-status', page.items.map((v) => v.id));
    return c.json(page, 200, NO_STORE);
  });

  on(RESULTS_ENDPOINTS.status, async (c) => {
    const view = await getResultStatus(deps.db, c.get('caller').scope, c.req.param('id') ?? '');
    await auditReads(c, 'result.read-status', [view.id]);
    return c.json(view, 200, NO_STORE);
  });

  // a correction's status is the corrected result's; a cancellation's, the cancelled one's
  const changes = { correct: (a: AcceptedAnswer) => a.id, cancel: (a: AcceptedAnswer) => a.resultId ?? a.id };
  for (const change of ['correct', 'cancel'] as const) {
    on(RESULTS_ENDPOINTS[change], deps.jsonBody, async (c) => {
      const resultId = c.req.param('id') ?? '';
      const principal = await c.get('caller').forResult(resultId);
      return accepted(c, change, () => deps.corrections[change]({ ...request(c, principal), resultId }), changes[change]);
    });
  }

  return app;
}
