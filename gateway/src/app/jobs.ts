import { countUnusedAdminEnrolments } from '../auth/access-review.js';
import { openRequestsDueWithin, SUBJECT_REQUEST_WARNING_DAYS } from '../subjects/index.js';
import { kekVersionsInUse, lastSuccessfulBackup } from '../keys/index.js';
import { lastRestoreDrill } from '../observability/restore-drill.js';
import { errorSummary, type Metrics } from '../observability/index.js';
import { createCrlRefresh, createExpiryMonitor } from '../pharmacies/index.js';
import type { CertificateAuthority } from '../pki/index.js';
import { backlog, nextDeadLetterPurge } from '../results/lifecycle/index.js';
import type { GatewayOptions } from './options.js';
import { every, part, type Lifecycle } from './lifecycle.js';
import { purgePersonalData } from './purge.js';
import type { Services, WatchTls } from './services.js';

const SAMPLE_MS = 5_000;
/** Certificate expiry moves in days: once a minute is plenty. */
const EXPIRY_CHECK_MS = 60_000;
/** Vault PKI rebuilds its CRL on revocation and before expiry; a minute keeps replicas close behind. */
const CRL_REFRESH_MS = 60_000;

export interface JobDeps {
  services: Services;
  metrics: Metrics;
  ca: CertificateAuthority;
  watchTls: WatchTls;
}

/**
 * The background jobs beside the listeners and the relay: the CA's CRL copied to the database,
 * certificate expiries published, the gauges sampled, expired personal data purged.
 * @example inOrder('gateway', [...listeners, ...backgroundJobs(o, { services, metrics, ca, watchTls })]);
 */
export function backgroundJobs(o: GatewayOptions, x: JobDeps): Lifecycle[] {
  const { settings: s, log } = o;
  return [
    part('CRL refresh', createCrlRefresh({ db: x.services.db, ca: x.ca, intervalMs: CRL_REFRESH_MS, log })),
    certificateExpiry(o, x),
    ...outsideTlsFiles(o, x.watchTls),
    metricsSampler(o, x),
    every('purge', s.retention.purgeIntervalSeconds * 1000, () => {
      purgePersonalData(x.services.db, s)
        .then(({ results, dataKeys, prefills, signIns }) => (results || dataKeys || prefills || signIns) && log.info({ purged: results, dataKeysDeleted: dataKeys, prefillsDeleted: prefills, signInsForgotten: signIns }, 'personal data purged'))
        .then(() => kekVersionsInUse(x.services.db))
        .then((uses) => {
          x.metrics.recordsPerKeyVersion.reset();
          for (const use of uses) x.metrics.recordsPerKeyVersion.set({ version: String(use.version) }, use.records);
        })
        .catch((e) => log.warn({ err: errorSummary(e) }, 'purge failed; will retry'));
    }),
  ];
}

/** Pharmacy certificates (checked at start, then every minute) and the Vault AppRole secret id. */
function certificateExpiry(o: GatewayOptions, x: JobDeps): Lifecycle {
  const { log } = o;
  const expiry = createExpiryMonitor({ db: x.services.db, gauge: x.metrics.certificateExpiryDays, timestamps: x.metrics.certificateExpiryTimestamp, log });
  // Renewed by hand before it ends (deploy/guides/operations.md#vault-approle-secret-ids): the
  // alert reads this. A failed lookup keeps the last value, which ages toward the alert.
  const checkSecretIdExpiry = () =>
    o.secretIdExpiry?.()
      .then((at) => x.metrics.keyManagerSecretIdExpiry.set(at ? at.getTime() / 1000 : 0))
      .catch((e: unknown) => log.warn({ err: errorSummary(e) }, 'secret id expiry lookup failed; will retry'));
  const checker = every('certificate expiry', EXPIRY_CHECK_MS, () => {
    expiry.check().catch((e) => log.warn({ err: errorSummary(e) }, 'certificate expiry check failed; will retry'));
    void checkSecretIdExpiry();
  });
  return {
    name: checker.name,
    async start() {
      await expiry.check();
      void checkSecretIdExpiry();
      checker.start();
    },
    stop: checker.stop,
  };
}

/** The CAs the gateway trusts as a client of Vault and Postgres: their expiry published. */
function outsideTlsFiles(o: GatewayOptions, watchTls: WatchTls): Lifecycle[] {
  const s = o.settings;
  const postgresCa = new URLSearchParams(s.database.url.split('?')[1] ?? '').get('sslrootcert');
  return [
    ...(s.keyManager.vaultCaFile ? [part('Vault TLS files', watchTls('vault', { caFile: s.keyManager.vaultCaFile }))] : []),
    ...(postgresCa && postgresCa !== 'system' ? [part('Postgres TLS files', watchTls('postgres', { caFile: postgresCa }))] : []),
  ];
}

/**
 * The gauges read by polling: outbox backlog, key manager and audit availability, key-manager
 * calls, the next purge of a dead letter, the last successful backup and restore drill, unused
 * admin enrolments, and the people's requests due within a week
 * (their alerts warn before a dead letter's data is destroyed, when backups stop, against
 * doctor's limit, and when an admin enrolment lies unused).
 */
function metricsSampler(o: GatewayOptions, { services, metrics }: JobDeps): Lifecycle {
  const s = o.settings;
  let lastCalls = 0;
  metrics.backupMaxAge.set(s.backup.maxAgeHours * 3600);
  return every('metrics sampler', SAMPLE_MS, () => {
    nextDeadLetterPurge(services.db, s.retention)
      .then((at) => metrics.deadLetterNextPurge.set(at ? at.getTime() / 1000 : 0))
      .catch(() => undefined);
    countUnusedAdminEnrolments(services.db)
      .then((n) => metrics.adminEnrolmentsUnused.set(n))
      .catch(() => undefined);
    openRequestsDueWithin(services.db, SUBJECT_REQUEST_WARNING_DAYS)
      .then((n) => metrics.subjectRequestsDueSoon.set(n))
      .catch(() => undefined);
    lastSuccessfulBackup(services.db)
      .then((last) => metrics.backupLastSuccess.set(last ? last.finishedAt.getTime() / 1000 : 0))
      .catch(() => undefined);
    lastRestoreDrill(services.db)
      .then((drill) => {
        metrics.restoreDrillLast.set(drill ? drill.recordedAt.getTime() / 1000 : 0);
        if (drill) {
          metrics.restoreDrillRpo.set(drill.rpoSeconds);
          metrics.restoreDrillRto.set(drill.rtoSeconds);
        }
      })
      .catch(() => undefined);
    backlog(services.db)
      .then((b) => {
        metrics.outboxBacklog.set(b.pending);
        metrics.outboxOldestPendingAge.set(b.oldestAgeSeconds);
      })
      .catch(() => undefined);
    metrics.keyManagerUp.set(services.keyManagerAvailable() ? 1 : 0);
    metrics.auditUp.set(services.audit.isAvailable() ? 1 : 0);
    const lag = services.audit.lag();
    if (lag) metrics.auditSealLag.set(Math.max(lag.oldestUnsealedSeconds, lag.oldestUncopiedSeconds));
    const calls = services.dataKeys.keyManagerCalls();
    metrics.keyManagerCalls.inc(calls - lastCalls);
    lastCalls = calls;
  });
}
