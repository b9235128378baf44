import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { createAdminApi } from '../admin/index.js';
import { createCertificateDirectory, type CertificateDirectory } from '../auth/client-certificates.js';
import { accessLog, answerWithProblems, auditGuard, clientCertificate, createRateLimiter, jsonBody, rateLimit, requestId, serverTlsOptions, type AppEnv } from '../http/index.js';
import { intakeOpenApiDocument } from '../intake/openapi.js';
import { createIntakeRoutes, INTAKE_API_PREFIX } from '../intake/routes.js';
import type { Metrics } from '../observability/index.js';
import { createReceipts } from '../receipts/index.js';
import { createRevocationWatch } from '../pharmacies/index.js';
import { mergeCaBundles, trackClientConnections, type CertificateAuthority } from '../pki/index.js';
import { createWebServer } from '../web/server.js';
import type { GatewayOptions } from './options.js';
import { listener, part } from './lifecycle.js';
import { createMetricsRoutes } from './metrics-routes.js';
import type { Services, WatchTls } from './services.js';

export interface ListenerDeps {
  services: Services;
  metrics: Metrics;
  /** Issues and revokes pharmacy certificates (admin routes); the intake listener trusts it. */
  ca: CertificateAuthority;
  watchTls: WatchTls;
}

/** The pharmacy systems' API: mTLS, then the certificate's pharmacy, its rate limit, the audit guard. */
function intakeApp(o: GatewayOptions, { services, metrics }: ListenerDeps, certificates: CertificateDirectory): Hono<AppEnv> {
  const { settings: s, log } = o;
  const { db } = services;
  const app = new Hono<AppEnv>();
  app.use(requestId(), accessLog({ log, metrics, listener: 'intake' }));
  app.use('*', clientCertificate({ certificates, refused: services.refused }));
  const limiter = createRateLimiter({ ratePerSecond: s.intake.ratePerSecond, burst: s.intake.rateBurst });
  app.use(`${INTAKE_API_PREFIX}/*`, rateLimit({ limiter, key: (c) => c.get('principal').pharmacyId }));
  app.use(`${INTAKE_API_PREFIX}/*`, auditGuard({ available: services.audit.isAvailable }));
  const openapi = intakeOpenApiDocument(services.schema);
  app.route(
    '/',
    createIntakeRoutes({
      db,
      submit: services.submit,
      corrections: services.corrections,
      metrics,
      jsonBody: jsonBody({ limit: s.intake.bodyLimitBytes }),
      openapi: () => openapi,
      receipts: createReceipts({ db, signer: o.receiptSigner }),
      prefills: services.prefills,
    }),
  );
  answerWithProblems(app, { log });
  return app;
}

/**
 * The intake listener: HTTPS requiring a client certificate the CA signed, its TLS files and
 * the CA's CRLs reloaded without restart, and revoked certificates' connections closed.
 */
export function intakeListener(o: GatewayOptions, x: ListenerDeps) {
  const { settings: s, log } = o;
  const files = x.watchTls('intake', { certFile: s.intake.certFile, keyFile: s.intake.keyFile, caFile: s.intake.clientCaFile });
  // the client CA file and the configured CA, trusted together
  const tls = () => {
    const m = files.current();
    return { ...m, ca: Buffer.from(mergeCaBundles(m.ca?.toString('utf8') ?? '', x.ca.trustedCaPem)) };
  };
  const certificates = createCertificateDirectory({ db: x.services.db });
  let crls: string[] = [];
  const server = createHttpsServer(
    {
      ...serverTlsOptions(tls()),
      // no certificate, or one the CA did not sign: the handshake fails before any HTTP
      requestCert: true,
      rejectUnauthorized: true,
    },
    getRequestListener(intakeApp(o, x, certificates).fetch),
  );
  // a connection keeps its handshake's certificate for life (the middleware reads it once per
  // connection; the revocation watch closes connections by it): TLS 1.2 renegotiation is refused
  server.on('secureConnection', (socket) => socket.disableRenegotiation());
  // Revocation without restart: new CRLs reload the TLS context, revoked certificates lose their open connections.
  const connections = trackClientConnections(server);
  const applyTls = () => server.setSecureContext(serverTlsOptions(tls(), crls));
  files.onReload((next, previous) => {
    // the CRLs of the old CA bundle may not cover the new one: none until the watch loads its own
    if (!next.ca?.equals(previous.ca as Buffer)) crls = [];
    applyTls();
  });
  const revocations = createRevocationWatch({
    db: x.services.db,
    clientCaPem: () => (tls().ca as Buffer).toString('utf8'),
    pollMs: s.pki.revocationPollMs,
    log,
    applyCrls: (loaded) => {
      crls = loaded;
      applyTls();
    },
    invalidate: certificates.invalidate,
    closeConnections: connections.close,
  });
  // the CRLs are loaded before the listener accepts anyone
  return listener('intake listener', server, s.intake, [part('intake TLS files', files), part('revocation watch', revocations)]);
}

/** The internal listener: `/metrics` behind Prometheus' token, the probes; HTTPS when given files. */
export function metricsListener(o: GatewayOptions, { services, metrics, watchTls }: ListenerDeps) {
  const { settings: s, log } = o;
  const app = new Hono<AppEnv>();
  app.use(requestId());
  const token = readFileSync(s.metrics.tokenFile, 'utf8').trim();
  app.route('/', createMetricsRoutes({ metrics, token, db: services.db, keyManagerAvailable: services.keyManagerAvailable, auditAvailable: services.audit.isAvailable }));
  answerWithProblems(app, { log });
  const handle = getRequestListener(app.fetch);
  if (!(s.metrics.certFile && s.metrics.keyFile)) return listener('metrics listener', createHttpServer(handle), s.metrics);
  const tls = watchTls('metrics', { certFile: s.metrics.certFile, keyFile: s.metrics.keyFile });
  const server: HttpsServer = createHttpsServer(serverTlsOptions(tls.current()), handle);
  tls.onReload((m) => server.setSecureContext(serverTlsOptions(m)));
  return listener('metrics listener', server, s.metrics, [part('metrics TLS files', tls)]);
}

/** The people's listener (sign-in, the admin UI and its API), when enabled. */
export function webListener(o: GatewayOptions, { services, metrics, ca, watchTls }: ListenerDeps) {
  const { settings: s, log } = o;
  const tls = watchTls('web', { certFile: s.web.certFile as string, keyFile: s.web.keyFile as string });
  const admin = createAdminApi({
    db: services.db,
    settings: s,
    keys: services.keys,
    keyManagerAvailable: services.keyManagerAvailable,
    sealer: services.sealer,
    metrics,
    auditPublicKeys: () => o.signer.publicKeys(),
    receipts: createReceipts({ db: services.db, signer: o.receiptSigner }),
    certificateAuthority: ca,
    jsonBody: jsonBody({ limit: s.intake.bodyLimitBytes }),
  });
  const server = createWebServer({ web: s.web, tls, db: services.db, submit: services.submit, corrections: services.corrections, refused: services.refused, log, metrics, bodyLimitBytes: s.intake.bodyLimitBytes, auditAvailable: services.audit.isAvailable, receipts: createReceipts({ db: services.db, signer: o.receiptSigner }), prefills: services.prefills, admin });
  return listener('web listener', server, s.web, [part('web TLS files', tls)]);
}
