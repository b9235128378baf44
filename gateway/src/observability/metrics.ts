import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The gateway's metrics, on a registry of its own (tests build several gateways in one process).
 * Labels are bounded: outcome codes, rule codes, states — never a result id or personal value.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gateway_' });
  const m = {
    registry,
    intakeRequests: new Counter({
      name: 'gateway_intake_requests_total',
      help: 'Intake requests by route and outcome (problem code or "accepted").',
      labelNames: ['route', 'outcome'] as const,
      registers: [registry],
    }),
    validationFailures: new Counter({
      name: 'gateway_validation_failures_total',
      help: 'Field errors in rejected submissions, by rule code.',
      labelNames: ['rule'] as const,
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'gateway_http_request_duration_seconds',
      help: 'HTTP request duration by listener and status class.',
      labelNames: ['listener', 'status_class'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    authorizationFailures: new Counter({
      name: 'gateway_authorization_failures_total',
      help: 'Requests refused for want of authentication or authorization on intake and web (401, 403, and the 429s of the per-address limit), by listener and refusal code.',
      labelNames: ['listener', 'reason'] as const,
      registers: [registry],
    }),
    outboxBacklog: new Gauge({
      name: 'gateway_outbox_backlog',
      help: 'Messages waiting for delivery.',
      registers: [registry],
    }),
    outboxOldestPendingAge: new Gauge({
      name: 'gateway_outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest message waiting for delivery (0 when none).',
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'gateway_deliveries_total',
      help: 'Delivery attempts by outcome: delivered, retry, dead-lettered.',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    retries: new Counter({
      name: 'gateway_delivery_retries_total',
      help: 'Retries scheduled, by reason code.',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    sidepThrottled: new Counter({
      name: 'gateway_sidep_throttled_total',
      help: 'Sends SI-DEP answered 429 (over its quota): each holds every send of this replica until its Retry-After.',
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'gateway_dead_letters_total',
      help: 'Messages dead-lettered, by reason code.',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    commitToDelivered: new Histogram({
      name: 'gateway_commit_to_delivered_seconds',
      help: 'Time from the intake commit to the SI-DEP acknowledgement.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 900, 3600, 86400],
      registers: [registry],
    }),
    sidepRequestDuration: new Histogram({
      name: 'gateway_sidep_request_duration_seconds',
      help: "SI-DEP's answer time per message sent, by outcome: accepted, retryable, rejected.",
      labelNames: ['outcome'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    sidepContractCircuitOpen: new Gauge({
      name: 'gateway_sidep_contract_circuit_open',
      help: '1 while the relay sends nothing because SI-DEP refuses a whole message shape (a contract change), until `gateway outbox resume` or a gateway of a later contract version.',
      registers: [registry],
    }),
    keyManagerUp: new Gauge({
      name: 'gateway_key_manager_up',
      help: '1 when the key manager answered within the staleness limit.',
      registers: [registry],
    }),
    keyManagerSecretIdExpiry: new Gauge({
      name: 'gateway_key_manager_secret_id_expiry_timestamp_seconds',
      help: 'When the Vault AppRole secret id the gateway logs in with expires (Unix seconds, read once a minute); 0: no expiry known (local keyring, or a secret id without TTL).',
      registers: [registry],
    }),
    auditUp: new Gauge({
      name: 'gateway_audit_up',
      help: '1 when sealing and the sink copy are within audit.maxSealLagSeconds; 0 when state-changing routes answer 503.',
      registers: [registry],
    }),
    auditSealLag: new Gauge({
      name: 'gateway_audit_seal_lag_seconds',
      help: 'Age of the oldest audit event not yet sealed, or of the oldest checkpoint not yet in the sink, whichever is older.',
      registers: [registry],
    }),
    recordsPerKeyVersion: new Gauge({
      name: 'gateway_records_per_key_version',
      help: 'Sealed records by the key-encryption-key version wrapping their data key (rewrap moves them to the newest).',
      labelNames: ['version'] as const,
      registers: [registry],
    }),
    keyManagerCalls: new Counter({
      name: 'gateway_key_manager_calls_total',
      help: 'Calls made to the key manager.',
      registers: [registry],
    }),
    keyManagerRequestDuration: new Histogram({
      name: 'gateway_key_manager_request_duration_seconds',
      help: 'Duration of each key-manager call (Vault Transit or local keyring), by operation (probe, unwrap_data_key, generate_data_key, …) and outcome: ok, unavailable, decryption_failed, refused.',
      labelNames: ['operation', 'outcome'] as const,
      // Vault's per-call timeout is at most 5 s (keyManager.vaultTimeoutMs)
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    purged: new Counter({
      name: 'gateway_results_purged_total',
      help: 'Results whose personal data was destroyed, by final status.',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    certificateExpiryDays: new Gauge({
      name: 'gateway_certificate_expiry_days',
      help: "Days until the last valid client certificate of each active pharmacy expires (0: none valid); label pharmacy = the pharmacy's id.",
      labelNames: ['pharmacy'] as const,
      registers: [registry],
    }),
    certificateExpiryTimestamp: new Gauge({
      name: 'gateway_certificate_expiry_timestamp_seconds',
      help: "notAfter (Unix seconds) of each certificate file of the gateway (kind: intake-certificate, intake-ca, web-certificate, metrics-certificate, sidep-certificate, sidep-ca, vault-ca, postgres-ca; earliest of a CA bundle) and of each active pharmacy's last valid client certificate (kind pharmacy, pharmacy = its id; 0: none valid).",
      labelNames: ['kind', 'pharmacy'] as const,
      registers: [registry],
    }),
    tlsReloads: new Counter({
      name: 'gateway_tls_reloads_total',
      help: 'Changes of TLS files seen, by endpoint (intake, web, metrics, sidep, vault, postgres) and outcome: loaded, or refused (the previous files stay in use).',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    }),
    pharmacyResults: new Counter({
      name: 'gateway_pharmacy_results_total',
      help: 'Results accepted (new, not replays), per pharmacy id; pharmacies beyond metrics.pharmacyLabelLimit count as "other".',
      labelNames: ['pharmacy'] as const,
      registers: [registry],
    }),
    webhookAttempts: new Counter({
      name: 'gateway_webhook_attempts_total',
      help: 'Status callback attempts per endpoint id and outcome: delivered, retry, dead, or release (key manager down, not sent); endpoints beyond metrics.pharmacyLabelLimit count as "other".',
      labelNames: ['endpoint', 'outcome'] as const,
      registers: [registry],
    }),
    logRecordsForwarded: new Counter({
      name: 'gateway_log_records_forwarded_total',
      help: 'Log lines and audit events handed to a collector, by kind: syslog or otlp.',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    logRecordsDropped: new Counter({
      name: 'gateway_log_records_dropped_total',
      help: 'Log lines and audit events not forwarded (queue full or collector unreachable), by kind: syslog or otlp.',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    reveals: new Counter({
      name: 'gateway_reveals_total',
      help: 'Reveals of a sealed result by people, by outcome: success, or the problem code (not-found, key-manager-unavailable, audit-unavailable, internal).',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    deadLetterNextPurge: new Gauge({
      name: 'gateway_dead_letter_next_purge_timestamp_seconds',
      help: 'When the first dead-lettered result still holding personal data is purged (Unix seconds, retention.deadLetteredDays after it was dead-lettered); 0: none.',
      registers: [registry],
    }),
    backupLastSuccess: new Gauge({
      name: 'gateway_backup_last_success_timestamp_seconds',
      help: 'When the newest successful database dump recorded in backup_runs finished (Unix seconds); 0: none recorded.',
      registers: [registry],
    }),
    backupMaxAge: new Gauge({
      name: 'gateway_backup_max_age_seconds',
      help: "The RPO: the age past which the newest successful dump is too old (backup.maxAgeHours, gateway doctor's limit).",
      registers: [registry],
    }),
    restoreDrillRpo: new Gauge({
      name: 'gateway_restore_drill_rpo_seconds',
      help: 'The newest restore drill (restore_drills): from the newest result present after restore to the simulated failure.',
      registers: [registry],
    }),
    restoreDrillRto: new Gauge({
      name: 'gateway_restore_drill_rto_seconds',
      help: 'The newest restore drill (restore_drills): from the simulated failure until the restored gateway was ready and a result decrypted.',
      registers: [registry],
    }),
    restoreDrillLast: new Gauge({
      name: 'gateway_restore_drill_timestamp_seconds',
      help: 'When the newest restore drill was recorded (Unix seconds); 0: none recorded.',
      registers: [registry],
    }),
    adminEnrolmentsUnused: new Gauge({
      name: 'gateway_admin_enrolments_unused',
      help: 'Live enrolments in an administering role (every role but pharmacist) whose person has not signed in for 90 days since it was granted.',
      registers: [registry],
    }),
    subjectRequestsDueSoon: new Gauge({
      name: 'gateway_subject_requests_due_soon',
      help: 'Open requests of people tested (register of GDPR requests) due within 7 days, overdue ones included.',
      registers: [registry],
    }),
    ...databasePoolMetrics(registry),
  };
  return m;
}

/** Pool saturation, read from the live pool at scrape time (alert: PostgresPoolSaturated). */
function databasePoolMetrics(registry: Registry) {
  let read = (): { max: number; total: number; idle: number; waiting: number } => ({ max: 0, total: 0, idle: 0, waiting: 0 });
  new Gauge({
    name: 'gateway_db_pool_max_connections',
    help: 'Connections this replica may open to Postgres (database.poolSize).',
    registers: [registry],
    collect() {
      this.set(read().max);
    },
  });
  new Gauge({
    name: 'gateway_db_pool_connections',
    help: 'Open Postgres connections of this replica, by state: busy or idle.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const p = read();
      this.set({ state: 'busy' }, p.total - p.idle);
      this.set({ state: 'idle' }, p.idle);
    },
  });
  new Gauge({
    name: 'gateway_db_pool_waiting_requests',
    help: 'Queries waiting for a free Postgres connection.',
    registers: [registry],
    collect() {
      this.set(read().waiting);
    },
  });
  return {
    /** Points the pool gauges at a live pool. */
    observeDatabasePool(pool: { totalCount: number; idleCount: number; waitingCount: number }, max: number): void {
      read = () => ({ max, total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
