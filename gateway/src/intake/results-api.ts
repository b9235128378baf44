import { z } from '@hono/zod-openapi';
import { AcceptedSchema, idParam, json, ProblemSchema, ResultListSchema, ResultStatusSchema } from '../api-schemas/index.js';
import type { Endpoint } from '../http/index.js';
import { CANCELLATION_REASONS, CORRECTION_REASONS } from './corrections.js';
import { RESULT_STATUSES } from '../results/lifecycle/index.js';

export const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });
const idempotencyHeader = z.object({ 'idempotency-key': z.uuid().openapi({ description: 'Unique per pharmacy; a retry with the same key and body replays the first answer.' }) });
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

/** The schemas known only at start: the submission's follows the settings (`validation.*`). */
export interface ResultsSchemasGiven {
  intake: z.ZodType;
}

/**
 * The results API (submit, list, status, correct, cancel), declared once with its schemas: the
 * intake listener mounts it for pharmacy systems, the web listener for people, each at its
 * prefix behind its access rule (`createResultsRoutes`); the OpenAPI document is made from it.
 * Ids are checked by the services (anything but a UUID names no result: 404), bodies by the
 * intake schema's own rules (field pointers and codes), so the schemas here describe, and the
 * handlers do not run zod-openapi's validator, whose answers would differ.
 */
export const RESULTS_ENDPOINTS = {
  submit: {
    method: 'POST',
    path: '/test-results',
    schemas: ({ intake }) => ({
      summary: 'Submit a test result',
      request: { headers: idempotencyHeader, body: { required: true, content: { 'application/json': { schema: intake } } } },
      responses: { 202: json('Accepted and durable', AcceptedSchema), ...writeProblems },
    }),
  },
  list: {
    method: 'GET',
    path: '/test-results',
    schemas: () => ({
      summary: "List the pharmacy's results for reconciliation",
      request: {
        query: z.object({
          status: z.string().optional().openapi({ description: `Comma-separated: ${RESULT_STATUSES.join(', ')}` }),
          since: z.string().optional().openapi({ description: 'RFC 3339; results changed at or after' }),
          limit: z.string().optional().openapi({ description: '1..500, default 100' }),
          cursor: z.string().optional(),
        }),
      },
      responses: { 200: json('A page', ResultListSchema), 401: problem('unauthenticated'), 422: problem('validation') },
    }),
  },
  status: {
    method: 'GET',
    path: '/test-results/:id',
    schemas: () => ({
      summary: 'Delivery status of one result (no personal data)',
      request: { params: idParam },
      responses: { 200: json('Status', ResultStatusSchema), 401: problem('unauthenticated'), 404: problem('not-found') },
    }),
  },
  correct: {
    method: 'POST',
    path: '/test-results/:id/corrections',
    schemas: ({ intake }) => ({
      summary: 'Correct a result (delivered to SI-DEP after the original)',
      request: {
        params: idParam,
        headers: idempotencyHeader,
        body: { required: true, content: { 'application/json': { schema: z.object({ reason: z.enum(CORRECTION_REASONS), result: intake }).strict() } } },
      },
      responses: { 202: json('Accepted', AcceptedSchema), 404: problem('not-found'), ...writeProblems },
    }),
  },
  cancel: {
    method: 'POST',
    path: '/test-results/:id/cancellation',
    schemas: () => ({
      summary: 'Cancel a result entered in error',
      request: {
        params: idParam,
        headers: idempotencyHeader,
        body: { required: true, content: { 'application/json': { schema: z.object({ reason: z.enum(CANCELLATION_REASONS) }).strict() } } },
      },
      responses: { 202: json('Accepted', AcceptedSchema), 404: problem('not-found'), ...writeProblems },
    }),
  },
} as const satisfies Record<string, Endpoint<ResultsSchemasGiven>>;
