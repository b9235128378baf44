import { once } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../gateway/src/observability/index.js';
import { createLogForwarder } from '../../gateway/src/observability/log-forwarding.js';
import { anssiTlsOptions } from '../../gateway/src/pki/index.js';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';

// Log lines and sealed audit events reach a syslog collector (RFC 5424 over TLS, RFC 6587
// octet counting) and an OTLP/HTTP collector, both real servers started here; what they receive
// holds no personal value of a submitted result. With the collector away, records wait in a
// bounded queue and the surplus is dropped and counted.

/** A syslog collector: every byte received, over TLS when given a certificate. */
function syslogCollector(tls?: { cert: string; key: string }) {
  const chunks: Buffer[] = [];
  const onSocket = (socket: NodeJS.ReadableStream) => socket.on('data', (d: Buffer) => chunks.push(d));
  const server: TcpServer = tls ? createTlsServer({ ...anssiTlsOptions(), ...tls }, onSocket) : createTcpServer(onSocket);
  return { server, bytes: () => Buffer.concat(chunks) };
}

/** RFC 6587 §3.4.1 frames: `<octet count> <RFC 5424 message>`, each fully received. */
function frames(bytes: Buffer): string[] {
  const out: string[] = [];
  let at = 0;
  for (;;) {
    const space = bytes.indexOf(0x20, at);
    if (space < 0) return out;
    const length = Number(bytes.subarray(at, space).toString('ascii'));
    expect(Number.isInteger(length) && length > 0, `octet count at ${at}`).toBe(true);
    if (space + 1 + length > bytes.length) return out;
    out.push(bytes.subarray(space + 1, space + 1 + length).toString('utf8'));
    at = space + 1 + length;
  }
}

const RFC5424 = /^<(\d{1,3})>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) [\x21-\x7e]{1,255} sidep-gateway \d+ (log|audit) - \uFEFF(\{.*\})$/s;

/** An OTLP collector: the request bodies POSTed to /v1/logs. */
function otlpCollector() {
  const bodies: string[] = [];
  const server: HttpServer = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/logs' && req.headers['content-type'] === 'application/json') bodies.push(body);
      res.writeHead(req.url === '/v1/logs' ? 200 : 404, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const records = () =>
    bodies.flatMap((b) => (JSON.parse(b) as { resourceLogs: { scopeLogs: { logRecords: { body: { stringValue: string }; attributes: { key: string; value: { stringValue: string } }[] }[] }[] }[] }).resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords)));
  return { server, bodies, records };
}

