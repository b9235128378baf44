import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createHttpServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type { Settings } from '../config/index.js';
import { createDatabase, createDataKeyStore } from '../db/index.js';
import { createBlindIndex, createDataKeyProvider, createKeyManagerGuard, deleteShreddableDataKeys, kekVersionsInUse, type KeyManager } from '../crypto/index.js';
import { createIntakeSchema, parseIntake, type TestResultInput } from '../results/index.js';
import { createRelay, backlog } from '../outbox/index.js';
import { purgeExpired } from '../retention/index.js';
import { createFhirSidepClient, type SidepAdapter } from '../sidep/index.js';
import { anssiTlsOptions, trackClientConnections } from '../pki/index.js';
import { createCertificateDirectory } from '../auth/client-certificates.js';
import { createExpiryMonitor, createRevocationWatch } from '../pharmacies/index.js';
import { createMetrics, errorSummary, type Logger } from '../observability/index.js';
import { createResultSealer } from '../intake/result-sealer.js';
import { createSubmitService } from '../intake/submit.js';
import { createCorrectionService } from '../intake/corrections.js';
import { createIntakeRoutes } from '../intake/routes.js';
import { intakeOpenApiDocument } from '../intake/openapi.js';
import { NotFound } from '../errors.js';
import { SettingsRefused } from '../config/index.js';
import type { CheckpointSigner } from '../crypto/index.js';
import { configuredCheckpointSink, createAuditGuard, createAuditSealer } from '../audit/index.js';
import { auditGuard } from './audit-guard.js';
import type { AppEnv } from './env.js';
import { accessLog, clientCertificate, jsonBody, onError, rateLimit, requestId } from './middleware.js';
import { createRateLimiter } from './rate-limit.js';
import { createMetricsRoutes } from './metrics-routes.js';
import { createMessageBuilder } from './message-builder.js';
import { close, listen } from './listen.js';
import { createWebServer } from '../web/server.js';
import { createAdminApi } from '../admin/index.js';

export interface GatewayOptions {
  settings: Settings;
  log: Logger;
  keys: KeyManager;
  /** Signs audit checkpoints (Vault Transit in production, a local key file in the demo). */
  signer: CheckpointSigner;
  /** Replaces the FHIR client (tests of the relay against a scripted SI-DEP). */
  sidep?: SidepAdapter;
}

export interface RunningGateway {
  intakePort: number;
  metricsPort: number;
  /** Set when the web listener is enabled. */
  webPort?: number;
  stop(): Promise<void>;
}

const SAMPLE_MS = 5_000;
/** Certificate expiry moves in days: once a minute is plenty. */
const EXPIRY_CHECK_MS = 60_000;

