/** Pieces of route declarations (`Endpoint.schemas`) that every table uses alike. */
import { z } from '@hono/zod-openapi';

/** An answer of JSON in this shape. */
export const json = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });

/** The `:id` of a route: anything but a UUID names nothing (the handler answers 404). */
export const idParam = z.object({ id: z.uuid() });

/** A required JSON body in this shape. */
export const jsonRequest = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema } } });
