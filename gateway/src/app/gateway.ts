import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createHttpServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type { Settings } from '../config/index.js';
import { createDatabase, createDataKeyStore } from '../db/index.js';
import { createDataKeyProvider, createKeyManagerGuard, createLiveBlindIndex, deleteShreddableDataKeys, kekVersionsInUse, timeKeyManager, type KeyManager } from '../crypto/index.js';
import { createIntakeSchema, parseIntake, type TestResultInput } from '../results/index.js';
import { createRelay, backlog } from '../outbox/index.js';
import { purgeExpired } from '../retention/index.js';
import { createFhirSidepClient, type SidepAdapter } from '../sidep/index.js';
import { mergeCaBundles, openConfiguredCa, trackClientConnections, type CertificateAuthority } from '../pki/index.js';
import { createCertificateDirectory } from '../auth/client-certificates.js';
import { createCrlRefresh, createExpiryMonitor, createRevocationWatch } from '../pharmacies/index.js';
import { countAcceptedPerPharmacy, createMetrics, errorSummary, forwardLogLines, type Logger } from '../observability/index.js';
// not in the index: it brings TLS and HTTP clients to every importer of the logger
import { configuredLogForwarder } from '../observability/log-forwarding.js';
import { createResultSealer } from '../intake/result-sealer.js';
import { createSubmitService } from '../intake/submit.js';
import { createCorrectionService } from '../intake/corrections.js';
import { createIntakeRoutes } from '../intake/routes.js';
import { intakeOpenApiDocument } from '../intake/openapi.js';
import { NotFound } from '../errors.js';
import { SettingsRefused } from '../config/index.js';
import type { CheckpointSigner } from '../crypto/index.js';
import { configuredCheckpointSink, createAuditGuard, createAuditSealer, type AuditAppender, type AuditSealer } from '../audit/index.js';
import { auditGuard } from './audit-guard.js';
import type { AppEnv } from './env.js';
import { accessLog, clientCertificate, jsonBody, onError, rateLimit, requestId } from './middleware.js';
import { createRateLimiter } from './rate-limit.js';
import { createMetricsRoutes } from './metrics-routes.js';
import { createMessageBuilder } from './message-builder.js';
import { close, listen, serverTlsOptions } from './listen.js';
import { watchTlsFiles, type TlsFiles, type TlsFilesWatch, type TlsMaterial } from './tls-files.js';
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
  /** The CA of pharmacy certificates (`serve`: Vault PKI on the key manager's session); default from `settings.pki` (dev files or external). */
  ca?: CertificateAuthority;
  /** When the Vault AppRole secret id expires (`serve`: the key manager's session), for its alert. */
  secretIdExpiry?: () => Promise<Date | undefined>;
  /**
   * Only for the benchmark's audit-off composition (`tests/bench/`), which measures what audit
   * costs: how intake writes its audit events, and the sealer. `serve` and `demo` never set
   * them, and no setting reaches them.
   */
  audit?: { appender: AuditAppender; sealer: AuditSealer };
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
/** Vault PKI rebuilds its CRL on revocation and before expiry; a minute keeps replicas close behind. */
const CRL_REFRESH_MS = 60_000;