/** The composition root: builds every dependency once, mounts routes on each listener, starts workers. */
export async function startGateway(o: GatewayOptions): Promise<RunningGateway> {
  const { settings: s, log, keys } = o;
  // Fail closed: without an outside copy of the checkpoints, a rewrite of the database could not show.
  const auditSink = configuredCheckpointSink(s.audit);
  if (!auditSink) throw new SettingsRefused(['GATEWAY_AUDIT_SINK_FILE or GATEWAY_AUDIT_SINK_URL: required (audit checkpoints are copied outside the database)']);
  const metrics = createMetrics();
  const db = createDatabase({ url: s.database.url, poolSize: s.database.poolSize, observePool: (pool) => metrics.observeDatabasePool(pool, s.database.poolSize) });
  const guard = createKeyManagerGuard({ keys });
  await guard.start();
  const auditSealer = createAuditSealer({ url: s.database.url, signer: o.signer, sink: auditSink, intervalMs: s.audit.sealIntervalMs, batchSize: s.audit.batchSize, log });
  const audit = createAuditGuard({ db, maxSealLagSeconds: s.audit.maxSealLagSeconds });
  await audit.start();
  const dataKeys = createDataKeyProvider({
    keys,
    store: createDataKeyStore(db),
    guard,
    windowMs: s.keyManager.dataKeyWindowMinutes * 60_000,
    ttlMs: s.keyManager.dataKeyCacheSeconds * 1000,
  });
  const sealer = createResultSealer<TestResultInput>({ dataKeys, blindIndex: createBlindIndex(await keys.blindIndexKeys()) });
  const schema = createIntakeSchema({ now: () => new Date(), maxPastDays: s.validation.maxPastDays, allowExtendedNir: s.validation.allowExtendedNir });
  const sidep =
    o.sidep ??
    createFhirSidepClient({
      baseUrl: s.sidep.url,
      ca: readFileSync(s.sidep.caFile),
      cert: readFileSync(s.sidep.certFile),
      key: readFileSync(s.sidep.keyFile),
      timeoutMs: s.sidep.timeoutMs,
      connections: s.sidep.connections,
    });
  const relay = createRelay({
    db,
    sidep,
    buildMessage: createMessageBuilder({ sealer }),
    policy: { ...s.relay, maxAgeMs: s.relay.maxAgeHours * 3_600_000 },
    metrics,
    log,
    batchSize: s.relay.batchSize,
    concurrency: s.relay.concurrency,
    leaseSeconds: s.relay.leaseSeconds,
    pollMs: s.relay.pollMs,
  });
  const serviceDeps = { db, sealer, validate: (raw: unknown) => parseIntake(schema, raw), onCommit: relay.wake };
  // one intake service for the mTLS API and the pharmacist's web page
  const submit = createSubmitService(serviceDeps);
  const corrections = createCorrectionService(serviceDeps);

  const intake = new Hono<AppEnv>();
  intake.use(requestId(), accessLog({ log, metrics, listener: 'intake' }));
  const certificates = createCertificateDirectory({ db });
  intake.use('*', clientCertificate({ certificates, db }));
  intake.use('/api/v1/*', rateLimit({ limiter: createRateLimiter({ ratePerSecond: s.intake.ratePerSecond, burst: s.intake.rateBurst }) }));
  intake.use('/api/v1/*', auditGuard({ available: audit.isAvailable }));
  const openapi = intakeOpenApiDocument(schema);
  intake.route(
    '/api/v1',
    createIntakeRoutes({
      db,
      submit,
      corrections,
      metrics,
      jsonBody: jsonBody({ limit: s.intake.bodyLimitBytes }),
      openapi: () => openapi,
    }),
  );
  intake.notFound(() => {
    throw new NotFound();
  });
  intake.onError(onError({ log }));

  const metricsApp = new Hono<AppEnv>();
  metricsApp.use(requestId());
  metricsApp.route('/', createMetricsRoutes({ metrics, token: readFileSync(s.metrics.tokenFile, 'utf8').trim(), db, keyManagerAvailable: guard.isAvailable, auditAvailable: audit.isAvailable }));
  metricsApp.notFound(() => {
    throw new NotFound();
  });
  metricsApp.onError(onError({ log }));

  const intakeTls = { ...anssiTlsOptions(), cert: readFileSync(s.intake.certFile), key: readFileSync(s.intake.keyFile), ca: readFileSync(s.intake.clientCaFile) };
  const intakeServer = createHttpsServer(
    {
      ...intakeTls,
      // no certificate, or one the CA did not sign: the handshake fails before any HTTP
      requestCert: true,
      rejectUnauthorized: true,
    },
    getRequestListener(intake.fetch),
  );
  // Revocation without restart: new CRLs reload the TLS context, revoked certificates lose their open connections.
  const connections = trackClientConnections(intakeServer);
  const revocations = createRevocationWatch({
    db,
    clientCaPem: intakeTls.ca.toString('utf8'),
    pollMs: s.pki.revocationPollMs,
    log,
    applyCrls: (crls) => intakeServer.setSecureContext({ ...intakeTls, ...(crls.length ? { crl: crls } : {}) }),
    invalidate: certificates.invalidate,
    closeConnections: connections.close,
  });
  await revocations.start();
  const expiry = createExpiryMonitor({ db, gauge: metrics.certificateExpiryDays, log });
  await expiry.check();
  const expiryChecker = setInterval(() => {
    expiry.check().catch((e) => log.warn({ err: errorSummary(e) }, 'certificate expiry check failed; will retry'));
  }, EXPIRY_CHECK_MS);
  expiryChecker.unref();
  const metricsServer =
    s.metrics.certFile && s.metrics.keyFile
      ? createHttpsServer({ ...anssiTlsOptions(), cert: readFileSync(s.metrics.certFile), key: readFileSync(s.metrics.keyFile) }, getRequestListener(metricsApp.fetch))
      : createHttpServer(getRequestListener(metricsApp.fetch));

  const intakePort = await listen(intakeServer, s.intake.port, s.intake.host, 'intake listener');
  const metricsPort = await listen(metricsServer, s.metrics.port, s.metrics.host, 'metrics listener').catch(async (e) => {
    await close(intakeServer);
    throw e;
  });
  const webServer = s.web.enabled
    ? createWebServer({ web: s.web, db, submit, corrections, log, metrics, bodyLimitBytes: s.intake.bodyLimitBytes, auditAvailable: audit.isAvailable, admin: createAdminApi({ db, settings: s, keys, keyManagerAvailable: guard.isAvailable, sealer, jsonBody: jsonBody({ limit: s.intake.bodyLimitBytes }) }) })
    : undefined;
  const webPort = webServer
    ? await listen(webServer, s.web.port, s.web.host, 'web listener').catch(async (e) => {
        await Promise.all([close(intakeServer), close(metricsServer)]);
        throw e;
      })
    : undefined;
  if (s.relay.enabled) relay.start();
  auditSealer.start();

  let lastCalls = 0;
  const sampler = setInterval(() => {
    backlog(db)
      .then((b) => {
        metrics.outboxBacklog.set(b.pending);
        metrics.outboxOldestPendingAge.set(b.oldestAgeSeconds);
      })
      .catch(() => undefined);
    metrics.keyManagerUp.set(guard.isAvailable() ? 1 : 0);
    metrics.auditUp.set(audit.isAvailable() ? 1 : 0);
    const lag = audit.lag();
    if (lag) metrics.auditSealLag.set(Math.max(lag.oldestUnsealedSeconds, lag.oldestUncopiedSeconds));
    const calls = dataKeys.keyManagerCalls();
    metrics.keyManagerCalls.inc(calls - lastCalls);
    lastCalls = calls;
  }, SAMPLE_MS);
  sampler.unref();
  const purger = setInterval(() => {
    purgeExpired(db, s.retention)
      .then((n) => n && log.info({ purged: n }, 'personal data purged'))
      // Crypto-shredding: the wrapped data keys of closed, fully purged windows go too.
      .then(() => deleteShreddableDataKeys(db, { windowMs: s.keyManager.dataKeyWindowMinutes * 60_000 }))
      .then((n) => n && log.info({ dataKeysDeleted: n }, 'data keys of purged windows deleted'))
      .then(() => kekVersionsInUse(db))
      .then((uses) => {
        metrics.recordsPerKeyVersion.reset();
        for (const use of uses) metrics.recordsPerKeyVersion.set({ version: String(use.version) }, use.records);
      })
      .catch((e) => log.warn({ err: errorSummary(e) }, 'purge failed; will retry'));
  }, s.retention.purgeIntervalSeconds * 1000);
  purger.unref();

  log.info({ intakePort, metricsPort, webPort, relay: s.relay.enabled }, 'gateway started');
  return {
    intakePort,
    metricsPort,
    webPort,
    async stop() {
      clearInterval(sampler);
      clearInterval(purger);
      clearInterval(expiryChecker);
      revocations.stop();
      await Promise.all([close(intakeServer), close(metricsServer), ...(webServer ? [close(webServer)] : [])]);
      await relay.stop();
      guard.stop();
      audit.stop();
      await auditSealer.stop();
      await sidep.close();
      await db.destroy();
    },
  };
}
