import type { Context, MiddlewareHandler } from 'hono';
import type { UserPrincipal } from '../auth/principal.js';
import type { Database } from '../db/index.js';
import { Forbidden, NotFound, ValidationFailed } from '../errors.js';
import type { SubmitService } from '../intake/submit.js';
import type { CorrectionService } from '../intake/corrections.js';
import { getResultStatus, listMessages, listResultStatuses, redrive } from '../results/lifecycle/index.js';
import { auditRequest, sourceIp } from './access.js';
import type { WebEnv } from './env.js';
import { NO_STORE } from './headers.js';
import { WEB_ROUTES, type RegisterWebRoute } from './route-table.js';

export interface ResultRoutesDeps {
  db: Database;
  submit: SubmitService;
  corrections: CorrectionService;
  jsonBody: MiddlewareHandler<WebEnv>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The same status resource, on this listener (the service answers with the API's URL). */
const onWeb = (statusUrl: string) => statusUrl.replace(/^\/api\/v1\//, '/api/web/v1/');

/**
 * Intake for people (submit, list, status, correct, cancel) through the same services as the
 * mTLS API, scoped to the pharmacies the person's rights reach; and the dead letters to redrive.
 * @example registerResultRoutes(on, { db, submit, corrections, jsonBody });
 */
export function registerResultRoutes(on: RegisterWebRoute, deps: ResultRoutesDeps): void {
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
      await auditRequest(deps.db, c, { actor: { type: 'user', id: c.get('session').userId }, action: 'result.access', outcome: 'denied', reason: 'finess-mismatch' });
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
    await auditRequest(deps.db, c, { actor: { type: 'user', id: c.get('session').userId }, action: 'result.read-status', outcome: 'success', object: { type: 'test-result', id: view.id } });
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
}
