/**
 * The answers of the status-callback endpoints page, as zod schemas (a leaf: zod and the
 * columns' leaf only). No answer holds a signing secret except the two that make one, once.
 */
import { z } from '@hono/zod-openapi';
import { WEBHOOK_EVENT_TYPES } from '../db/column-types.js';

const CALLBACK_STATUSES = ['pending', 'delivered', 'dead'] as const;

/** One callback sent or to send: its state and our codes, never its payload. */
export const WebhookCallbackSchema = z
  .object({
    id: z.uuid().openapi({ description: 'The `webhook-id` the receiver sees' }),
    type: z.enum([...WEBHOOK_EVENT_TYPES, 'test']),
    status: z.enum(CALLBACK_STATUSES),
    attempts: z.number().int(),
    lastErrorCode: z.string().nullable(),
    createdAt: z.string(),
    deliveredAt: z.string().nullable(),
  })
  .strict()
  .openapi('WebhookCallback');

/** A live endpoint of a pharmacy with its latest callbacks; never a secret. */
export const WebhookEndpointSchema = z
  .object({
    id: z.uuid(),
    pharmacyId: z.uuid(),
    finess: z.string(),
    url: z.string(),
    allowNetworks: z.array(z.string()),
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
    hasCa: z.boolean(),
    /** The previous secret still signs too (a rotation within its overlap). */
    rotating: z.boolean(),
    createdAt: z.string(),
    /** How many of its callbacks are in each state. */
    counts: z.object({ pending: z.number().int(), delivered: z.number().int(), dead: z.number().int() }).strict(),
    recent: z.array(WebhookCallbackSchema),
  })
  .strict()
  .openapi('WebhookEndpoint');

export const WebhookEndpointsSchema = z.object({ items: z.array(WebhookEndpointSchema) }).strict();

/** `POST /admin/pharmacies/{id}/webhooks` and a rotation: the signing secret (`whsec_…`), answered once. */
export const WebhookSecretSchema = z.object({ id: z.uuid(), secret: z.string().openapi({ description: 'Standard Webhooks `whsec_<base64>`; kept nowhere in clear' }) }).strict().openapi('WebhookSecret');

export const WebhookRemovedSchema = z.object({ id: z.uuid(), removed: z.literal(true) }).strict();

/** A test event or a replay queued: the callback's `webhook-id`. */
export const WebhookQueuedSchema = z.object({ eventId: z.uuid() }).strict();
