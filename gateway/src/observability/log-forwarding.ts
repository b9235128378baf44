import { readFileSync } from 'node:fs';
import type { Settings } from '../config/index.js';
import type { ForwardedRecord } from './log-forwarding-frames.js';
import { otlpTarget, syslogTarget, type Target } from './log-forwarding-targets.js';
import type { Metrics } from './metrics.js';

// Our own forwarder, not pino transports: each one tried fails the tests of this behaviour.
// pino-socket 8 takes no CA for TLS (the system store or no verification) and, with the
// collector down, evicts the oldest lines uncounted; pino-syslog 4 frames by newline with whole
// seconds, not RFC 6587 octet counting; pino-opentelemetry-transport 4 sends `msg` as the body
// and the other fields as attributes, and its exporter drops a batch after 5 attempts. All run
// in a worker thread, which neither our drop counters nor the sealed audit events reach.

/** An audit event as forwarded: ids and codes only, like the event itself. */
export interface ForwardedAuditEvent {
  seq: string;
  at: string;
  action: string;
  actorType: string;
  actorId: string | null;
  objectType: string | null;
  objectId: string | null;
  outcome: string;
  reason: string | null;
}

export interface LogForwardingOptions {
  syslog?: { host: string; port: number; ca?: string | Buffer; facility: number };
  otlp?: { url: string; token?: string; ca?: string | Buffer };
  queueSize: number;
  metrics: Metrics;
}

// pino writes `{"level":30,"time":1700000000000,…`: read both without parsing the whole line.
const LEVEL_AND_TIME = /^\{"level":(\d+),"time":(\d+)/;

/**
 * Copies log lines and audit events to syslog and/or an OTLP collector, each through its own
 * bounded queue. `stream` receives pino's lines (after redaction); `audit` the sealed events.
 * @example
 * const forwarder = createLogForwarder({ syslog: { host, port, facility: 16 }, queueSize: 10_000, metrics });
 * const detach = forwardLogLines(log, forwarder.stream);
 */
export function createLogForwarder(o: LogForwardingOptions) {
  const targets: Target[] = [
    ...(o.syslog ? [syslogTarget({ ...o.syslog, queueSize: o.queueSize, metrics: o.metrics })] : []),
    ...(o.otlp ? [otlpTarget({ ...o.otlp, queueSize: o.queueSize, metrics: o.metrics })] : []),
  ];
  const forward = (r: ForwardedRecord) => {
    for (const t of targets) t.enqueue(r);
  };
  let stopping: Promise<void> | undefined;
  return {
    stream: {
      write(line: string): void {
        const m = LEVEL_AND_TIME.exec(line);
        forward({ type: 'log', level: Number(m?.[1] ?? 30), time: Number(m?.[2] ?? Date.now()), json: line.trimEnd() });
      },
    },
    audit(events: ForwardedAuditEvent[]): void {
      for (const e of events) {
        const json = JSON.stringify({
          type: 'audit',
          seq: e.seq,
          at: e.at,
          action: e.action,
          actor: { type: e.actorType, id: e.actorId },
          object: e.objectType ? { type: e.objectType, id: e.objectId } : null,
          outcome: e.outcome,
          reason: e.reason,
        });
        forward({ type: 'audit', level: e.outcome === 'success' ? 30 : 40, time: Date.parse(e.at), json });
      }
    },
    /** Stops every target once; later calls wait for the same stop. */
    stop(): Promise<void> {
      stopping ??= Promise.all(targets.map((t) => t.stop())).then(() => undefined);
      return stopping;
    },
  };
}

export type LogForwarder = ReturnType<typeof createLogForwarder>;

/** The forwarder the `logs` settings ask for, or none. */
export function configuredLogForwarder(s: Settings['logs'], metrics: Metrics): LogForwarder | undefined {
  if (!s.syslogAddress && !s.otlpUrl) return undefined;
  const [host, port] = s.syslogAddress ? (s.syslogAddress.split(':') as [string, string]) : [];
  return createLogForwarder({
    ...(host && port ? { syslog: { host, port: Number(port), facility: s.syslogFacility, ...(s.syslogCaFile ? { ca: readFileSync(s.syslogCaFile) } : {}) } } : {}),
    ...(s.otlpUrl ? { otlp: { url: s.otlpUrl, ...(s.otlpCaFile ? { ca: readFileSync(s.otlpCaFile) } : {}), ...(s.otlpTokenFile ? { token: readFileSync(s.otlpTokenFile, 'utf8').trim() } : {}) } } : {}),
    queueSize: s.queueSize,
    metrics,
  });
}
