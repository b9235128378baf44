import { z } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { NO_STORE } from '../http/index.js';
import { AuditEventsPageSchema, AuditVerificationJobSchema, idParam, json } from '../api-schemas/index.js';
import type { AuditVerification } from '../api-types.js';
import { appendAuditNow, exportAudit, readCheckpointSink, verifyAuditLog, type SinkEntry } from '../audit/index.js';
import type { Settings } from '../config/index.js';
import type { Database } from '../db/index.js';
import { NotFound, ServiceUnavailable } from '../errors.js';
import type { WebEnv } from '../web/env.js';
import type { WebRoute } from '../web/route-table.js';
import { AUDIT_RANGE_QUERY, AUDIT_SEARCH_QUERY, nameActors, parseAuditRange, parseAuditSearchQuery, readAuditLog, searchAuditEvents, type AuditRange } from './audit-search.js';
import { createJobRegistry } from './background-jobs.js';
import { requester as who } from './requester.js';

/**
 * Routes of the audit page, for auditors only (DESIGN.md "audit search / verify / export"): the
 * web listener's `authorize` checks the right before these handlers run.
 */
export const AUDIT_ROUTES = {
  events: {
    method: 'GET',
    path: '/api/web/v1/admin/audit/events',
    access: 'audit',
    schemas: () => ({ summary: 'Search the audit log', request: { query: AUDIT_SEARCH_QUERY }, responses: { 200: json('A page, newest first', AuditEventsPageSchema) } }),
  },
  verify: {
    method: 'POST',
    path: '/api/web/v1/admin/audit/verifications',
    access: 'audit',
    schemas: () => ({
      summary: 'Verify the audit log over a range, in the background',
      request: { query: AUDIT_RANGE_QUERY },
      responses: { 200: json('The verification already running', AuditVerificationJobSchema), 202: json('Started', AuditVerificationJobSchema) },
    }),
  },
  verification: {
    method: 'GET',
    path: '/api/web/v1/admin/audit/verifications/:id',
    access: 'audit',
    schemas: () => ({ summary: "A verification's progress and finding", request: { params: idParam }, responses: { 200: json('The verification', AuditVerificationJobSchema) } }),
  },
  export: {
    method: 'GET',
    path: '/api/web/v1/admin/audit/export',
    access: 'audit',
    schemas: () => ({
      summary: 'Export the audit log over a range, with the public keys to verify it',
      request: { query: AUDIT_RANGE_QUERY },
      responses: { 200: { description: 'JSON Lines: the public keys, then the events and checkpoints', content: { 'application/x-ndjson': { schema: z.string() } } } },
    }),
  },
} as const satisfies Record<string, WebRoute>;

export interface AuditRoutesDeps {
  db: Database;
  settings: Pick<Settings, 'audit'>;
  /** The checkpoint signer's public keys; without them no verification can run. */
  auditPublicKeys: (() => Promise<Record<number, string>>) | undefined;
}


/**
 * Search, verification (in the background, polled for progress) and JSON Lines export of the
 * audit log, each read in one read-only transaction as the sealer role, and each audited
 * (`audit.search`, `audit.verify`, `audit.export`). One verification at a time per person.
 * @example const { routes, app } = createAuditAdminRoutes({ db, settings, auditPublicKeys: () => signer.publicKeys() });
 */
export function createAuditAdminRoutes(deps: AuditRoutesDeps): { routes: readonly WebRoute[]; app: Hono<WebEnv> } {
  const app = new Hono<WebEnv>();
  const R = AUDIT_ROUTES;
  const jobs = createJobRegistry<AuditVerification>();

  app.get(R.events.path, async (c) => {
    const q = parseAuditSearchQuery(c.req.query());
    await appendAuditNow(deps.db, { ...who(c), action: 'audit.search', outcome: 'success' });
    return c.json(await nameActors(deps.db, await readAuditLog(deps.db, (tx) => searchAuditEvents(tx, q))), 200, NO_STORE);
  });

  app.post(R.verify.path, async (c) => {
    const range = parseAuditRange(c.req.query());
    if (!deps.auditPublicKeys) throw new ServiceUnavailable();
    const publicKeys = await deps.auditPublicKeys();
    const by = who(c);
    const { job, started } = jobs.start(
      c.get('session').userId,
      (progress) => verifyRange(deps, publicKeys, range, progress),
      (end) => {
        const fault = end.result?.fault;
        const reason = end.problem ? end.problem.code : fault ? `${fault.kind}:${fault.check}` : 'ok';
        return appendAuditNow(deps.db, { ...by, action: 'audit.verify', object: { type: 'audit-verification', id: end.id }, outcome: end.state === 'succeeded' && !fault ? 'success' : 'failure', reason });
      },
    );
    if (started) await appendAuditNow(deps.db, { ...by, action: 'audit.verify', object: { type: 'audit-verification', id: job.id }, outcome: 'success', reason: 'started' });
    return c.json(job, started ? 202 : 200, NO_STORE);
  });

  app.get(R.verification.path, async (c) => {
    const job = jobs.get(c.get('session').userId, c.req.param('id'));
    if (!job) throw new NotFound();
    return c.json(job, 200, NO_STORE);
  });

  app.get(R.export.path, async (c) => {
    const range = parseAuditRange(c.req.query());
    if (!deps.auditPublicKeys) throw new ServiceUnavailable();
    const keys = await deps.auditPublicKeys();
    await appendAuditNow(deps.db, { ...who(c), action: 'audit.export', outcome: 'success' });
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start: (out) => {
        out.enqueue(encoder.encode(`${JSON.stringify({ type: 'public-keys', keys })}\n`));
        readAuditLog(deps.db, (tx) => exportAudit(tx, range, (line) => out.enqueue(encoder.encode(line)))).then(
          () => out.close(),
          (e: unknown) => out.error(e),
        );
      },
    });
    const name = `audit-${range.since?.toISOString().slice(0, 10) ?? 'start'}-${range.until?.toISOString().slice(0, 10) ?? 'now'}.jsonl`;
    return c.body(body, 200, { ...NO_STORE, 'content-type': 'application/x-ndjson; charset=utf-8', 'content-disposition': `attachment; filename="${name}"` });
  });

  return { routes: Object.values(R), app };
}

/** `gateway audit verify` over a range, against the sink file when one is configured. */
async function verifyRange(deps: AuditRoutesDeps, publicKeys: Record<number, string>, range: AuditRange, progress: (done: number, total: number) => void): Promise<AuditVerification> {
  const sinkFile = deps.settings.audit.sinkFile;
  const sink = sinkFile ? await readSink(sinkFile) : undefined;
  if (sink?.conflicts[0] !== undefined) return { checkpoints: 0, events: 0, fault: { kind: 'edited', checkpoint: sink.conflicts[0], check: 'sink-copies-differ' }, againstSink: true };
  const report = await readAuditLog(deps.db, (tx) =>
    verifyAuditLog({ db: tx, publicKeys, ...(sink ? { sink: sink.entries } : {}), ...range, maxSealLagSeconds: deps.settings.audit.maxSealLagSeconds, onProgress: progress }),
  );
  return { checkpoints: report.checkpoints, events: report.events, fault: report.fault ?? null, againstSink: sink !== undefined };
}

/** The sink file; not written yet (no checkpoint so far) reads as empty. */
async function readSink(file: string): Promise<{ entries: Map<number, SinkEntry>; conflicts: number[] }> {
  try {
    return await readCheckpointSink(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { entries: new Map(), conflicts: [] };
    throw e;
  }
}
