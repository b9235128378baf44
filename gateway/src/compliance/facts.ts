import { parse as parseConnectionString } from 'pg-connection-string';
import type { PartialSettings } from '../config/index.js';
import { namesMfaEvidence } from '../config/web-schema.js';
import { caKindOf, TLS_CIPHERS, TLS_MIN_VERSION } from '../pki/index.js';

/**
 * What the compliance documents say about this deployment, read from its settings only: a
 * setting that is not given is `undefined`, and prints as a blank to complete.
 */
export interface ComplianceFacts {
  readonly profile: 'production' | 'demo';
  readonly controllerName: string | undefined;
  readonly dpoContact: string | undefined;
  readonly hdsHostName: string | undefined;
  readonly hdsCertificateRef: string | undefined;
  readonly retention: {
    readonly deliveredDays: number;
    readonly deadLetteredDays: number;
    readonly relayMaxAgeHours: number;
    readonly backupDays: number;
    readonly auditDays: number;
  };
  /** `vault`: Vault or OpenBao Transit; `local`: the demo's keyring file. */
  readonly keyManager: 'vault' | 'local' | undefined;
  readonly clientCa: ReturnType<typeof caKindOf>;
  readonly clientCertificateDays: number;
  readonly intakeRate: { readonly perSecond: number; readonly burst: number } | undefined;
  readonly unauthenticatedPerMinute: number;
  readonly web:
    | { readonly enabled: false }
    | {
        readonly enabled: true;
        readonly issuers: readonly { readonly id: string; readonly mfaEvidence: boolean; readonly development: boolean }[];
        readonly sessionIdleMinutes: number;
        readonly sessionMaxHours: number;
        readonly signInPerMinute: number;
        readonly userRatePerSecond: number;
        readonly revealsPerMinute: number;
      };
  /** `1.2`, and the suites in preference order. */
  readonly tls: { readonly minVersion: string; readonly suites: readonly string[] };
  /** How the gateway reaches Postgres: `verify-full`, a Unix socket, or the `sslmode` given (`none` without one). */
  readonly databaseTls: string | undefined;
  readonly auditSinks: readonly ('file' | 'webhook')[];
  readonly auditSealMs: number;
  readonly logForwarding: readonly ('syslog-tls' | 'syslog' | 'otlp')[];
}

/**
 * The facts of the settings as operator commands read them.
 *
 * @example const facts = complianceFacts(ctx.settings().settings, ctx.settings().production);
 */
export function complianceFacts(s: Readonly<PartialSettings>, production: boolean): ComplianceFacts {
  const { web } = s;
  return {
    profile: production ? 'production' : 'demo',
    controllerName: s.compliance.controllerName,
    dpoContact: s.compliance.dpoContact,
    hdsHostName: s.compliance.hdsHostName,
    hdsCertificateRef: s.compliance.hdsCertificateRef,
    retention: {
      deliveredDays: s.retention.deliveredDays,
      deadLetteredDays: s.retention.deadLetteredDays,
      relayMaxAgeHours: s.relay.maxAgeHours,
      backupDays: s.backup.retentionDays,
      auditDays: s.operator.auditRetentionDays,
    },
    keyManager: s.keyManager?.kind,
    clientCa: caKindOf(s.pki),
    clientCertificateDays: s.pki.clientValidityDays,
    intakeRate: s.intake && { perSecond: s.intake.ratePerSecond, burst: s.intake.rateBurst },
    unauthenticatedPerMinute: s.unauthenticated.perMinute,
    web: web.enabled
      ? {
          enabled: true,
          issuers: web.issuers.map((i) => ({ id: i.id, mfaEvidence: namesMfaEvidence(i), development: i.development })),
          sessionIdleMinutes: web.sessionIdleMinutes,
          sessionMaxHours: web.sessionMaxHours,
          signInPerMinute: web.signInPerMinute,
          userRatePerSecond: web.userRatePerSecond,
          revealsPerMinute: web.revealsPerMinute,
        }
      : { enabled: false },
    tls: { minVersion: TLS_MIN_VERSION.replace(/^TLSv/, ''), suites: TLS_CIPHERS.split(':') },
    databaseTls: s.database && databaseTlsMode(s.database.url, s.database.allowPlaintextSocket),
    auditSinks: [...(s.audit.sinkFile ? (['file'] as const) : []), ...(s.audit.sinkUrl ? (['webhook'] as const) : [])],
    auditSealMs: s.audit.sealIntervalMs,
    logForwarding: [
      ...(s.logs.syslogAddress ? [s.logs.syslogCaFile ? ('syslog-tls' as const) : ('syslog' as const)] : []),
      ...(s.logs.otlpUrl ? (['otlp'] as const) : []),
    ],
  };
}

const SSL_MODES = ['none', 'disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/** The URL's TLS mode, never the URL: it may carry a password. */
function databaseTlsMode(url: string, allowSocket: boolean): string {
  if (allowSocket && parseConnectionString(url).host?.startsWith('/')) return 'unix-socket';
  const mode = new URLSearchParams(url.split('?')[1] ?? '').get('sslmode') ?? 'none';
  return SSL_MODES.includes(mode) ? mode : 'other';
}
