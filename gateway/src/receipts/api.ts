import { z } from '@hono/zod-openapi';
import { idParam, json, ProblemSchema } from '../api-schemas/index.js';
import type { Endpoint } from '../http/index.js';

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });

/** Where the receipt-signing public keys are published, on the intake and web listeners. */
export const JWKS_PATH = '/.well-known/jwks.json';

/** The media type of a JWS in compact serialization (RFC 7515 §9.2.1). */
export const JWS_MEDIA_TYPE = 'application/jose';

const JwkSchema = z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), kid: z.string(), alg: z.literal('EdDSA'), use: z.literal('sig') });

/**
 * A result's signed delivery receipt, declared once (intake lists it in its OpenAPI document).
 * Before delivery there is no receipt: 404, as for another pharmacy's result, so a caller learns
 * nothing it could not learn from the status route.
 */
export const RECEIPT_ENDPOINTS = {
  receipt: {
    method: 'GET',
    path: '/test-results/:id/receipt',
    schemas: () => ({
      summary: 'Signed delivery receipt (compact JWS, EdDSA; verify with the keys at /.well-known/jwks.json)',
      request: { params: idParam },
      responses: {
        200: { description: 'The receipt: claims sub (result id), finess, receivedAt, deliveredAt, sidepAckId, contractVersion, iat; header kid', content: { [JWS_MEDIA_TYPE]: { schema: z.string() } } },
        401: problem('unauthenticated'),
        404: problem('not-found: no such result of this pharmacy, or not delivered yet'),
        503: problem('key-manager-unavailable (signing on first request)'),
      },
    }),
  },
} as const satisfies Record<string, Endpoint<unknown>>;

/** The public keys of every receipt-signing key version still held (old receipts verify after a rotation). */
export const JWKS_ENDPOINT = {
  method: 'GET',
  path: JWKS_PATH,
  schemas: () => ({
    summary: 'Receipt-signing public keys (JWKS, RFC 7517)',
    responses: { 200: json('Every key version still held', z.object({ keys: z.array(JwkSchema) })), 503: problem('key-manager-unavailable') },
  }),
} as const satisfies Endpoint<unknown>;
