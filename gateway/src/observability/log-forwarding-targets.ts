import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as connectTls } from 'node:tls';
import { Agent, request } from 'undici';
import { anssiTlsOptions } from '../pki/index.js';
import { headerField, otlpLogsBody, syslogFrame, type ForwardedRecord } from './log-forwarding-frames.js';
import type { Metrics } from './metrics.js';

/** One collector: records wait in its own queue. */
export interface Target {
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

/**
 * Syslog over one TCP connection (TLS when `ca` is given), RFC 5424 messages with octet-counting
 * framing. Reconnects with backoff; records wait in the queue meanwhile.
 */
export function syslogTarget(o: { host: string; port: number; ca?: string | Buffer; facility: number; queueSize: number; metrics: Metrics }): Target {
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

/**
 * OTLP/HTTP with JSON encoding: batches POSTed to `<url>/v1/logs` every second (at once when a
 * batch is full). A batch the collector does not take (unreachable, 5xx, 408, 429) goes back to
 * the queue and is tried again with backoff; one it refuses (other 4xx) is dropped and counted.
 */
export function otlpTarget(o: { url: string; token?: string; ca?: string | Buffer; queueSize: number; metrics: Metrics }): Target {
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
