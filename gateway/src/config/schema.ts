import { z } from 'zod';
import { complianceSchema } from './compliance-schema.js';
import { bool, MAX_PERSONAL_DATA_DAYS, port, positiveInt } from './fields.js';
import { operatorSchema } from './operator-schema.js';
import { pkiSchema } from './pki-schema.js';
import { webSchema } from './web-schema.js';

/**
 * Every setting of the gateway, in one schema. From the environment, `intake.port` is read from
 * `GATEWAY_INTAKE_PORT`, and any setting also from `GATEWAY_INTAKE_PORT_FILE` (secrets).
 */
export const settingsSchema = z
  .object({
    profile: z.enum(['production', 'demo']).default('production'),
    database: z.object({
      url: z.string().min(1),
      poolSize: positiveInt.default(20),
      /** Plain TCP to Postgres is refused in production unless the host is a Unix socket. */
      allowPlaintextSocket: bool.default(false),
    }),
    intake: z.object({
      host: z.string().default('0.0.0.0'),
      port: port.default(8443),
      certFile: z.string().min(1),
      keyFile: z.string().min(1),
      clientCaFile: z.string().min(1),
      bodyLimitBytes: positiveInt.default(64 * 1024),
      /** Per-pharmacy token bucket: sustained submissions per second, and burst. */
      ratePerSecond: positiveInt.default(20),
      rateBurst: positiveInt.default(1_000),
    }),
    /**
     * Requests failing authentication on intake or web (an unknown certificate, no or a dead
     * session): a token bucket per client address, taken before anything is audited, so a flood
     * answers 429 instead of filling the audit log. Authenticated traffic never counts here.
     */
    unauthenticated: z
      .object({
        perMinute: positiveInt.default(60),
        burst: positiveInt.default(120),
      })
      .strict()
      .prefault({}),
    metrics: z.object({
      host: z.string().default('127.0.0.1'),
      port: port.default(9464),
      tokenFile: z.string().min(1),
      /** Pharmacies that get their own `pharmacy` label on per-pharmacy counters; the others count as "other". Bounds the series. */
      pharmacyLabelLimit: z.coerce.number().int().min(0).max(5_000).default(200),
      /** TLS for the metrics listener; required in production when it binds off loopback. */
      certFile: z.string().optional(),
      keyFile: z.string().optional(),
    }),
    keyManager: z.object({
      kind: z.enum(['local', 'vault']),
      localKeyringFile: z.string().optional(),
      /** Data keys: one per window and shard; cached in memory at most this long. */
      dataKeyWindowMinutes: positiveInt.default(60),
      dataKeyCacheSeconds: z.coerce.number().int().positive().max(300).default(300),
      /** Vault Transit (kind vault): https address, the pinned CA, AppRole id files read at each login. */
      vaultAddress: z.url().optional(),
      vaultCaFile: z.string().optional(),
      vaultRoleIdFile: z.string().optional(),
      vaultSecretIdFile: z.string().optional(),
      /** Per call; under the guard's 5 s so a slow Vault fails a probe before the guard ages out. */
      vaultTimeoutMs: positiveInt.max(5_000).default(2_000),
      vaultDataKeyName: z.string().min(1).default('gateway-data'),
      vaultBlindIndexKeyName: z.string().min(1).default('gateway-blind-index'),
      vaultSigningKeyName: z.string().min(1).default('gateway-audit-checkpoints'),
      /** The Transit `ed25519` key of delivery receipts (receipts/): its own, rotated on its own. */
      vaultReceiptKeyName: z.string().min(1).default('gateway-receipts'),
      /** The blind-index key wrapped by Transit (`vault:vN:…`), written by deploy/vault/init.sh. */
      blindIndexKeyFile: z.string().optional(),
      /**
       * Gateways index under a new blind-index key version this long after it was added (its file
       * time), once every replica holds it; longer than the file takes to reach every replica
       * (Kubernetes secret volumes: the kubelet sync period, about a minute).
       */
      blindIndexAdoptSeconds: z.coerce.number().int().min(10).default(10),
    }),
    sidep: z.object({
      url: z.url(),
      caFile: z.string().min(1),
      certFile: z.string().min(1),
      keyFile: z.string().min(1),
      timeoutMs: positiveInt.default(10_000),
      /** Keep-alive connections: as many as the relay's sends in flight (`relay.concurrency`), or sends wait for one. */
      connections: positiveInt.default(64),
    }),
    relay: z.object({
      enabled: bool.default(true),
      batchSize: positiveInt.default(100),
      concurrency: positiveInt.default(64),
      leaseSeconds: positiveInt.default(60),
      pollMs: positiveInt.default(500),
      maxAttempts: positiveInt.default(50),
      maxAgeHours: positiveInt.default(24),
      baseDelayMs: positiveInt.default(1_000),
      maxDelayMs: positiveInt.default(5 * 60_000),
      /** SI-DEP refusing this many messages in a row for one issue (a contract change) stops the relay… */
      contractRefusals: positiveInt.min(2).max(1_000).default(20),
      /** …when they fall within this many seconds of the first. */
      contractWindowSeconds: positiveInt.min(10).max(3_600).default(300),
      /**
       * Sends to SI-DEP at most this many a second (its quota), unset: as fast as `concurrency`
       * allows. Either way a `Retry-After` from SI-DEP pauses every send until then.
       */
      maxSendsPerSecond: positiveInt.optional(),
      /** The longest `Retry-After` held: one of days (a misconfigured proxy) would stop every delivery for days. */
      maxRetryAfterSeconds: positiveInt.default(15 * 60),
    }),
    /** Status callbacks to pharmacy software: their own workers, apart from the relay's. */
    webhooks: z.object({
      enabled: bool.default(true),
      concurrency: positiveInt.default(16),
      /** Of those sends, at most this many to one endpoint: a slow or failing one leaves the rest to the others. */
      perEndpoint: positiveInt.default(4),
      leaseSeconds: positiveInt.default(60),
      pollMs: positiveInt.default(1_000),
      maxAttempts: positiveInt.default(15),
      maxAgeHours: positiveInt.default(24),
      baseDelayMs: positiveInt.default(1_000),
      maxDelayMs: positiveInt.default(10 * 60_000),
    }).prefault({}),
    /** Personal data of settled results (and their idempotency records), at most MAX_PERSONAL_DATA_DAYS. */
    retention: z.object({
      deliveredDays: z.coerce.number().positive().max(MAX_PERSONAL_DATA_DAYS).default(7),
      deadLetteredDays: z.coerce.number().positive().max(MAX_PERSONAL_DATA_DAYS).default(30),
      purgeIntervalSeconds: positiveInt.default(300),
    }),
    /** Database dumps (deploy/backup/backup), as `gateway keys retire` and `gateway doctor` see them. */
    backup: z
      .object({
        /**
         * How long any database dump is kept (deploy/backup's `--keep N` × the backup interval, and
         * every copy elsewhere): `keys retire` waits this long after the rewrap it relies on.
         */
        retentionDays: positiveInt.max(MAX_PERSONAL_DATA_DAYS).default(14),
        /**
         * The RPO: `gateway doctor` fails, and the BackupTooOld alert fires (through
         * gateway_backup_max_age_seconds), when the last successful dump is older (daily backups + 2 h).
         */
        maxAgeHours: positiveInt.default(26),
      })
      .strict()
      .prefault({}),
    validation: z.object({
      maxPastDays: positiveInt.default(7),
      allowExtendedNir: bool.default(false),
    }),
    /** Sealing of the audit log; nothing here turns auditing off. */
    audit: z
      .object({
        /** A batch is sealed at least this often (the design's ≤ 1 s). */
        sealIntervalMs: positiveInt.max(1_000).default(1_000),
        /** Events per checkpoint (the design's ≤ 1,000). */
        batchSize: positiveInt.max(1_000).default(1_000),
        /** The append-only JSON Lines copy of every checkpoint. */
        sinkFile: z.string().min(1).optional(),
        /** And/or a webhook receiving the same lines (POST, application/x-ndjson). One sink at least is required. */
        sinkUrl: z.url().optional(),
        /** State-changing routes answer 503 once sealing or the sink copy lags this much. */
        maxSealLagSeconds: positiveInt.default(60),
      })
      .strict()
      .prefault({}),
    web: webSchema,
    pki: pkiSchema,
    /** Copies of log lines and audit events (no personal data) to the chain's collectors; none by default. */
    logs: z
      .object({
        /** Syslog over TCP, `host:port`: RFC 5424 messages framed by octet counting (RFC 6587). */
        syslogAddress: z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/).optional(),
        /** TLS to the syslog collector (RFC 5425), trusting only this CA file. */
        syslogCaFile: z.string().min(1).optional(),
        /** RFC 5424 facility; 16 = local0. */
        syslogFacility: z.coerce.number().int().min(0).max(23).default(16),
        /** OTLP/HTTP collector base URL; records are POSTed as JSON to `<url>/v1/logs`. */
        otlpUrl: z.url().optional(),
        otlpCaFile: z.string().min(1).optional(),
        /** A bearer token for the collector. */
        otlpTokenFile: z.string().min(1).optional(),
        /** Records waiting per collector; beyond, new ones are dropped and counted. */
        queueSize: positiveInt.max(1_000_000).default(10_000),
      })
      .strict()
      .prefault({}),
    /** What the deployment files say they started, for `gateway doctor`; no effect on serving. */
    deployment: z
      .object({
        /**
         * The third-party image references, comma-separated, as compose.yaml and
         * deploy/kustomization.yaml interpolate them from deploy/images.env.
         */
        images: z.string().optional(),
      })
      .strict()
      .prefault({}),
    compliance: complianceSchema,
    operator: operatorSchema,
  })
  .strict();

export type Settings = z.infer<typeof settingsSchema>;
export type SettingsInput = z.input<typeof settingsSchema>;
