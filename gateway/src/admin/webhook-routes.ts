import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { idParam, json, jsonRequest, WebhookEndpointsSchema, WebhookQueuedSchema, WebhookRemovedSchema, WebhookSecretSchema } from '../api-schemas/index.js';
import type { WebhookEndpoint } from '../api-types.js';
import type { Database } from '../db/index.js';
import { NotFound, RegistryConflict, ValidationFailed } from '../errors.js';
import { NO_STORE } from '../http/index.js';
import type { KeyManager } from '../keys/index.js';
import { isUuid } from '../uuid.js';
import { addEndpoint, findEndpoint, listEndpoints, registrationProblem, removeEndpoint, rotateSecret, sendTestEvent, type EndpointSummary } from '../webhooks/registry.js';
import { callbackEndpointId, recentCallbacks, replayCallback } from '../webhooks/store.js';
import type { WebEnv } from '../web/env.js';
import type { WebRoute } from '../web/route-table.js';
import { pharmacyIdParam } from './pharmacy-routes.js';
import { parseWebhookBody, WEBHOOK_BODY } from './registry-bodies.js';
import { requireScope } from './registry-access.js';
import { actorOf } from './requester.js';

/** Callbacks listed per endpoint: enough to see a failing streak and replay it. */
const RECENT_PER_ENDPOINT = 10;

/** Routes of the status-callback endpoints page; DESIGN.md puts webhooks on the certificates row. */
export const WEBHOOK_ROUTES = {
  list: { method: 'GET', path: '/api/web/v1/admin/webhooks', access: 'certificates', schemas: () => ({ summary: 'Live callback endpoints in scope, with their latest callbacks', responses: { 200: json('The endpoints', WebhookEndpointsSchema) } }) },
  add: {
    method: 'POST',
    path: '/api/web/v1/admin/pharmacies/:id/webhooks',
    access: 'certificates',
    schemas: () => ({ summary: 'Register a callback endpoint (allowNetworks: chain admins only)', request: { params: idParam, body: jsonRequest(WEBHOOK_BODY) }, responses: { 201: json('The endpoint id and its signing secret, answered once', WebhookSecretSchema) } }),
  },
  remove: {
    method: 'POST',
    path: '/api/web/v1/admin/webhooks/:id/remove',
    access: 'certificates',
    schemas: () => ({ summary: "Stop an endpoint's callbacks", request: { params: idParam }, responses: { 200: json('Removed', WebhookRemovedSchema) } }),
  },
  test: {
    method: 'POST',
    path: '/api/web/v1/admin/webhooks/:id/test',
    access: 'certificates',
    schemas: () => ({ summary: 'Queue a signed `test` event to an endpoint', request: { params: idParam }, responses: { 202: json('Queued', WebhookQueuedSchema) } }),
  },
  rotateSecret: {
    method: 'POST',
    path: '/api/web/v1/admin/webhooks/:id/rotate-secret',
    access: 'certificates',
    schemas: () => ({ summary: 'A new signing secret, answered once; the previous one signs too for 24 h', request: { params: idParam }, responses: { 200: json('The new secret', WebhookSecretSchema) } }),
  },
  replay: {
    method: 'POST',
    path: '/api/web/v1/admin/webhook-events/:id/replay',
    access: 'certificates',
    schemas: () => ({ summary: 'Send a dead or delivered callback again, with its webhook-id', request: { params: idParam }, responses: { 200: json('Queued again', WebhookQueuedSchema) } }),
  },
} as const satisfies Record<string, WebRoute>;

export interface WebhookRoutesDeps {
  db: Database;
  /** Seals each new signing secret. */
  keys: Pick<KeyManager, 'generateDataKey'>;
  jsonBody: MiddlewareHandler<WebEnv>;
}

/**
 * Status-callback endpoints for chain admins (any pharmacy) and pharmacy managers (their own),
 * through `webhooks/registry.ts` as the CLI: each change audited by endpoint or event id, never
 * the URL. Only chain admins allow-list networks past the SSRF guard. A signing secret is
 * answered once, at registration and at each rotation, and kept sealed.
 * @example const { routes, app } = createWebhookAdminRoutes({ db, keys, jsonBody });
 */