async function listening(server: TcpServer | HttpServer, port = 0): Promise<number> {
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

describe('a gateway forwarding to syslog over TLS and to OTLP/HTTP', () => {
  let h: Harness;
  let syslog: ReturnType<typeof syslogCollector>;
  const otlp = otlpCollector();

  beforeAll(async () => {
    // the harness's PKI is made at start: a first harness gives the collector its certificate
    h = await startHarness();
    syslog = syslogCollector({ cert: h.pki.server.certPem, key: h.pki.server.keyPem });
    const [syslogPort, otlpPort] = await Promise.all([listening(syslog.server), listening(otlp.server)]);
    await h.restartGateway({ logs: { syslogAddress: `127.0.0.1:${syslogPort}`, syslogCaFile: h.pki.ca.certPath, otlpUrl: `http://127.0.0.1:${otlpPort}` } as never });
  });
  afterAll(async () => {
    await h?.close();
    syslog?.server.close();
    otlp.server.close();
  });

  it('sends log lines and audit events, without any personal value of a submitted result', async () => {
    const submitted = syntheticResult();
    const res = await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: submitted, headers: { 'idempotency-key': crypto.randomUUID() } });
    expect(res.status).toBe(202);
    // a refused submission too: its values must not come back in a log line either
    await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: { ...submitted, patient: { ...submitted.patient, nir: `${submitted.patient.nir}X` } }, headers: { 'idempotency-key': crypto.randomUUID() } });
    const id = res.body.id as string;

    const auditOf = (jsons: string[]) => jsons.map((j) => JSON.parse(j) as Record<string, unknown>).find((e) => e.type === 'audit' && e.action === 'result.create' && (e.object as { id?: string } | null)?.id === id);
    const syslogJson = () => frames(syslog.bytes()).map((f) => (RFC5424.exec(f) as RegExpExecArray)[4] as string);
    const viaSyslog = await eventually(async () => auditOf(syslogJson()));
    const viaOtlp = await eventually(async () => auditOf(otlp.records().map((r) => r.body.stringValue)));
    for (const event of [viaSyslog, viaOtlp]) {
      expect(event).toMatchObject({ action: 'result.create', outcome: 'success', actor: { type: 'pharmacy' }, object: { type: 'test-result', id } });
      expect(event.seq).toMatch(/^\d+$/);
    }
    // every syslog frame is a well-formed RFC 5424 message; access log lines travel too
    for (const f of frames(syslog.bytes())) expect(f).toMatch(RFC5424);
    expect(syslogJson().some((j) => j.includes('"msg":"request"') || j.includes('"listener":"intake"'))).toBe(true);
    expect(otlp.records().some((r) => r.attributes.some((a) => a.key === 'log.type' && a.value.stringValue === 'log'))).toBe(true);

    const forwarded = `${syslog.bytes().toString('utf8')}\n${otlp.bodies.join('\n')}`;
    const { nir, birthDate, birthName, firstNames, usedName, email, phone } = submitted.patient as Record<string, unknown>;
    const personal = [nir, `${String(nir)}X`, birthDate, birthName, usedName, ...((firstNames as string[] | undefined) ?? []), email, phone, submitted.externalRef].filter((v): v is string => typeof v === 'string' && v.length > 2);
    expect(personal.length).toBeGreaterThan(3);
    for (const value of personal) expect(forwarded, 'a personal value was forwarded').not.toContain(value);
  });
});

describe('with the collector away', () => {
  /** A port nothing listens on, for now. */
  async function freePort(): Promise<number> {
    const s = createTcpServer();
    const port = await listening(s);
    s.close();
    await once(s, 'close');
    return port;
  }
  const line = (n: number) => `{"level":30,"time":${Date.now()},"msg":"line ${n}"}\n`;
  const counter = async (metrics: ReturnType<typeof createMetrics>, name: string, kind: string) =>
    Number(new RegExp(`^${name}\\{kind="${kind}"\\} (\\S+)$`, 'm').exec(await metrics.registry.metrics())?.[1] ?? 0);

  it.each(['syslog', 'otlp'] as const)('%s keeps a bounded queue, counts the drops and delivers the rest once it is back', async (kind) => {
    const port = await freePort();
    const metrics = createMetrics();
    const forwarder = createLogForwarder(kind === 'syslog' ? { syslog: { host: '127.0.0.1', port, facility: 16 }, queueSize: 5, metrics } : { otlp: { url: `http://127.0.0.1:${port}` }, queueSize: 5, metrics });
    try {
      for (let n = 0; n < 20; n++) forwarder.stream.write(line(n));
      await eventually(async () => ((await counter(metrics, 'gateway_log_records_dropped_total', kind)) >= 15 ? true : undefined));

      const syslog = syslogCollector();
      const otlp = otlpCollector();
      const server = kind === 'syslog' ? syslog.server : otlp.server;
      await listening(server, port);
      const received = async () => (kind === 'syslog' ? frames(syslog.bytes()).map((f) => (RFC5424.exec(f) as RegExpExecArray)[4] as string) : otlp.records().map((r) => r.body.stringValue));
      const got = await eventually(async () => ((await received()).length >= 5 ? received() : undefined), 30_000);
      expect(got.map((j) => (JSON.parse(j) as { msg: string }).msg)).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
      expect(await counter(metrics, 'gateway_log_records_dropped_total', kind)).toBe(15);
      // counted once the collector's answer is read, which may come after its records are seen
      await eventually(async () => ((await counter(metrics, 'gateway_log_records_forwarded_total', kind)) === 5 ? true : undefined));
      server.close();
    } finally {
      await forwarder.stop();
    }
  });
});
