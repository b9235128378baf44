import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createHttpServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type { Settings } from '../config/index.js';
import { createDatabase, createDataKeyStore } from '../db/index.js';
import { createBlindIndex, createDataKeyProvider, createKeyManagerGuard, type KeyManager } from '../crypto/index.js';
import { createIntakeSchema, parseIntake, type TestResultInput } from '../results/index.js';
import { createRelay, backlog } from '../outbox/index.js';
import { purgeExpired } from '../retention/index.js';
import { createFhirSidepClient, type SidepAdapter } from '../sidep/index.js';
import { anssiTlsOptions } from '../pki/index.js';
import { createCertificateDirectory } from '../auth/client-certificates.js';
import { createMetrics, errorSummary, type Logger } from '../observability/index.js';
import { createResultSealer } from '../intake/result-sealer.js';
import { createSubmitService } from '../intake/submit.js';
import { createCorrectionService } from '../intake/corrections.js';
import { createIntakeRoutes } from '../intake/routes.js';
import { intakeOpenApiDocument } from '../intake/openapi.js';
import { NotFound } from '../errors.js';
import type { AppEnv } from './env.js';
import { accessLog, clientCertificate, jsonBody, onError, rateLimit, requestId } from './middleware.js';
import { createRateLimiter } from './rate-limit.js';
import { createMetricsRoutes } from './metrics-routes.js';
import { createMessageBuilder } from './message-builder.js';
import { close, listen } from './listen.js';

export interface GatewayOptions {
  settings: Settings;
  log: Logger;
  keys: KeyManager;
  /** Replaces the FHIR client (tests of the relay against a scripted SI-DEP). */
  sidep?: SidepAdapter;
}

export interface RunningGateway {
  intakePort: number;
  metricsPort: number;
  stop(): Promise<void>;
}

const SAMPLE_MS = 5_000;

/** The composition root: builds every dependency once, mounts routes on each listener, starts workers. */
export async function startGateway(o: GatewayOptions): Promise<RunningGateway> {
  const { settings: s, log, keys } = o;
  const db = createDatabase({ url: s.database.url, poolSize: s.database.poolSize });
  const metrics = createMetrics();
  const guard = createKeyManagerGuard({ keys });
  await guard.start();
  const dataKeys = createDataKeyProvider({
    keys,
    store: createDataKeyStore(db),
    guard,
    windowMs: s.keyManager.dataKeyWindowMinutes * 60_000,
    ttlMs: s.keyManager.dataKeyCacheSeconds * 1000,
  });
  const sealer = createResultSealer<TestResultInput>({ dataKeys, blindIndex: createBlindIndex(await keys.blindIndexKey()) });
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
    buildMessage: createMessageBuilder({ db, sealer }),
    policy: { ...s.relay, maxAgeMs: s.relay.maxAgeHours * 3_600_000 },
    metrics,
    log,
    batchSize: s.relay.batchSize,
    concurrency: s.relay.concurrency,
    leaseSeconds: s.relay.leaseSeconds,
    pollMs: s.relay.pollMs,
  });
  const serviceDeps = { db, sealer, validate: (raw: unknown) => parseIntake(schema, raw), onCommit: relay.wake };

  const intake = new Hono<AppEnv>();
  intake.use(requestId(), accessLog({ log, metrics, listener: 'intake' }));
  intake.use('*', clientCertificate({ certificates: createCertificateDirectory({ db }), db }));
  intake.use('/api/v1/*', rateLimit({ limiter: createRateLimiter({ ratePerSecond: s.intake.ratePerSecond, burst: s.intake.rateBurst }) }));
  const openapi = intakeOpenApiDocument(schema);
  intake.route(
    '/api/v1',
    createIntakeRoutes({
      db,
      submit: createSubmitService(serviceDeps),
      corrections: createCorrectionService(serviceDeps),
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
  metricsApp.route('/', createMetricsRoutes({ metrics, token: readFileSync(s.metrics.tokenFile, 'utf8').trim(), db, keyManagerAvailable: guard.isAvailable }));
  metricsApp.notFound(() => {
    throw new NotFound();
  });
  metricsApp.onError(onError({ log }));

  const intakeServer = createHttpsServer(
    {
      ...anssiTlsOptions(),
      cert: readFileSync(s.intake.certFile),
      key: readFileSync(s.intake.keyFile),
      ca: readFileSync(s.intake.clientCaFile),
      // no certificate, or one the CA did not sign: the handshake fails before any HTTP
      requestCert: true,
      rejectUnauthorized: true,
    },
    getRequestListener(intake.fetch),
  );
  const metricsServer =
    s.metrics.certFile && s.metrics.keyFile
      ? createHttpsServer({ ...anssiTlsOptions(), cert: readFileSync(s.metrics.certFile), key: readFileSync(s.metrics.keyFile) }, getRequestListener(metricsApp.fetch))
      : createHttpServer(getRequestListener(metricsApp.fetch));

  const intakePort = await listen(intakeServer, s.intake.port, s.intake.host, 'intake listener');
  const metricsPort = await listen(metricsServer, s.metrics.port, s.metrics.host, 'metrics listener').catch(async (e) => {
    await close(intakeServer);
    throw e;
  });
  if (s.relay.enabled) relay.start();

  let lastCalls = 0;
  const sampler = setInterval(() => {
    backlog(db)
      .then((b) => {
        metrics.outboxBacklog.set(b.pending);
        metrics.outboxOldestPendingAge.set(b.oldestAgeSeconds);
      })
      .catch(() => undefined);
    metrics.keyManagerUp.set(guard.isAvailable() ? 1 : 0);
    const calls = dataKeys.keyManagerCalls();
    metrics.keyManagerCalls.inc(calls - lastCalls);
    lastCalls = calls;
  }, SAMPLE_MS);
  sampler.unref();
  const purger = setInterval(() => {
    purgeExpired(db, s.retention)
      .then((n) => n && log.info({ purged: n }, 'personal data purged'))
      .catch((e) => log.warn({ err: errorSummary(e) }, 'purge failed; will retry'));
  }, s.retention.purgeIntervalSeconds * 1000);
  purger.unref();

  log.info({ intakePort, metricsPort, relay: s.relay.enabled }, 'gateway started');
  return {
    intakePort,
    metricsPort,
    async stop() {
      clearInterval(sampler);
      clearInterval(purger);
      await Promise.all([close(intakeServer), close(metricsServer)]);
      await relay.stop();
      guard.stop();
      await sidep.close();
      await db.destroy();
    },
  };
}
