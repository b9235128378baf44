import { randomUUID } from 'node:crypto';
import type { HttpBindings } from '@hono/node-server';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.js';
import { GatewayError, MalformedJson, PayloadTooLarge, RateLimited, UnsupportedMediaType } from '../errors.js';
import type { Logger, Metrics } from '../observability/index.js';
import { isUuid } from '../uuid.js';
import type { RateLimiter } from './rate-limit.js';

/**
 * Makes the request's id and echoes it back. A client's `X-Request-Id` never becomes it (the id
 * reaches audit events, which cannot be purged): one that is a UUID is kept as `clientRequestId`
 * for the access log's correlation, anything else is dropped.
 */
export const requestId = (): MiddlewareHandler<AppEnv> =>
  async function requestId(c, next) {
    const given = c.req.header('x-request-id');
    if (given && isUuid(given)) c.set('clientRequestId', given.toLowerCase());
    const id = randomUUID();
    c.set('requestId', id);
    c.header('x-request-id', id);
    await next();
  };

/** The client's address as the socket sees it (no forwarded header: a client could choose it). */
export const sourceIp = (c: { env: HttpBindings }): string | undefined => c.env.incoming.socket.remoteAddress;

/** The key of per-address rate limits: the socket's address ("unknown" once the socket is gone). */
export const clientAddress = (c: { env: HttpBindings }): string => sourceIp(c) ?? 'unknown';

/**
 * One log line per request: method, route pattern, status, duration. Never a body or a query.
 * Counts each refused authentication or authorization (`gateway_authorization_failures_total`)
 * by our own code: the refusal named by the access check, else the 401/403 problem's code.
 */
export const accessLog = (o: { log: Logger; metrics: Metrics; listener: string }): MiddlewareHandler<AppEnv> =>
  async function accessLog(c, next) {
    const start = performance.now();
    await next();
    const seconds = (performance.now() - start) / 1000;
    o.metrics.requestDuration.observe({ listener: o.listener, status_class: `${Math.floor(c.res.status / 100)}xx` }, seconds);
    const refusal = c.get('refusal') ?? refusalCode(c.res.status, c.error);
    if (refusal) o.metrics.authorizationFailures.inc({ listener: o.listener, reason: refusal });
    o.log.info(
      {
        requestId: c.get('requestId'),
        clientRequestId: c.get('clientRequestId'),
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

/** A 401 or 403 answer's problem code (`forbidden`, `finess-mismatch`, `csrf-failed`…). */
function refusalCode(status: number, error: Error | undefined): string | undefined {
  if (status !== 401 && status !== 403) return undefined;
  return error instanceof GatewayError ? error.code : status === 401 ? 'unauthenticated' : 'forbidden';
}

/**
 * A token bucket per key (a pharmacy, a person, a client address); answers 429 with Retry-After.
 * @example intake.use('/api/v1/*', rateLimit({ limiter, key: (c) => c.get('principal').pharmacyId }));
 */
export const rateLimit = <E extends AppEnv = AppEnv>(o: { limiter: RateLimiter; key: (c: Context<E>) => string }): MiddlewareHandler<E> =>
  async function rateLimit(c, next) {
    const wait = o.limiter.take(o.key(c));
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
