import { z } from '@hono/zod-openapi';
import { Hono, type MiddlewareHandler } from 'hono';
import { idParam, json, jsonRequest, OverviewSchema, PharmaciesSchema, ReferenceSchema, ResultDetailSchema, ResultRowsSchema, RevealedResultSchema, StatisticsSchema, SystemSummarySchema } from '../api-schemas/index.js';
import type { Pharmacy, Statistics } from '../api-types.js';
import { appendAuditNow } from '../audit/index.js';
import { createRateLimiter, rateLimit } from '../http/index.js';
import { auditResultReads } from '../intake/results-routes.js';
import type { Metrics } from '../observability/index.js';
import type { Settings } from '../config/index.js';
import type { KeyManager } from '../keys/index.js';
import type { Database } from '../db/index.js';
import type { CertificateAuthority } from '../pki/index.js';
import { JWS_MEDIA_TYPE, type Receipts } from '../receipts/index.js';
import { RESULT_STATUSES, type ResultSealer } from '../results/lifecycle/index.js';
import type { TestResultInput } from '../results/index.js';
import { readOverview } from './overview.js';
import { createAuditAdminRoutes } from './audit-routes.js';
import { createKeyAdminRoutes } from './keys-routes.js';
import { createCertificateAdminRoutes } from './certificate-routes.js';
import { createEnrolmentAdminRoutes } from './enrolment-routes.js';
import { createAccessReviewRoutes } from './access-review-routes.js';
import { createPharmacyAdminRoutes } from './pharmacy-routes.js';
import { createOffboardingAdminRoutes } from './offboarding-routes.js';
import { createSubjectRoutes } from './subjects-routes.js';
import { createCounterRoutes } from './counter-routes.js';
import { createWebhookAdminRoutes } from './webhook-routes.js';
import { REFERENCE_LISTS } from './reference.js';
import { parseRevealBody, REVEAL_BODY, revealResult } from './reveal.js';
import { readResultDetail, searchResults } from './results-search.js';
import { parseStatisticsQuery, readStatistics, STATISTICS_QUERY, statisticsCsv } from './statistics.js';
import { readSystemSummary } from './system-summary.js';
import { requireScope } from './registry-access.js';
import { requester as who } from './requester.js';
import type { WebEnv } from '../web/env.js';
import type { WebRoute } from '../web/route-table.js';

export interface AdminDeps {
  db: Database;
  settings: Settings;
  /** Key status (system and keys pages), rotation and rewrap (keys page, chain admins), sealing callback secrets. */
  keys: Pick<KeyManager, 'kind' | 'keyVersions' | 'blindIndexKeys' | 'rotate' | 'rewrapDataKeys' | 'generateDataKey'>;
  /** The audit checkpoint signer's public keys, for the auditor's verification and export. */
  auditPublicKeys?: () => Promise<Record<number, string>>;
  keyManagerAvailable: () => boolean;
  /** The configured CA, when this process holds it (certificate issuance from the pharmacies page). */
  certificateAuthority?: CertificateAuthority;
  /** Opens a sealed result for a stated purpose (the reveal route). */
  sealer: ResultSealer<TestResultInput>;
  /** Signed delivery receipts (the printable receipt of the results page). */
  receipts: Pick<Receipts, 'receipt'>;
  /** Counts reveals by outcome (`gateway_reveals_total`). */
  metrics: Pick<Metrics, 'reveals'>;
  /** The web listener's JSON body check (type, size, parse). */
  jsonBody: MiddlewareHandler<WebEnv>;
  now?: () => Date;
}

/**
 * The admin routes and who may reach them (the web listener's `authorize`: 401 without a
 * session, 403 without the right); a handler then narrows to the right's pharmacies.
 */
export const ADMIN_ROUTES = {
  reference: { method: 'GET', path: '/api/web/v1/reference', access: 'session', schemas: () => ({ summary: 'The coded values of the entry page', responses: { 200: json('The lists', ReferenceSchema) } }) },
  pharmacies: { method: 'GET', path: '/api/web/v1/pharmacies', access: 'session', schemas: () => ({ summary: "The pharmacies of the person's enrolments", responses: { 200: json('The pharmacies', PharmaciesSchema) } }) },
  overview: { method: 'GET', path: '/api/web/v1/admin/overview', access: 'key-status', schemas: () => ({ summary: 'The overview figures', responses: { 200: json('The figures', OverviewSchema) } }) },
  results: {
    method: 'GET',
    path: '/api/web/v1/admin/results',
    access: 'receipts',
    schemas: () => ({
      summary: 'Result receipts, newest first',
      request: { query: z.object({ id: z.string().optional(), status: z.enum(RESULT_STATUSES).optional() }) },
      responses: { 200: json('The receipts', ResultRowsSchema) },
    }),
  },
  result: {
    method: 'GET',
    path: '/api/web/v1/admin/results/:id',
    access: 'receipts',
    schemas: () => ({ summary: 'One result with its history and messages', request: { params: idParam }, responses: { 200: json('The result', ResultDetailSchema) } }),
  },
  receipt: {
    method: 'GET',
    path: '/api/web/v1/admin/results/:id/receipt',
    access: 'receipts',
    schemas: () => ({
      summary: 'The signed delivery receipt (compact JWS); 404 before delivery',
      request: { params: idParam },
      responses: { 200: { description: 'The receipt', content: { [JWS_MEDIA_TYPE]: { schema: z.string() } } } },
    }),
  },
  statistics: {
    method: 'GET',
    path: '/api/web/v1/admin/statistics',
    access: 'statistics',
    schemas: () => ({
      summary: 'Volumes per pharmacy and period',
      request: { query: STATISTICS_QUERY },
      responses: { 200: { description: 'The volumes, as JSON or CSV (`format`)', content: { 'application/json': { schema: StatisticsSchema }, 'text/csv': { schema: z.string() } } } },
    }),
  },
  system: { method: 'GET', path: '/api/web/v1/admin/system', access: 'key-status', schemas: () => ({ summary: "Doctor's checks and the configuration", responses: { 200: json('The summary', SystemSummarySchema) } }) },
  // a POST: it is audited, and needs the CSRF token like every change
  reveal: {
    method: 'POST',
    path: '/api/web/v1/test-results/:id/reveal',
    access: 'reveal',
    schemas: () => ({ summary: 'Open a sealed result for a stated purpose', request: { params: idParam, body: jsonRequest(REVEAL_BODY) }, responses: { 200: json('The result', RevealedResultSchema) } }),
  },
} as const satisfies Record<string, WebRoute>;

const PARIS_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });

/**
 * The admin UI's API beyond sessions and intake: reference lists, overview, results search,
 * statistics (JSON or CSV), the system summary with key status, pharmacies with their
 * certificates (read only), and the audited reveal of a sealed result. Each route names its
 * right (`auth/rbac.ts`); a refusal is audited and answers 403.
 * @example createWebServer({ …, admin: createAdminApi({ db, settings, keys, keyManagerAvailable, sealer, jsonBody }) });
 */
