import { createServer, type Server } from 'node:https';
import { getRequestListener } from '@hono/node-server';
import type { Settings } from '../config/index.js';
import type { Database } from '../db/index.js';
import { createOidc } from '../auth/oidc.js';
import { createLoginStates, createSessionStore } from '../auth/sessions.js';
import type { SubmitService } from '../intake/submit.js';
import type { CorrectionService } from '../intake/corrections.js';
import type { Logger, Metrics } from '../observability/index.js';
import { createRateLimiter, jsonBody, serverTlsOptions, type RefusedTraffic, type TlsFilesWatch } from '../http/index.js';
import { createWebApp, type WebDeps } from './app.js';

/**
 * The web listener's HTTPS server (ANSSI TLS policy), built from settings `web`; its certificate
 * follows `tls` (the files of `web.certFile`/`keyFile`) without restart.
 * @example const server = createWebServer({ web: s.web, tls, db, submit, corrections, refused, log, metrics, bodyLimitBytes, auditAvailable });
 */
export function createWebServer(o: { web: Settings['web']; tls: TlsFilesWatch; db: Database; submit: SubmitService; corrections: CorrectionService; refused: RefusedTraffic; log: Logger; metrics: Metrics; bodyLimitBytes: number; auditAvailable: WebDeps['auditAvailable']; receipts: WebDeps['receipts']; prefills: WebDeps['prefills']; admin?: WebDeps['admin'] }): Server {
  const w = o.web;
  const publicOrigin = new URL(w.publicOrigin as string).origin;
  const app = createWebApp({
    db: o.db,
    oidc: createOidc({ issuers: w.issuers, redirectUri: `${publicOrigin}/auth/callback` }),
    sessions: createSessionStore({ db: o.db, idleMs: w.sessionIdleMinutes * 60_000, maxMs: w.sessionMaxHours * 3_600_000 }),
    loginStates: createLoginStates({ db: o.db }),
    submit: o.submit,
    corrections: o.corrections,
    refused: o.refused,
    publicOrigin,
    uiDir: w.uiDir,
    signInLimiter: createRateLimiter({ ratePerSecond: w.signInPerMinute / 60, burst: w.signInBurst }),
    userLimiter: createRateLimiter({ ratePerSecond: w.userRatePerSecond, burst: w.userRateBurst }),
    jsonBody: jsonBody({ limit: o.bodyLimitBytes }),
    idleSeconds: w.sessionIdleMinutes * 60,
    log: o.log,
    metrics: o.metrics,
    auditAvailable: o.auditAvailable,
    receipts: o.receipts,
    prefills: o.prefills,
    admin: o.admin,
  });
  const server = createServer(serverTlsOptions(o.tls.current()), getRequestListener(app.fetch));
  o.tls.onReload((m) => server.setSecureContext(serverTlsOptions(m)));
  return server;
}
