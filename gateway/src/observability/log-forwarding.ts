import { readFileSync } from 'node:fs';
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as connectTls } from 'node:tls';
import { Agent, request } from 'undici';
import type { Settings } from '../config/index.js';
import { anssiTlsOptions } from '../pki/index.js';
import type { Metrics } from './metrics.js';

/** One line to forward: a log line (already redacted) or an audit event, as JSON. */
export interface ForwardedRecord {
  type: 'log' | 'audit';
  /** Milliseconds since the epoch. */
  time: number;
  /** pino's numeric level (audit events: 30, or 40 for a denial or failure). */
  level: number;
  json: string;
}

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

interface Target {
  enqueue(record: ForwardedRecord): void;
  stop(): Promise<void>;
}

/**
 * A bounded FIFO per target: a full queue drops the new record and counts it, so a slow or
 * absent collector costs memory up to `max` records and never holds a request.
 */
function boundedQueue(max: number, dropped: () => void) {
  let items: ForwardedRecord[] = [];
  return {
    push(r: ForwardedRecord): void {
      if (items.length >= max) dropped();
      else items.push(r);
    },
    take(n: number): ForwardedRecord[] {
      const batch = items.slice(0, n);
      items = items.slice(n);
      return batch;
    },
    /** Puts an unsent batch back in front (beyond `max`, its oldest records are dropped). */
    putBack(batch: ForwardedRecord[]): void {
      const room = Math.max(0, max - items.length);
      for (let i = 0; i < batch.length - room; i++) dropped();
      items = [...batch.slice(batch.length - room), ...items];
    },
    get length(): number {
      return items.length;
    },
  };
}

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 30_000;

// RFC 5424 §6.2.1 severities from pino levels.
const syslogSeverity = (level: number) => (level >= 60 ? 2 : level >= 50 ? 3 : level >= 40 ? 4 : level >= 30 ? 6 : 7);

/** One RFC 5424 message, framed by octet counting (RFC 6587 §3.4.1): `<length> <message>`. */
export function syslogFrame(r: ForwardedRecord, o: { facility: number; host: string; appName: string; procId: string }): Buffer {
  const header = `<${o.facility * 8 + syslogSeverity(r.level)}>1 ${new Date(r.time).toISOString()} ${o.host} ${o.appName} ${o.procId} ${r.type} - `;
  // MSG is UTF-8 marked by a BOM (RFC 5424 §6.4)
  const message = Buffer.concat([Buffer.from(header, 'ascii'), Buffer.from('\uFEFF' + r.json, 'utf8')]);
  return Buffer.concat([Buffer.from(`${message.length} `, 'ascii'), message]);
}

/** RFC 5424 §6.2.4: printable US-ASCII, at most 255 characters, `-` when none. */
const headerField = (s: string, max: number) => s.replace(/[^\x21-\x7e]/g, '').slice(0, max) || '-';

/**
 * Syslog over one TCP connection (TLS when `ca` is given), RFC 5424 messages with octet-counting
 * framing. Reconnects with backoff; records wait in the queue meanwhile.
 */
function syslogTarget(o: { host: string; port: number; ca?: string | Buffer; facility: number; queueSize: number; metrics: Metrics }): Target {
  const kind = { kind: 'syslog' } as const;
  const queue = boundedQueue(o.queueSize, () => o.metrics.logRecordsDropped.inc(kind));
  const frame = { facility: o.facility, host: headerField(hostname(), 255), appName: 'sidep-gateway', procId: String(process.pid) };
  let socket: Socket | undefined;
  let ready = false;
  let draining = false;
  let stopped = false;
  let backoff = RECONNECT_MIN_MS;
  let retry: NodeJS.Timeout | undefined;

  function open(): void {
    const s = o.ca
      ? connectTls({ ...anssiTlsOptions(), host: o.host, port: o.port, ...(isIP(o.host) ? {} : { servername: o.host }), ca: o.ca }, onReady)
      : connectTcp({ host: o.host, port: o.port }, onReady);
    socket = s;
    s.on('error', () => undefined); // 'close' follows
    s.on('close', () => {
      socket = undefined;
      ready = false;
      draining = false;
      if (stopped) return;
      retry = setTimeout(open, backoff);
      retry.unref();
      backoff = Math.min(backoff * 2, RECONNECT_MAX_MS);
    });
    s.unref();
  }

  function onReady(): void {
    ready = true;
    backoff = RECONNECT_MIN_MS;
    flush();
  }

  function flush(): void {
    while (ready && !draining && queue.length > 0 && socket) {
      const [r] = queue.take(1) as [ForwardedRecord];
      o.metrics.logRecordsForwarded.inc(kind);
      if (!socket.write(syslogFrame(r, frame))) {
        draining = true;
        socket.once('drain', () => {
          draining = false;
          flush();
        });
      }
    }
  }

  open();
  return {
    enqueue(r) {
      queue.push(r);
      flush();
    },
    async stop() {
      stopped = true;
      clearTimeout(retry);
      const s = socket;
      if (!s) return;
      // what is written gets a second to leave; a collector that stalls does not hold the stop
      await new Promise<void>((resolve) => {
        s.end(resolve);
        setTimeout(resolve, 1_000).unref();
      });
      s.destroy();
    },
  };
}

