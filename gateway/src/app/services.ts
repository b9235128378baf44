import { appendAuditNow, configuredCheckpointSink, createAuditGuard, createAuditSealer, type AuditRecord } from '../audit/index.js';
import { SettingsRefused } from '../config/index.js';
import { createDatabase } from '../db/index.js';
import { createRateLimiter, createRefusedTraffic, type TlsFiles, type TlsFilesWatch, type TlsMaterial } from '../http/index.js';
import { createCorrectionService } from '../intake/corrections.js';
import { createKeyedResultSealer } from '../results/lifecycle/index.js';
import { createSubmitService } from '../intake/submit.js';
import { createPrefillService } from '../intake/prefills.js';
import { createLiveBlindIndex, timeKeyManager } from '../keys/index.js';
import { countAcceptedPerPharmacy, createPharmacyLabels, type Metrics } from '../observability/index.js';
import { createMessageBuilder, createRelay } from '../outbox/index.js';
import { deliveredDigest } from '../receipts/index.js';
import { createIntakeSchema, parseIntake, type TestResultInput } from '../results/index.js';
import { createFhirSidepClient, type SidepAdapter } from '../sidep/index.js';
import { createOutboundClient } from '../webhooks/outbound.js';
import { createCallbackWorker } from '../webhooks/worker.js';
import type { GatewayOptions } from './options.js';
import { closing, inOrder, part, type Lifecycle } from './lifecycle.js';

/** Watches the TLS files of one endpoint (`watchTlsFiles` with the gateway's settings). */
export type WatchTls = (kind: string, files: TlsFiles) => TlsFilesWatch;

/**
 * The services every listener and job shares, built once and holding nothing yet: the database,
 * the key manager behind its guard, the result sealer, the intake services, the relay. What
 * runs or holds connections is returned as parts for the composition root to start and stop.
 * @example const services = createServices(o, { metrics, watchTls, onSealed }); … services.parts.guards.start();
 */
export function createServices(o: GatewayOptions, x: { metrics: Metrics; watchTls: WatchTls; onSealed: (records: AuditRecord[]) => void }) {
  const { settings: s, log } = o;
  const { metrics } = x;
  // Fail closed: without an outside copy of the checkpoints, a rewrite of the database could not show.
  const auditSink = configuredCheckpointSink(s.audit);
  if (!auditSink) throw new SettingsRefused(['GATEWAY_AUDIT_SINK_FILE or GATEWAY_AUDIT_SINK_URL: required (audit checkpoints are copied outside the database)']);
  // every key-manager call of this process, probes included, lands in the latency histogram
  const keys = timeKeyManager(o.keys, (labels, seconds) => metrics.keyManagerRequestDuration.observe(labels, seconds));
  const db = createDatabase({ url: s.database.url, poolSize: s.database.poolSize, observePool: (pool) => metrics.observeDatabasePool(pool, s.database.poolSize) });
  const audit = createAuditGuard({ db, maxSealLagSeconds: s.audit.maxSealLagSeconds });
  const auditSealer = o.audit?.sealer ?? createAuditSealer({ url: s.database.url, signer: o.signer, sink: auditSink, intervalMs: s.audit.sealIntervalMs, batchSize: s.audit.batchSize, log, onSealed: x.onSealed });
  // Follows blind-index key rotations without restart (refuses work when it cannot read them for 5 s).
  const blindIndex = createLiveBlindIndex({ keys, adoptAfterMs: s.keyManager.blindIndexAdoptSeconds * 1000 });
  const { guard, dataKeys, sealer } = createKeyedResultSealer<TestResultInput>({ keys, db, settings: s.keyManager, blindIndex: blindIndex.blindIndex });
  const schema = createIntakeSchema({ now: () => new Date(), maxPastDays: s.validation.maxPastDays, allowExtendedNir: s.validation.allowExtendedNir });
  const sidep = sidepClient(o, x.watchTls);
  const relay = createRelay({
    db,
    sidep: sidep.client,
    buildMessage: createMessageBuilder({ sealer }),
    deliveredDigest: (bundle) => deliveredDigest(blindIndex.blindIndex, bundle),
    policy: { ...s.relay, maxAgeMs: s.relay.maxAgeHours * 3_600_000 },
    contract: { refusals: s.relay.contractRefusals, windowSeconds: s.relay.contractWindowSeconds },
    metrics,
    log,
    batchSize: s.relay.batchSize,
    concurrency: s.relay.concurrency,
    leaseSeconds: s.relay.leaseSeconds,
    pollMs: s.relay.pollMs,
    maxSendsPerSecond: s.relay.maxSendsPerSecond,
    maxRetryAfterMs: s.relay.maxRetryAfterSeconds * 1000,
  });
  // Status callbacks: own workers, so a slow pharmacy endpoint never holds an SI-DEP send.
  const endpointLabel = createPharmacyLabels(s.metrics.pharmacyLabelLimit);
  const callbacks = createCallbackWorker({
    db,
    keys,
    keyManagerAvailable: () => guard.isAvailable(),
    client: createOutboundClient({}),
    policy: { ...s.webhooks, maxAgeMs: s.webhooks.maxAgeHours * 3_600_000 },
    concurrency: s.webhooks.concurrency,
    perEndpoint: s.webhooks.perEndpoint,
    leaseSeconds: s.webhooks.leaseSeconds,
    pollMs: s.webhooks.pollMs,
    log,
    onAttempt: (endpoint, outcome) => metrics.webhookAttempts.inc({ endpoint: endpointLabel(endpoint), outcome }),
  });
  // one allowance per client address, whichever listener it fails authentication on
  const refused = createRefusedTraffic({
    limiter: createRateLimiter({ ratePerSecond: s.unauthenticated.perMinute / 60, burst: s.unauthenticated.burst }),
    append: (events) => appendAuditNow(db, events),
    log,
  });
  const serviceDeps = { db, sealer, validate: (raw: unknown) => parseIntake(schema, raw), onCommit: relay.wake, audit: o.audit?.appender };

  return {
    db,
    keys,
    dataKeys,
    sealer,
    schema,
    audit,
    // Ready only while both the key manager answers and the blind-index versions are current.
    keyManagerAvailable: () => guard.isAvailable() && blindIndex.isFresh(),
    // one intake service for the mTLS API and the pharmacist's web page
    submit: countAcceptedPerPharmacy(createSubmitService(serviceDeps), { counter: metrics.pharmacyResults, limit: s.metrics.pharmacyLabelLimit }),
    corrections: createCorrectionService(serviceDeps),
    // one-time counter-prefill tokens: issued on the intake listener, redeemed on the web one
    prefills: createPrefillService({ db, dataKeys, schema }),
    refused,
    parts: {
      database: closing('database', () => db.destroy()),
      // Probed once before any listener accepts: until then intake would answer 503.
      guards: inOrder('fail-closed guards', [part('key manager guard', guard), part('audit guard', audit), part('blind-index keys', blindIndex)]),
      // started before the listeners and stopped after them: the last minute's counts are written on stop
      refusedTraffic: part('refused-traffic audit', refused),
      delivery: inOrder('SI-DEP delivery', [
        ...sidep.parts,
        ...(s.relay.enabled ? [part('relay', relay)] : []),
        ...(s.webhooks.enabled ? [part('status callbacks', callbacks)] : []),
      ]),
      auditSealer: part('audit sealer', auditSealer),
    },
  };
}

export type Services = ReturnType<typeof createServices>;

/** The SI-DEP client (or the one the caller gave), following its TLS files without restart. */
function sidepClient(o: GatewayOptions, watchTls: WatchTls): { client: SidepAdapter; parts: Lifecycle[] } {
  const s = o.settings.sidep;
  const tls = watchTls('sidep', { certFile: s.certFile, keyFile: s.keyFile, caFile: s.caFile });
  const tlsOf = ({ ca, cert, key }: TlsMaterial) => ({ ca: ca as Buffer, cert: cert as Buffer, key: key as Buffer });
  let client = o.sidep;
  if (!client) {
    const fhir = createFhirSidepClient({ baseUrl: s.url, ...tlsOf(tls.current()), timeoutMs: s.timeoutMs, connections: s.connections });
    tls.onReload((m) => fhir.reloadTls(tlsOf(m)));
    client = fhir;
  }
  const sidep = client;
  return { client: sidep, parts: [part('SI-DEP TLS files', tls), closing('SI-DEP client', () => sidep.close())] };
}
