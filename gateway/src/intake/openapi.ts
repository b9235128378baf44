import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { RESULT_STATUSES } from '../results/lifecycle/index.js';
import { CANCELLATION_REASONS, CORRECTION_REASONS } from './corrections.js';

export const AcceptedSchema = z
  .object({
    id: z.uuid(),
    resultId: z.uuid().optional().openapi({ description: 'For corrections and cancellations: the result they apply to.' }),
    status: z.enum(['received', 'cancelled']),
    statusUrl: z.string(),
  })
  .strict()
  .openapi('Accepted');

export const ResultStatusSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(RESULT_STATUSES),
    receivedAt: z.string(),
    deliveredAt: z.string().nullable(),
    purgedAt: z.string().nullable(),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    sidepAckId: z.string().nullable(),
    problem: z.object({ code: z.string() }).strict().nullable(),
    supersededBy: z.uuid().nullable(),
  })
  .strict()
  .openapi('ResultStatus');

export const ResultListSchema = z.object({ items: z.array(ResultStatusSchema), nextCursor: z.string().nullable() }).strict().openapi('ResultList');

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:sidep-gateway:problem:validation' }),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string(),
    instance: z.string(),
    errors: z.array(z.object({ pointer: z.string(), code: z.string() }).strict()).optional(),
    existingId: z.uuid().optional(),
  })
  .strict()
  .openapi('Problem');

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });
const idempotencyHeader = z.object({ 'idempotency-key': z.uuid().openapi({ description: 'Unique per pharmacy; a retry with the same key and body replays the first answer.' }) });
const idParam = z.object({ id: z.uuid() });
const writeProblems = {
  400: problem('malformed-json, idempotency-key-missing, idempotency-key-invalid'),
  401: problem('unauthenticated: certificate unknown, revoked or of a deactivated pharmacy'),
  403: problem('finess-mismatch'),
  409: problem('idempotency-conflict, duplicate-result, result-not-modifiable'),
  413: problem('payload-too-large'),
  415: problem('unsupported-media-type'),
  422: problem('validation: every field at fault, as {pointer, code}'),
  429: problem('rate-limited (see Retry-After)'),
  503: problem('key-manager-unavailable, audit-unavailable, unavailable (see Retry-After)'),
};

/**
 * The intake API's OpenAPI 3.1 document, generated from the very schema that validates
 * submissions: the contract for pharmacy-software vendors cannot drift from the code.
 */
export function intakeOpenApiDocument(intakeSchema: z.ZodType): unknown {
  const doc = new OpenAPIHono();
  const r = doc.openAPIRegistry;
  r.registerPath(
    createRoute({
      method: 'post',
      path: '/test-results',
      summary: 'Submit a test result',
      request: { headers: idempotencyHeader, body: { required: true, content: { 'application/json': { schema: intakeSchema } } } },
      responses: { 202: { description: 'Accepted and durable', content: { 'application/json': { schema: AcceptedSchema } } }, ...writeProblems },
    }),
  );
  r.registerPath(
    createRoute({
      method: 'get',
      path: '/test-results',
      summary: "List the pharmacy's results for reconciliation",
      request: {
        query: z.object({
          status: z.string().optional().openapi({ description: `Comma-separated: ${RESULT_STATUSES.join(', ')}` }),
          since: z.string().optional().openapi({ description: 'RFC 3339; results changed at or after' }),
          limit: z.string().optional().openapi({ description: '1..500, default 100' }),
          cursor: z.string().optional(),
        }),
      },
      responses: { 200: { description: 'A page', content: { 'application/json': { schema: ResultListSchema } } }, 401: problem('unauthenticated'), 422: problem('validation') },
    }),
  );
  r.registerPath(
    createRoute({
      method: 'get',
      path: '/test-results/{id}',
      summary: 'Delivery status of one result (no personal data)',
      request: { params: idParam },
      responses: { 200: { description: 'Status', content: { 'application/json': { schema: ResultStatusSchema } } }, 401: problem('unauthenticated'), 404: problem('not-found') },
    }),
  );
  r.registerPath(
    createRoute({
      method: 'post',
      path: '/test-results/{id}/corrections',
      summary: 'Correct a result (delivered to SI-DEP after the original)',
      request: {
        params: idParam,
        headers: idempotencyHeader,
        body: { required: true, content: { 'application/json': { schema: z.object({ reason: z.enum(CORRECTION_REASONS), result: intakeSchema }).strict() } } },
      },
      responses: { 202: { description: 'Accepted', content: { 'application/json': { schema: AcceptedSchema } } }, 404: problem('not-found'), ...writeProblems },
    }),
  );
  r.registerPath(
    createRoute({
      method: 'post',
      path: '/test-results/{id}/cancellation',
      summary: 'Cancel a result entered in error',
      request: {
        params: idParam,
        headers: idempotencyHeader,
        body: { required: true, content: { 'application/json': { schema: z.object({ reason: z.enum(CANCELLATION_REASONS) }).strict() } } },
      },
      responses: { 202: { description: 'Accepted', content: { 'application/json': { schema: AcceptedSchema } } }, 404: problem('not-found'), ...writeProblems },
    }),
  );
  return doc.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'SI-DEP gateway intake API',
      version: '1.0.0',
      description: 'For pharmacy software, over mutual TLS: every call presents the pharmacy\'s client certificate.',
    },
    servers: [{ url: '/api/v1' }],
  });
}