const OTLP_BATCH = 512;
const OTLP_INTERVAL_MS = 1_000;
const OTLP_TIMEOUT_MS = 5_000;
// OpenTelemetry log data model severity numbers from pino levels.
const otlpSeverity = (level: number) => (level >= 60 ? 21 : level >= 50 ? 17 : level >= 40 ? 13 : level >= 30 ? 9 : level >= 20 ? 5 : 1);
const SEVERITY_TEXT: Record<number, string> = { 1: 'TRACE', 5: 'DEBUG', 9: 'INFO', 13: 'WARN', 17: 'ERROR', 21: 'FATAL' };
const attribute = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** The OTLP/HTTP JSON body (`ExportLogsServiceRequest`) of a batch. */
export function otlpLogsBody(batch: ForwardedRecord[]): string {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [attribute('service.name', 'sidep-gateway'), attribute('host.name', hostname())] },
        scopeLogs: [
          {
            scope: { name: 'sidep-gateway' },
            logRecords: batch.map((r) => ({
              timeUnixNano: `${BigInt(r.time) * 1_000_000n}`,
              severityNumber: otlpSeverity(r.level),
              severityText: SEVERITY_TEXT[otlpSeverity(r.level)],
              body: { stringValue: r.json },
              attributes: [attribute('log.type', r.type)],
            })),
          },
        ],
      },
    ],
  });
}

/**
 * OTLP/HTTP with JSON encoding: batches POSTed to `<url>/v1/logs` every second (at once when a
 * batch is full). A batch the collector does not take (unreachable, 5xx, 408, 429) goes back to
 * the queue and is tried again with backoff; one it refuses (other 4xx) is dropped and counted.
 */
function otlpTarget(o: { url: string; token?: string; ca?: string | Buffer; queueSize: number; metrics: Metrics }): Target {
  const kind = { kind: 'otlp' } as const;
  const queue = boundedQueue(o.queueSize, () => o.metrics.logRecordsDropped.inc(kind));
  const endpoint = `${o.url.replace(/\/$/, '')}/v1/logs`;
  const dispatcher = new Agent({ connect: { ...anssiTlsOptions(), ...(o.ca ? { ca: o.ca } : {}) } });
  let sending: Promise<void> | undefined;
  let backoff = OTLP_INTERVAL_MS;
  let notBefore = 0;

  async function send(batch: ForwardedRecord[]): Promise<void> {
    let status = 0;
    try {
      const res = await request(endpoint, {
        method: 'POST',
        dispatcher,
        headers: { 'content-type': 'application/json', ...(o.token ? { authorization: `Bearer ${o.token}` } : {}) },
        body: otlpLogsBody(batch),
        signal: AbortSignal.timeout(OTLP_TIMEOUT_MS),
      });
      status = res.statusCode;
      await res.body.dump();
    } catch {
      // unreachable or timed out: status 0, retried below
    }
    if (status >= 200 && status < 300) {
      o.metrics.logRecordsForwarded.inc(kind, batch.length);
      backoff = OTLP_INTERVAL_MS;
    } else if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      o.metrics.logRecordsDropped.inc(kind, batch.length);
    } else {
      queue.putBack(batch);
      notBefore = Date.now() + backoff;
      backoff = Math.min(backoff * 2, RECONNECT_MAX_MS);
    }
  }

  function pump(): void {
    if (sending || queue.length === 0 || Date.now() < notBefore) return;
    sending = send(queue.take(OTLP_BATCH)).finally(() => {
      sending = undefined;
      if (queue.length >= OTLP_BATCH) pump();
    });
  }

  const timer = setInterval(pump, OTLP_INTERVAL_MS);
  timer.unref();
  return {
    enqueue(r) {
      queue.push(r);
      if (queue.length >= OTLP_BATCH) pump();
    },
    async stop() {
      clearInterval(timer);
      notBefore = 0;
      pump(); // a last attempt for what is queued
      await sending;
      await dispatcher.close();
    },
  };
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
