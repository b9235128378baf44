import type { AuditRecord } from '../audit/index.js';
import { watchTlsFiles } from '../http/index.js';
import { configuredLogForwarder, createMetrics, forwardLogLines, type LogForwarder, type Metrics } from '../observability/index.js';
import { openConfiguredCa } from '../vault/index.js';
import { backgroundJobs } from './jobs.js';
import { inOrder, type Lifecycle } from './lifecycle.js';
import { intakeListener, metricsListener, webListener } from './listeners.js';
import type { GatewayOptions } from './options.js';
import { createServices, type WatchTls } from './services.js';

export interface RunningGateway {
  intakePort: number;
  metricsPort: number;
  /** Set when the web listener is enabled. */
  webPort?: number;
  stop(): Promise<void>;
}

/**
 * The composition root: builds the services once, then starts each part in order: log
 * forwarding, the database, the fail-closed guards, the listeners, SI-DEP delivery, the audit
 * sealer and the background jobs. A part that fails to start stops those started before it,
 * so a failed start leaves nothing listening, polling or connected.
 * @example const gateway = await startGateway({ settings, log, keys, signer }); … await gateway.stop();
 */
export async function startGateway(o: GatewayOptions): Promise<RunningGateway> {
  const { settings: s, log } = o;
  const ca = o.ca ?? (await openConfiguredCa(s.pki));
  const metrics = createMetrics();
  // The gateway's own TLS files: reloaded on change without restart, their expiry published.
  const watchTls: WatchTls = (kind, files) => watchTlsFiles({ kind, files, checkMs: s.pki.fileCheckMs, log, metrics });
  const forwarding = logForwarding(o, metrics);
  const services = createServices(o, { metrics, watchTls, onSealed: forwarding.audit });
  const deps = { services, metrics, ca, watchTls };
  const intake = intakeListener(o, deps);
  const internal = metricsListener(o, deps);
  const web = s.web.enabled ? webListener(o, deps) : undefined;
  const gateway = inOrder('gateway', [
    forwarding,
    services.parts.database,
    services.parts.guards,
    services.parts.refusedTraffic,
    intake,
    internal,
    ...(web ? [web] : []),
    services.parts.delivery,
    services.parts.auditSealer,
    ...backgroundJobs(o, deps),
  ]);
  await gateway.start();
  const ports = { intakePort: intake.port(), metricsPort: internal.port(), webPort: web?.port() };
  log.info({ ...ports, relay: s.relay.enabled }, 'gateway started');
  return { ...ports, stop: gateway.stop };
}

/**
 * Log lines and sealed audit events to syslog/OTLP, when configured; never holds a request.
 * Connects on start, so that it is the first part up and the last down.
 */
function logForwarding(o: GatewayOptions, metrics: Metrics): Lifecycle & { audit(records: AuditRecord[]): void } {
  let forwarder: LogForwarder | undefined;
  let detach: (() => void) | undefined;
  return {
    name: 'log forwarding',
    start() {
      forwarder = configuredLogForwarder(o.settings.logs, metrics);
      detach = forwarder && forwardLogLines(o.log, forwarder.stream);
    },
    async stop() {
      detach?.();
      await forwarder?.stop();
    },
    audit: (records) => forwarder?.audit(records),
  };
}
