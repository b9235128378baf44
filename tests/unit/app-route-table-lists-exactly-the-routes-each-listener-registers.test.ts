import type { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createAdminApi } from '../../gateway/src/admin/index.js';
import { createMetricsRoutes } from '../../gateway/src/app/metrics-routes.js';
import { onError } from '../../gateway/src/http/index.js';
import { ROUTE_TABLE } from '../../gateway/src/app/index.js';
import { intakeOpenApiDocument } from '../../gateway/src/intake/openapi.js';
import { createIntakeRoutes, OPENAPI_ROUTE } from '../../gateway/src/intake/routes.js';
import { createLogger } from '../../gateway/src/observability/index.js';
import { createIntakeSchema } from '../../gateway/src/results/index.js';
import { createWebApp } from '../../gateway/src/web/app.js';

/**
 * The route table is the whole surface: each listener's app registers exactly its routes (a
 * handler added beside the table would have no access rule), and the matrix tests enumerate the
 * table. Building the apps touches no dependency, so empty ones do.
 */
const registered = (app: Hono<never>) => [...new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))].sort();
const listed = (routes: readonly { method: string; path: string }[]) => routes.map((r) => `${r.method} ${r.path}`).sort();

describe('the route table', () => {
  it('lists exactly the routes of the intake listener', () => {
    expect(registered(createIntakeRoutes({} as never) as never)).toEqual(listed(ROUTE_TABLE.intake));
  });

  it('lists exactly the routes of the metrics listener', () => {
    expect(registered(createMetricsRoutes({} as never) as never)).toEqual(listed(ROUTE_TABLE.metrics));
  });

  it('lists exactly the routes of the web listener, the admin API included', () => {
    const admin = createAdminApi({ keys: { kind: 'local' }, settings: { web: { revealsPerMinute: 10, revealBurst: 20, issuers: [] } } } as never);
    expect(registered(createWebApp({ admin } as never) as never)).toEqual(listed(ROUTE_TABLE.web));
  });

  it('matches the intake OpenAPI document, which documents every route but itself', () => {
    const doc = intakeOpenApiDocument(createIntakeSchema({ now: () => new Date() })) as { servers: { url: string }[]; paths: Record<string, { servers?: { url: string }[] } & Record<string, unknown>> };
    // a path's own servers (the well-known JWKS, at the root) override the document's
    const documented = Object.entries(doc.paths).flatMap(([path, { servers, ...ops }]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${(servers?.[0]?.url ?? doc.servers[0]?.url ?? '').replace(/\/$/, '')}${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(documented.sort()).toEqual(listed(ROUTE_TABLE.intake.filter((r) => r !== OPENAPI_ROUTE)));
  });

  it('declares each route once per listener', () => {
    for (const routes of Object.values(ROUTE_TABLE)) expect(new Set(listed(routes)).size).toBe(routes.length);
  });

  it('refuses every intake route to a request that carries no pharmacy principal, even if mounted without clientCertificate', async () => {
    const app = createIntakeRoutes({} as never);
    app.onError(onError({ log: createLogger({ level: 'silent' }) }));
    for (const r of ROUTE_TABLE.intake) {
      const res = await app.request(r.path.replace(':id', '00000000-0000-4000-8000-000000000000'), { method: r.method });
      expect(res.status, `${r.method} ${r.path}`).toBe(401);
    }
  });
});
