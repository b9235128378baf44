/**
 * The answer of today's list at the counter (`admin/counter-routes.ts`): the status resource and
 * what tells the pharmacy's patients apart without opening each result. A leaf (zod only).
 */
import { z } from '@hono/zod-openapi';
import { ResultStatusSchema } from './status-resource.js';

export const CounterRowSchema = ResultStatusSchema.extend({
  initials: z.string().nullable().openapi({ description: "The patient's initials (first first name, used or birth name); null once purged", example: 'JT' }),
  result: z.string().nullable().openapi({ description: 'The result (SNOMED CT); null once purged', example: '260415000' }),
  replaces: z.uuid().nullable().openapi({ description: 'For a correction: the result it replaces' }),
})
  .strict()
  .openapi('CounterRow');

export const CounterListSchema = z
  .object({
    items: z.array(CounterRowSchema),
    nextCursor: z.string().nullable(),
    asOf: z.string().openapi({ description: 'When the list was read: the next poll asks `since` a little before it, for rows changed after' }),
  }).strict().openapi('CounterList');
