/**
 * The answers of the results API (`intake/results-api.ts`), which both listeners serve: accepted,
 * the status resource, its list and problem details. The OpenAPI document describes them and
 * `api-types.ts` derives the UI's types from them.
 */
import { z } from '@hono/zod-openapi';
import { RESULT_STATUSES } from '../results/lifecycle/statuses.js';

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
