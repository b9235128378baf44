import { timingSafeEqual, createHash } from 'node:crypto';
import { Hono, type Handler, type MiddlewareHandler } from 'hono';
import { sql } from 'kysely';
import type { AppEnv, Route } from '../http/index.js';
import type { Database } from '../db/index.js';
import type { Metrics } from '../observability/index.js';
import { Unauthenticated } from '../errors.js';

/** Compares digests, so neither the token's length nor its prefix leaks through timing. */
function sameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Who may call a route of the internal listener: Prometheus with its bearer token, or anyone for
 * the probes. The probes stay public because the kubelet calls them without credentials
 * (`deploy/kubernetes/gateway-deployment.yaml`); they say only up or down.
 */
export type MetricsAccess = 'metrics-token' | 'public';

/** One route of the internal listener and who may call it. */
export type MetricsRoute = Route<MetricsAccess>;

/**
 * Every route of the internal listener: `createMetricsRoutes` registers routes only through this
 * table, and the authorization tests enumerate it (`app/route-table.ts`).
 */
export const METRICS_ROUTES = {
  metrics: { method: 'GET', path: '/metrics', access: 'metrics-token' },
  health: { method: 'GET', path: '/healthz', access: 'public' },
  ready: { method: 'GET', path: '/readyz', access: 'public' },
} as const satisfies Record<string, MetricsRoute>;

/** Bearer token from a file, as Prometheus' `authorization.credentials_file` sends it; else 401. */
const metricsToken = (token: string): MiddlewareHandler<AppEnv> =>
  async function metricsToken(c, next) {
    const auth = c.req.header('authorization') ?? '';
    if (!auth.startsWith('Bearer ') || !sameToken(auth.slice(7), token)) throw new Unauthenticated();
    await next();
  };

/**
 * The internal listener: `/metrics` for Prometheus, `/healthz` and `/readyz` saying only up or down.
 * @example metricsApp.route('/', createMetricsRoutes({ metrics, token, db, keyManagerAvailable, auditAvailable }));
 */
export function createMetricsRoutes(o: { metrics: Metrics; token: string; db: Database; keyManagerAvailable: () => boolean; auditAvailable: () => boolean }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const requireToken = metricsToken(o.token);
  const on = (r: MetricsRoute, handler: Handler<AppEnv>) => (r.access === 'public' ? app.on(r.method, r.path, handler) : app.on(r.method, r.path, requireToken, handler));

  on(METRICS_ROUTES.metrics, async (c) => c.body(await o.metrics.registry.metrics(), 200, { 'content-type': o.metrics.registry.contentType }));

  on(METRICS_ROUTES.health, (c) => c.json({ status: 'up' }));

  on(METRICS_ROUTES.ready, async (c) => {
    const database = await sql`SELECT 1`.execute(o.db).then(() => true, () => false);
    const ready = database && o.keyManagerAvailable() && o.auditAvailable();
    return c.json({ status: ready ? 'up' : 'down' }, ready ? 200 : 503);
  });

  return app;
}