export function createAdminApi(deps: AdminDeps): { routes: readonly WebRoute[]; app: Hono<WebEnv> } {
  const now = deps.now ?? (() => new Date());
  const app = new Hono<WebEnv>();
  const R = ADMIN_ROUTES;

  // any signed-in person: coded values only, the same for everyone
  app.get(R.reference.path, (c) => c.json(REFERENCE_LISTS));

  // the pharmacies of the person's enrolments, with their names (receipts, filters)
  app.get(R.pharmacies.path, async (c) => {
    const ids = c.get('rights').pharmacies.map((p) => p.id);
    const items: Pharmacy[] = ids.length ? await deps.db.selectFrom('pharmacies').select(['id', 'finess', 'name', 'active']).where('id', 'in', ids).orderBy('finess').execute() : [];
    return c.json({ items });
  });

  app.get(R.overview.path, async (c) => c.json(await readOverview(deps.db, now())));

  app.get(R.results.path, async (c) => {
    const scope = await requireScope(deps.db, c, 'receipts');
    const found = await searchResults(deps.db, scope, { id: c.req.query('id'), status: c.req.query('status') });
    await auditResultReads(deps.db, who(c), 'result.list-status', found.items.map((r) => r.id));
    return c.json(found);
  });

  app.get(R.receipt.path, async (c) => {
    const scope = await requireScope(deps.db, c, 'receipts');
    const jws = await deps.receipts.receipt(scope, c.req.param('id'));
    await appendAuditNow(deps.db, [{ ...who(c), action: 'result.read-receipt', object: { type: 'test-result', id: c.req.param('id') }, outcome: 'success' }]);
    return c.body(jws, 200, { 'cache-control': 'no-store', 'content-type': JWS_MEDIA_TYPE });
  });

  app.get(R.result.path, async (c) => {
    const scope = await requireScope(deps.db, c, 'receipts');
    const detail = await readResultDetail(deps.db, scope, c.req.param('id'));
    await auditResultReads(deps.db, who(c), 'result.read-status', [detail.result.id]);
    return c.json(detail);
  });

  app.get(R.statistics.path, async (c) => {
    const scope = await requireScope(deps.db, c, 'statistics');
    const q = parseStatisticsQuery(c.req.query(), PARIS_DAY.format(now()));
    const rows = await readStatistics(deps.db, scope, q);
    if (q.format === 'json') return c.json({ period: q.period, from: q.from, to: q.to, rows } satisfies Statistics);
    await appendAuditNow(deps.db, { ...who(c), action: 'statistics.export', outcome: 'success', reason: q.period });
    return c.body(statisticsCsv(rows), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="statistics-${q.period}-${q.from}-${q.to}.csv"`,
    });
  });

  // per person, beside the API's own limit: a counter's reveals are few, a scrape is not
  const revealLimiter = createRateLimiter({ ratePerSecond: deps.settings.web.revealsPerMinute / 60, burst: deps.settings.web.revealBurst });
  const revealRate = rateLimit<WebEnv>({ limiter: revealLimiter, key: (c) => c.get('session').userId });
  app.post(R.reveal.path, revealRate, deps.jsonBody, async (c) => {
    const scope = await requireScope(deps.db, c, 'reveal');
    const purpose = parseRevealBody(c.get('body'));
    return c.json(await revealResult({ db: deps.db, sealer: deps.sealer, reveals: deps.metrics.reveals }, scope, c.req.param('id'), { purpose, ...who(c) }));
  });

  app.get(R.system.path, async (c) => c.json(await readSystemSummary({ db: deps.db, settings: deps.settings, keys: deps.keys, keyManagerAvailable: deps.keyManagerAvailable, now })));

  const pharmacies = createPharmacyAdminRoutes({ db: deps.db, jsonBody: deps.jsonBody });
  const certificates = createCertificateAdminRoutes({ db: deps.db, jsonBody: deps.jsonBody, ca: deps.certificateAuthority });
  const enrolments = createEnrolmentAdminRoutes({ db: deps.db, jsonBody: deps.jsonBody, issuers: deps.settings.web.issuers, now });
  const audit = createAuditAdminRoutes({ db: deps.db, settings: deps.settings, auditPublicKeys: deps.auditPublicKeys });
  const keys = createKeyAdminRoutes({ db: deps.db, keys: deps.keys });
  const accessReview = createAccessReviewRoutes({ db: deps.db, jsonBody: deps.jsonBody });
  const offboarding = createOffboardingAdminRoutes({ db: deps.db, ca: deps.certificateAuthority });
  const subjects = createSubjectRoutes({ db: deps.db, sealer: deps.sealer, jsonBody: deps.jsonBody });
  const counter = createCounterRoutes({ db: deps.db, sealer: deps.sealer });
  const webhooks = createWebhookAdminRoutes({ db: deps.db, keys: deps.keys, jsonBody: deps.jsonBody });
  const parts = [pharmacies, certificates, enrolments, offboarding, audit, keys, accessReview, subjects, webhooks, counter];
  for (const part of parts) app.route('/', part.app);
  return { routes: [...Object.values(R), ...parts.flatMap((p) => p.routes)], app };
}
