import { randomUUID } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { ErrorHandler, MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.js';
import { GatewayError, MalformedJson, PayloadTooLarge, RateLimited, ServiceUnavailable, Unauthenticated, UnsupportedMediaType } from '../errors.js';
import type { CertificateDirectory } from '../auth/client-certificates.js';
import { appendAuditNow } from '../audit/index.js';
import type { Database } from '../db/index.js';
import { errorSummary, type Logger, type Metrics } from '../observability/index.js';
import { internalError, problemResponse } from './problem.js';
import type { RateLimiter } from './rate-limit.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Adopts a well-formed `X-Request-Id` or makes one, and echoes it back. */
export const requestId = (): MiddlewareHandler<AppEnv> =>
  async function requestId(c, next) {
    const given = c.req.header('x-request-id');
    const id = given && REQUEST_ID.test(given) ? given : randomUUID();
    c.set('requestId', id);
    c.header('x-request-id', id);
    await next();
  };

/** One log line per request: method, route pattern, status, duration. Never a body or a query. */
export const accessLog = (o: { log: Logger; metrics: Metrics; listener: string }): MiddlewareHandler<AppEnv> =>
  async function accessLog(c, next) {
    const start = performance.now();
    await next();
    const seconds = (performance.now() - start) / 1000;
    o.metrics.requestDuration.observe({ listener: o.listener, status_class: `${Math.floor(c.res.status / 100)}xx` }, seconds);
    o.log.info(
      {
        requestId: c.get('requestId'),
        listener: o.listener,
        method: c.req.method,
        route: c.req.routePath,
        status: c.res.status,
        ms: Math.round(seconds * 1000),
        pharmacyId: c.get('principal')?.pharmacyId,
      },
      'request',
    );
  };

/**
 * Maps the verified client certificate to its pharmacy, before any body is read. The TLS layer
 * has already refused clients without a certificate or with one the CA did not sign; here a
 * CA-valid certificate that is unknown, revoked or of a deactivated pharmacy gets 401.
 */
export const clientCertificate = (o: { certificates: CertificateDirectory; db: Database }): MiddlewareHandler<AppEnv> =>
  async function clientCertificate(c, next) {
    const socket = c.env.incoming.socket as TLSSocket;
    const fingerprint = peerFingerprint(socket);
    const principal = fingerprint ? await o.certificates.principalFor(fingerprint) : null;
    if (!principal) {
      await appendAuditNow(o.db, {
        actor: { type: 'anonymous', id: fingerprint?.slice(0, 16) },
        action: 'authenticate',
        outcome: 'denied',
        reason: 'unauthenticated',
        requestId: c.get('requestId'),
        sourceIp: socket.remoteAddress,
      });
      throw new Unauthenticated();
    }
    c.set('principal', principal);
    await next();
  };

/**
 * A keep-alive connection's certificate is read once: decoding it cost 2–4 % of intake. The
 * certificate is that of the handshake for the connection's life (the intake listener refuses
 * renegotiation; the revocation watch closes connections by it too); whether it still
 * authenticates is asked on every request.
 */
const fingerprints = new WeakMap<TLSSocket, string | undefined>();

function peerFingerprint(socket: TLSSocket): string | undefined {
  if (!socket.authorized) return undefined;
  if (fingerprints.has(socket)) return fingerprints.get(socket);
  const fingerprint = socket.getPeerCertificate().fingerprint256?.replaceAll(':', '').toLowerCase();
  fingerprints.set(socket, fingerprint);
  return fingerprint;
}

/** Per-pharmacy token bucket; answers 429 with Retry-After. */
export const rateLimit = (o: { limiter: RateLimiter }): MiddlewareHandler<AppEnv> =>
  async function rateLimit(c, next) {
    const wait = o.limiter.take(c.get('principal').pharmacyId);
    if (wait > 0) throw new RateLimited(Math.ceil(wait));
    await next();
  };

/**
 * Checks the content type (415), reads at most `limit` bytes (413) and parses JSON (400).
 * The declared length is checked first so an oversized body is refused without being read.
 */
export const jsonBody = <E extends AppEnv = AppEnv>(o: { limit: number }): MiddlewareHandler<E> =>
  async function jsonBody(c, next) {
    const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') throw new UnsupportedMediaType();
    const length = c.req.header('content-length');
    if (Number(length ?? 0) > o.limit) throw new PayloadTooLarge();
    // A declared length bounds the body (the HTTP parser reads exactly that many bytes), and the
    // adapter's direct read skips a web stream per request; only a chunked body needs our bound.
    const text = length !== undefined ? await c.req.text() : await readLimited(c.req.raw.body, o.limit);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      throw new MalformedJson({ cause: e });
    }
    // a body nested thousands deep is valid JSON but no submission: refuse it before any recursion
    if (depthExceeds(body, MAX_JSON_DEPTH)) throw new MalformedJson();
    c.set('body', body);
    await next();
  };

/** The intake contract nests 4 levels; 32 leaves room without letting recursion overflow. */
const MAX_JSON_DEPTH = 32;

function depthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

async function readLimited(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<string> {
  if (!stream) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) throw new PayloadTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Postgres unreachable or refusing connections: the gateway answers 503, never 500. */
function isDatabaseUnavailable(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return (
    (typeof code === 'string' && (code.startsWith('08') || code === '57P01' || code === '57P03' || code === 'ECONNREFUSED')) ||
    (e instanceof Error && /timeout exceeded when trying to connect|Connection terminated/.test(e.message))
  );
}

/** Installed with `onError` on every listener. */
export const onError = <E extends AppEnv = AppEnv>(o: { log: Logger }): ErrorHandler<E> =>
  function onError(err, c) {
    if (err instanceof GatewayError) return problemResponse(c, err);
    if (isDatabaseUnavailable(err)) {
      o.log.warn({ requestId: c.get('requestId'), err: errorSummary(err) }, 'database unavailable');
      return problemResponse(c, new ServiceUnavailable());
    }
    o.log.error({ requestId: c.get('requestId'), err: errorSummary(err) }, 'unhandled error');
    return problemResponse(c, internalError());
  };
