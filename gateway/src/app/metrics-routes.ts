import { timingSafeEqual, createHash } from 'node:crypto';
import { Hono } from 'hono';
import { sql } from 'kysely';
import type { AppEnv } from './env.js';
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
 * The internal listener: `/metrics` for Prometheus (bearer token from a file, as Prometheus'
 * `authorization.credentials_file` sends it), `/healthz` and `/readyz` saying only up or down.
 */
export function createMetricsRoutes(o: { metrics: Metrics; token: string; db: Database; keyManagerAvailable: () => boolean; auditAvailable: () => boolean }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/metrics', async (c) => {
    const auth = c.req.header('authorization') ?? '';
    if (!auth.startsWith('Bearer ') || !sameToken(auth.slice(7), o.token)) throw new Unauthenticated();
    return c.body(await o.metrics.registry.metrics(), 200, { 'content-type': o.metrics.registry.contentType });
  });

  app.get('/healthz', (c) => c.json({ status: 'up' }));

  app.get('/readyz', async (c) => {
    const database = await sql`SELECT 1`.execute(o.db).then(() => true, () => false);
    const ready = database && o.keyManagerAvailable() && o.auditAvailable();
    return c.json({ status: ready ? 'up' : 'down' }, ready ? 200 : 503);
  });

  return app;
}
