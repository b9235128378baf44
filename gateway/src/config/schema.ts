import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const positiveInt = z.coerce.number().int().positive();

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
      ratePerSecond: positiveInt.default(50),
      rateBurst: positiveInt.default(500),
    }),
    metrics: z.object({
      host: z.string().default('127.0.0.1'),
      port: port.default(9464),
      tokenFile: z.string().min(1),
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
    }),
    sidep: z.object({
      url: z.url(),
      caFile: z.string().min(1),
      certFile: z.string().min(1),
      keyFile: z.string().min(1),
      timeoutMs: positiveInt.default(10_000),
      connections: positiveInt.default(32),
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
    validation: z.object({
      maxPastDays: positiveInt.default(7),
      allowExtendedNir: bool.default(false),
    }),
  })
  .strict();

export type Settings = z.infer<typeof settingsSchema>;
export type SettingsInput = z.input<typeof settingsSchema>;
