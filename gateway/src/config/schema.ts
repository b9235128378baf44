import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const positiveInt = z.coerce.number().int().positive();
/** A list given in one variable (`GATEWAY_WEB_ISSUERS` or `…_FILE`) as JSON. */
const jsonList = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v; // reported as the wrong type, without echoing the value
    }
  }, z.array(item));

/** One OpenID provider people sign in with (Pro Santé Connect, the chain's Keycloak or Entra ID…). */
export const issuerSchema = z
  .object({
    /** Short name used in URLs, sessions and enrolments (`psc`, `chain`). */
    id: z.string().regex(/^[a-z0-9-]{1,32}$/),
    /** `psc`: Pro Santé Connect claims and acr (DOMAIN.md §4); `generic`: the claim mapping below. */
    kind: z.enum(['psc', 'generic']).default('generic'),
    issuer: z.url(),
    clientId: z.string().min(1),
    clientSecretFile: z.string().min(1),
    /** Extra CA to trust for this provider (a chain's private CA); the system store otherwise. */
    caFile: z.string().optional(),
    scopes: z.array(z.string()).optional(),
    /** acr values requested and accepted: a token with another acr is refused. Empty: none required. */
    requiredAcr: z.array(z.string()).optional(),
    /** acr or amr values that count as multi-factor evidence. */
    mfaAcr: z.array(z.string()).optional(),
    mfaAmr: z.array(z.string()).optional(),
    /** Where the claims live (dot paths, arrays flattened), for `generic` issuers. */
    claims: z
      .object({ subject: z.string().default('sub'), rpps: z.string().optional(), finess: z.string().optional() })
      .strict()
      .prefault({}),
    /** The demo's development provider; the production profile refuses it. */
    development: bool.default(false),
  })
  .strict();

const webSchema = z
  .object({
    enabled: bool.default(false),
    host: z.string().default('127.0.0.1'),
    port: port.default(8444),
    certFile: z.string().optional(),
    keyFile: z.string().optional(),
    /** The origin browsers use (`https://gateway.example.org`): redirect URIs and the Origin check. */
    publicOrigin: z.url().optional(),
    /** The built admin UI (`admin-ui/dist`); nothing but its files is served. */
    uiDir: z.string().optional(),
    issuers: jsonList(issuerSchema).default([]),
    sessionIdleMinutes: positiveInt.default(15),
    sessionMaxHours: positiveInt.default(10),
    /** Sign-in attempts per client address: sustained per minute, and burst. */
    signInPerMinute: positiveInt.default(30),
    signInBurst: positiveInt.default(20),
    /** API requests per signed-in person: sustained per second, and burst. */
    userRatePerSecond: positiveInt.default(10),
    userRateBurst: positiveInt.default(100),
  })
  .superRefine((w, ctx) => {
    if (!w.enabled) return;
    for (const key of ['certFile', 'keyFile', 'publicOrigin'] as const) {
      if (!w[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'required when the web listener is enabled' });
    }
    if (w.issuers.length === 0) ctx.addIssue({ code: 'custom', path: ['issuers'], message: 'at least one issuer' });
    if (new Set(w.issuers.map((i) => i.id)).size !== w.issuers.length) ctx.addIssue({ code: 'custom', path: ['issuers'], message: 'issuer ids must be unique' });
  })
  .prefault({});

const vaultPathSegment = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/);

/** Client certificates: the CA that issues them (gateway and `gateway cert`), and revocation polling. */
export const pkiSchema = z
  .object({
    /**
     * `vault-pki` (production: Vault signs CSRs, keeps the CRL), `external` (certificates of another
     * CA are registered by fingerprint) or `dev` (local CA files; the production profile refuses it).
     * Unset: `dev` when both CA files are named, else `external`.
     */
    caKind: z.enum(['dev', 'vault-pki', 'external']).optional(),
    /** The dev CA's files. */
    caCertFile: z.string().min(1).optional(),
    caKeyFile: z.string().min(1).optional(),
    /** Vault PKI mount and role (deploy/vault/init.sh), reached with the key manager's AppRole. */
    vaultMount: vaultPathSegment.default('pki-pharmacies'),
    vaultRole: vaultPathSegment.default('pharmacy-client'),
    /** Short-lived client certificates limit what a stolen key is worth; pharmacies rotate with two valid at once. */
    clientValidityDays: positiveInt.max(397).default(90),
    /** A CRL past its nextUpdate is not loaded: `gateway cert crl` re-signs it before then. */
    crlValidityDays: positiveInt.max(90).default(30),
    /** How often the intake listener looks for new CRLs and revocations: 1 s keeps a revoked certificate's next handshake refused within 2 s (poll, then reload). */
    revocationPollMs: positiveInt.min(200).max(10_000).default(1_000),
    /** How often the gateway's own certificate, key and CA files are re-read (besides file-change events). */
    fileCheckMs: positiveInt.min(100).max(300_000).default(10_000),
  })
  .strict()
  .prefault({});

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
    }),
    retention: z.object({
      deliveredDays: z.coerce.number().positive().default(7),
      deadLetteredDays: z.coerce.number().positive().default(30),
      purgeIntervalSeconds: positiveInt.default(300),
    }),
    /** Database dumps (deploy/backup/backup), as `gateway keys retire` and `gateway doctor` see them. */
    backup: z
      .object({
        /**
         * How long any database dump is kept (deploy/backup's `--keep N` × the backup interval, and
         * every copy elsewhere): `keys retire` waits this long after the rewrap it relies on.
         */
        retentionDays: positiveInt.default(14),
        /** `gateway doctor` fails when the last successful dump is older (daily backups + 2 h). */
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
  })
  .strict();

export type Settings = z.infer<typeof settingsSchema>;
export type SettingsInput = z.input<typeof settingsSchema>;
