import { Hono } from 'hono';
import type { AppEnv } from '../app/env.js';
import { appendAuditNow } from '../audit/index.js';
import { auditActor } from '../auth/principal.js';
import type { Database } from '../db/index.js';
import type { Metrics } from '../observability/index.js';
import { GatewayError, ValidationFailed } from '../errors.js';
import type { Context, MiddlewareHandler } from 'hono';
import type { SubmitRequest, SubmitService, Accepted } from './submit.js';
import type { CorrectionService } from './corrections.js';
import { getResultStatus, listResultStatuses } from './status.js';

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
 * The pharmacy-software API, mounted under `/api/v1` on the mTLS listener behind
 * `clientCertificate`: every route below has a principal.
 */
export function createIntakeRoutes(deps: IntakeDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

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

  app.get('/openapi.json', (c) => c.json(deps.openapi()));

  app.post('/test-results', deps.jsonBody, async (c) => {
    const { answer } = await counted('submit', () => deps.submit.submit(request(c)));
    return c.json(answer, 202, NO_STORE);
  });

  app.get('/test-results', async (c) => {
    const principal = c.get('principal');
    const page = await listResultStatuses(deps.db, principal.pharmacyId, c.req.query());
    // A listing reads each status it shows: one event per result, as for a single read.
    await appendAuditNow(deps.db, page.items.map((v) => ({ actor: auditActor(principal), action: 'result.list-status', object: { type: 'test-result', id: v.id }, outcome: 'success' as const, requestId: c.get('requestId') })));
    return c.json(page, 200, NO_STORE);
  });

  app.get('/test-results/:id', async (c) => {
    const principal = c.get('principal');
    const view = await getResultStatus(deps.db, principal.pharmacyId, c.req.param('id'));
    await appendAuditNow(deps.db, { actor: auditActor(principal), action: 'result.read-status', object: { type: 'test-result', id: view.id }, outcome: 'success', requestId: c.get('requestId') });
    return c.json(view, 200, NO_STORE);
  });

  app.post('/test-results/:id/corrections', deps.jsonBody, async (c) => {
    const { answer } = await counted('correct', () => deps.corrections.correct({ ...request(c), resultId: c.req.param('id') }));
    return c.json(answer, 202, NO_STORE);
  });

  app.post('/test-results/:id/cancellation', deps.jsonBody, async (c) => {
    const { answer } = await counted('cancel', () => deps.corrections.cancel({ ...request(c), resultId: c.req.param('id') }));
    return c.json(answer, 202, NO_STORE);
  });

  return app;
}