/** The composition root: builds every dependency once, mounts routes on each listener, starts workers. */
export async function startGateway(o: GatewayOptions): Promise<RunningGateway> {
  const { settings: s, log } = o;
  // Issues and revokes pharmacy certificates (admin routes), and its CA is trusted by the intake listener.
  const ca = o.ca ?? (await openConfiguredCa(s.pki));
  // Fail closed: without an outside copy of the checkpoints, a rewrite of the database could not show.
  const auditSink = configuredCheckpointSink(s.audit);
  if (!auditSink) throw new SettingsRefused(['GATEWAY_AUDIT_SINK_FILE or GATEWAY_AUDIT_SINK_URL: required (audit checkpoints are copied outside the database)']);
  const metrics = createMetrics();
  // every key-manager call of this process, probes included, lands in the latency histogram
  const keys = timeKeyManager(o.keys, (labels, seconds) => metrics.keyManagerRequestDuration.observe(labels, seconds));
  // Log lines and sealed audit events to syslog/OTLP, when configured; never holds a request.
  const forwarder = configuredLogForwarder(s.logs, metrics);
  const stopForwardingLogs = forwarder ? forwardLogLines(log, forwarder.stream) : undefined;
  const db = createDatabase({ url: s.database.url, poolSize: s.database.poolSize, observePool: (pool) => metrics.observeDatabasePool(pool, s.database.poolSize) });
  const guard = createKeyManagerGuard({ keys });
  await guard.start();
  const auditSealer = o.audit?.sealer ?? createAuditSealer({ url: s.database.url, signer: o.signer, sink: auditSink, intervalMs: s.audit.sealIntervalMs, batchSize: s.audit.batchSize, log, ...(forwarder ? { onSealed: forwarder.audit } : {}) });
  const audit = createAuditGuard({ db, maxSealLagSeconds: s.audit.maxSealLagSeconds });
  await audit.start();
  const dataKeys = createDataKeyProvider({
    keys,
    store: createDataKeyStore(db),
    guard,
    windowMs: s.keyManager.dataKeyWindowMinutes * 60_000,
    ttlMs: s.keyManager.dataKeyCacheSeconds * 1000,
  });
  // Follows blind-index key rotations without restart (refuses work when it cannot read them for 5 s).
  const blindIndex = createLiveBlindIndex({ keys, adoptAfterMs: s.keyManager.blindIndexAdoptSeconds * 1000 });
  await blindIndex.start();
  const sealer = createResultSealer<TestResultInput>({ dataKeys, blindIndex: blindIndex.blindIndex });
  // Ready only while both the key manager answers and the blind-index versions are current.
  const keyManagerAvailable = () => guard.isAvailable() && blindIndex.isFresh();
  const schema = createIntakeSchema({ now: () => new Date(), maxPastDays: s.validation.maxPastDays, allowExtendedNir: s.validation.allowExtendedNir });
  // The gateway's own TLS files: reloaded on change without restart, their expiry published.
  const tlsWatches: TlsFilesWatch[] = [];
  const watchTls = (kind: string, files: TlsFiles) => {
    const w = watchTlsFiles({ kind, files, checkMs: s.pki.fileCheckMs, log, metrics });
    tlsWatches.push(w);
    return w;
  };
  const sidepTls = watchTls('sidep', { certFile: s.sidep.certFile, keyFile: s.sidep.keyFile, caFile: s.sidep.caFile });
  const sidepTlsOf = ({ ca, cert, key }: TlsMaterial) => ({ ca: ca as Buffer, cert: cert as Buffer, key: key as Buffer });
  let sidep: SidepAdapter;
  if (o.sidep) sidep = o.sidep;
  else {
    const fhir = createFhirSidepClient({ baseUrl: s.sidep.url, ...sidepTlsOf(sidepTls.current()), timeoutMs: s.sidep.timeoutMs, connections: s.sidep.connections });
    sidepTls.onReload((m) => fhir.reloadTls(sidepTlsOf(m)));
    sidep = fhir;
  }
  if (s.keyManager.vaultCaFile) watchTls('vault', { caFile: s.keyManager.vaultCaFile });
  const postgresCa = new URLSearchParams(s.database.url.split('?')[1] ?? '').get('sslrootcert');
  if (postgresCa && postgresCa !== 'system') watchTls('postgres', { caFile: postgresCa });
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
  const serviceDeps = { db, sealer, validate: (raw: unknown) => parseIntake(schema, raw), onCommit: relay.wake, audit: o.audit?.appender };
  // one intake service for the mTLS API and the pharmacist's web page
  const submit = countAcceptedPerPharmacy(createSubmitService(serviceDeps), { counter: metrics.pharmacyResults, limit: s.metrics.pharmacyLabelLimit });
  const corrections = createCorrectionService(serviceDeps);

  const intake = new Hono<AppEnv>();
  intake.use(requestId(), accessLog({ log, metrics, listener: 'intake' }));
  const certificates = createCertificateDirectory({ db });
  intake.use('*', clientCertificate({ certificates, db }));
  intake.use('/api/v1/*', rateLimit({ limiter: createRateLimiter({ ratePerSecond: s.intake.ratePerSecond, burst: s.intake.rateBurst }) }));
  intake.use('/api/v1/*', auditGuard({ available: audit.isAvailable }));
  const openapi = intakeOpenApiDocument(schema);
  intake.route(
    '/',
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
  metricsApp.route('/', createMetricsRoutes({ metrics, token: readFileSync(s.metrics.tokenFile, 'utf8').trim(), db, keyManagerAvailable, auditAvailable: audit.isAvailable }));
  metricsApp.notFound(() => {
    throw new NotFound();
  });
  metricsApp.onError(onError({ log }));

  const intakeFiles = watchTls('intake', { certFile: s.intake.certFile, keyFile: s.intake.keyFile, caFile: s.intake.clientCaFile });
  // the client CA file and the configured CA, trusted together
  const intakeTls = {
    current: () => {
      const m = intakeFiles.current();
      return { ...m, ca: Buffer.from(mergeCaBundles(m.ca?.toString('utf8') ?? '', ca.trustedCaPem)) };
    },
    onReload: intakeFiles.onReload,
  };
  let intakeCrls: string[] = [];
  const intakeServer = createHttpsServer(
    {
      ...serverTlsOptions(intakeTls.current()),
      // no certificate, or one the CA did not sign: the handshake fails before any HTTP
      requestCert: true,
      rejectUnauthorized: true,
    },
    getRequestListener(intake.fetch),
  );
  // a connection keeps its handshake's certificate for life (the middleware reads it once per
  // connection; the revocation watch closes connections by it): TLS 1.2 renegotiation is refused
  intakeServer.on('secureConnection', (socket) => socket.disableRenegotiation());
  // Revocation without restart: new CRLs reload the TLS context, revoked certificates lose their open connections.
  const connections = trackClientConnections(intakeServer);
  const applyIntakeTls = () => intakeServer.setSecureContext(serverTlsOptions(intakeTls.current(), intakeCrls));
  intakeTls.onReload((next, previous) => {
    // the CRLs of the old CA bundle may not cover the new one: none until the watch loads its own
    if (!next.ca?.equals(previous.ca as Buffer)) intakeCrls = [];
    applyIntakeTls();
  });
  const revocations = createRevocationWatch({
    db,
    clientCaPem: () => (intakeTls.current().ca as Buffer).toString('utf8'),
    pollMs: s.pki.revocationPollMs,
    log,
    applyCrls: (crls) => {
      intakeCrls = crls;
      applyIntakeTls();
    },
    invalidate: certificates.invalidate,
    closeConnections: connections.close,
  });
  await revocations.start();
  const crlRefresh = createCrlRefresh({ db, ca, intervalMs: CRL_REFRESH_MS, log });
  await crlRefresh.start();
  const expiry = createExpiryMonitor({ db, gauge: metrics.certificateExpiryDays, timestamps: metrics.certificateExpiryTimestamp, log });
  await expiry.check();
  // Renewed by hand before it ends (deploy/guides/operations.md#vault-approle-secret-ids): the
  // alert reads this. A failed lookup keeps the last value, which ages toward the alert.
  const checkSecretIdExpiry = () =>
    o.secretIdExpiry?.()
      .then((at) => metrics.keyManagerSecretIdExpiry.set(at ? at.getTime() / 1000 : 0))
      .catch((e: unknown) => log.warn({ err: errorSummary(e) }, 'secret id expiry lookup failed; will retry'));
  void checkSecretIdExpiry();
  const expiryChecker = setInterval(() => {
    expiry.check().catch((e) => log.warn({ err: errorSummary(e) }, 'certificate expiry check failed; will retry'));
    void checkSecretIdExpiry();
  }, EXPIRY_CHECK_MS);
  expiryChecker.unref();
  const metricsTls = s.metrics.certFile && s.metrics.keyFile ? watchTls('metrics', { certFile: s.metrics.certFile, keyFile: s.metrics.keyFile }) : undefined;
  const metricsServer = metricsTls ? createHttpsServer(serverTlsOptions(metricsTls.current()), getRequestListener(metricsApp.fetch)) : createHttpServer(getRequestListener(metricsApp.fetch));
  metricsTls?.onReload((m) => (metricsServer as ReturnType<typeof createHttpsServer>).setSecureContext(serverTlsOptions(m)));

  const intakePort = await listen(intakeServer, s.intake.port, s.intake.host, 'intake listener');
  const metricsPort = await listen(metricsServer, s.metrics.port, s.metrics.host, 'metrics listener').catch(async (e) => {
    await close(intakeServer);
    throw e;
  });
  const webServer = s.web.enabled
    ? createWebServer({ web: s.web, tls: watchTls('web', { certFile: s.web.certFile as string, keyFile: s.web.keyFile as string }), db, submit, corrections, log, metrics, bodyLimitBytes: s.intake.bodyLimitBytes, auditAvailable: audit.isAvailable, admin: createAdminApi({ db, settings: s, keys, keyManagerAvailable, sealer, auditPublicKeys: () => o.signer.publicKeys(), certificateAuthority: ca, jsonBody: jsonBody({ limit: s.intake.bodyLimitBytes }) }) })
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
    metrics.keyManagerUp.set(keyManagerAvailable() ? 1 : 0);
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
      crlRefresh.stop();
      for (const w of tlsWatches) w.stop();
      await Promise.all([close(intakeServer), close(metricsServer), ...(webServer ? [close(webServer)] : [])]);
      await relay.stop();
      guard.stop();
      blindIndex.stop();
      audit.stop();
      await auditSealer.stop();
      await sidep.close();
      await db.destroy();
      stopForwardingLogs?.();
      await forwarder?.stop();
    },
  };
}
