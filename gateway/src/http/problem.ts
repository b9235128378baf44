import type { Context, ErrorHandler, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { GatewayError, type ProblemCode, ValidationFailed, DuplicateResult, NotFound, RateLimited, RegistryConflict, ServiceUnavailable } from '../errors.js';
import { errorSummary, type Logger } from '../observability/index.js';
import type { AppEnv } from './env.js';
import { NO_STORE } from './no-store.js';

export const PROBLEM_TYPE_PREFIX = 'urn:sidep-gateway:problem:';

/** The one place where error codes become HTTP statuses. */
export function statusOf(code: ProblemCode): ContentfulStatusCode {
  switch (code) {
    case 'validation':
      return 422;
    case 'malformed-json':
    case 'idempotency-key-missing':
    case 'idempotency-key-invalid':
      return 400;
    case 'unauthenticated':
      return 401;
    case 'forbidden':
    case 'finess-mismatch':
    case 'csrf-failed':
      return 403;
    case 'not-found':
      return 404;
    case 'idempotency-conflict':
    case 'duplicate-result':
    case 'result-not-modifiable':
    case 'registry-conflict':
      return 409;
    case 'payload-too-large':
      return 413;
    case 'unsupported-media-type':
      return 415;
    case 'rate-limited':
      return 429;
    case 'key-manager-unavailable':
    case 'audit-unavailable':
    case 'unavailable':
      return 503;
    case 'internal':
      return 500;
  }
}

const TITLES: Record<ProblemCode, string> = {
  validation: 'Validation failed',
  'malformed-json': 'Malformed JSON',
  'unsupported-media-type': 'Unsupported media type',
  'payload-too-large': 'Payload too large',
  'idempotency-key-missing': 'Idempotency-Key missing',
  'idempotency-key-invalid': 'Idempotency-Key invalid',
  unauthenticated: 'Unauthenticated',
  forbidden: 'Forbidden',
  'finess-mismatch': 'FINESS does not match the certificate',
  'not-found': 'Not found',
  'idempotency-conflict': 'Idempotency-Key reused with another body',
  'duplicate-result': 'Duplicate result',
  'result-not-modifiable': 'Result can no longer be modified',
  'registry-conflict': 'Conflicts with the pharmacy registry',
  'rate-limited': 'Rate limited',
  'csrf-failed': 'CSRF token missing or invalid',
  'key-manager-unavailable': 'Key manager unavailable',
  'audit-unavailable': 'Audit log unavailable',
  unavailable: 'Service unavailable',
  internal: 'Internal error',
};

/** Seconds a client should wait before retrying a 503. */
const RETRY_AFTER_SECONDS = 5;

/** An RFC 9457 problem body: codes and pointers, never a submitted value. */
export function problemBody(err: GatewayError, requestId: string) {
  const status = statusOf(err.code);
  return {
    type: `${PROBLEM_TYPE_PREFIX}${err.code}`,
    title: TITLES[err.code],
    status,
    code: err.code,
    detail: err.message,
    instance: requestId,
    ...(err instanceof ValidationFailed ? { errors: err.errors } : {}),
    ...(err instanceof DuplicateResult ? { existingId: err.existingId } : {}),
    // a stable code the UI words (e.g. `certificate-limit`)
    ...(err instanceof RegistryConflict ? { reason: err.reason } : {}),
  };
}

/** Renders any error as problem+json; unknown errors become a fixed `internal` 500. */
export function problemResponse(c: Context, err: GatewayError): Response {
  const body = problemBody(err, c.get('requestId') ?? 'unknown');
  const headers: Record<string, string> = { 'content-type': 'application/problem+json', ...NO_STORE };
  if (err instanceof RateLimited) headers['retry-after'] = String(err.retryAfterSeconds);
  else if (body.status === 503) headers['retry-after'] = String(RETRY_AFTER_SECONDS);
  return c.body(JSON.stringify(body), body.status, headers);
}

class InternalError extends GatewayError {
  readonly code = 'internal';
  constructor() {
    super('An internal error occurred.');
  }
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
    return problemResponse(c, new InternalError());
  };

/**
 * Makes every answer of a listener that is not a route's own a problem: 404 for an unknown
 * route, and `onError` for whatever a handler throws.
 * @example const app = new Hono<AppEnv>(); … answerWithProblems(app, { log });
 */
export function answerWithProblems<E extends AppEnv>(app: Hono<E>, o: { log: Logger }): void {
  app.notFound(() => {
    throw new NotFound();
  });
  app.onError(onError<E>({ log: o.log }));
}