export function createWebhookAdminRoutes(deps: WebhookRoutesDeps): { routes: readonly WebRoute[]; app: Hono<WebEnv> } {
  const app = new Hono<WebEnv>();
  const R = WEBHOOK_ROUTES;

  /** The live endpoint the path names, once the person's scope reaches its pharmacy. */
  const endpointInScope = async (c: Context<WebEnv>): Promise<EndpointSummary> => {
    const id = c.req.param('id') ?? '';
    const endpoint = isUuid(id) ? await findEndpoint(deps.db, id.toLowerCase()) : undefined;
    if (!endpoint) throw new NotFound();
    await requireScope(deps.db, c, 'certificates', { pharmacyId: endpoint.pharmacyId });
    return endpoint;
  };

  app.get(R.list.path, async (c) => {
    const scope = await requireScope(deps.db, c, 'certificates');
    const endpoints = await listEndpoints(deps.db, scope.all ? undefined : scope.pharmacyIds);
    const { recent, counts } = await recentCallbacks(deps.db, endpoints.map((e) => e.id), RECENT_PER_ENDPOINT);
    const items: WebhookEndpoint[] = endpoints.map((e) => ({
      id: e.id,
      pharmacyId: e.pharmacyId,
      finess: e.finess,
      url: e.url,
      allowNetworks: e.allowNetworks,
      events: e.events as WebhookEndpoint['events'],
      hasCa: e.hasCa,
      rotating: e.rotating,
      createdAt: e.createdAt.toISOString(),
      counts: { pending: 0, delivered: 0, dead: 0, ...Object.fromEntries(counts.filter((n) => n.endpointId === e.id).map((n) => [n.status, n.count])) },
      recent: recent
        .filter((r) => r.endpointId === e.id)
        .map((r) => ({ id: r.id, type: r.type as WebhookEndpoint['recent'][number]['type'], status: r.status, attempts: r.attempts, lastErrorCode: r.lastErrorCode, createdAt: r.createdAt.toISOString(), deliveredAt: r.deliveredAt?.toISOString() ?? null })),
    }));
    return c.json({ items }, 200, NO_STORE);
  });

  app.post(R.add.path, deps.jsonBody, async (c) => {
    const pharmacyId = pharmacyIdParam(c);
    await requireScope(deps.db, c, 'certificates', { pharmacyId });
    const body = parseWebhookBody(c.get('body'));
    // past the SSRF guard is the chain's decision: a pharmacy manager may not even send the field
    if (body.allowNetworks !== undefined) await requireScope(deps.db, c, 'certificates', 'chain');
    const pharmacy = await deps.db.selectFrom('pharmacies').select('active').where('id', '=', pharmacyId).executeTakeFirst();
    if (!pharmacy) throw new NotFound();
    if (!pharmacy.active) throw new RegistryConflict('pharmacy-inactive');
    const registration = { ...body, pharmacyId, allowNetworks: body.allowNetworks ?? [] };
    const problem = await registrationProblem(registration);
    if (problem) throw new ValidationFailed([{ pointer: `/${problem.field}`, code: problem.code }]);
    return c.json(await addEndpoint(deps.db, deps.keys, registration, actorOf(c), c.get('session').userId), 201, NO_STORE);
  });

  app.post(R.remove.path, async (c) => {
    const { id } = await endpointInScope(c);
    if (!(await removeEndpoint(deps.db, id, actorOf(c)))) throw new NotFound();
    return c.json({ id, removed: true as const });
  });

  app.post(R.test.path, async (c) => {
    const { id } = await endpointInScope(c);
    return c.json({ eventId: await sendTestEvent(deps.db, id, actorOf(c)) }, 202);
  });

  app.post(R.rotateSecret.path, async (c) => {
    const { id } = await endpointInScope(c);
    const secret = await rotateSecret(deps.db, deps.keys, id, actorOf(c));
    if (secret === undefined) throw new NotFound();
    return c.json({ id, secret }, 200, NO_STORE);
  });

  app.post(R.replay.path, async (c) => {
    const eventId = (c.req.param('id') ?? '').toLowerCase();
    const endpointId = isUuid(eventId) ? await callbackEndpointId(deps.db, eventId) : undefined;
    const endpoint = endpointId === undefined ? undefined : await findEndpoint(deps.db, endpointId);
    if (!endpoint) throw new NotFound();
    await requireScope(deps.db, c, 'certificates', { pharmacyId: endpoint.pharmacyId });
    // none, or being sent now: nothing to queue again
    if (!(await replayCallback(deps.db, eventId, [endpoint.id], actorOf(c)))) throw new NotFound();
    return c.json({ eventId });
  });

  return { routes: Object.values(R), app };
}
