import { json, PrefillTokenSchema } from '../api-schemas/index.js';
import type { Endpoint } from '../http/index.js';
import type { IntakeSchema } from '../results/index.js';
import { prefillBodySchema } from './prefills.js';
import { problem } from './results-api.js';

/** The schemas known only at start: the prefill body takes the intake schema's `patient`. */
export interface PrefillSchemasGiven {
  intake: IntakeSchema;
}

/**
 * The counter-prefill route of the intake listener (`prefills.ts`), declared once: the route
 * table, the handler and the OpenAPI document read it. Vendors' guide: docs/counter-prefill.md.
 */
export const PREFILL_ENDPOINTS = {
  issue: {
    method: 'POST',
    path: '/counter-prefills',
    schemas: ({ intake }) => ({
      summary: "Open the counter page prefilled with a patient's identity",
      description:
        "Posts the patient's identity (a submission's `patient`, same rules) and answers a one-time token, valid 5 minutes, that opens the counter page prefilled for a signed-in pharmacist of this pharmacy: `<web origin>/#/counter?prefill=<token>`. The identity never travels in a URL.",
      request: { body: { required: true, content: { 'application/json': { schema: prefillBodySchema(intake) } } } },
      responses: {
        201: json('The one-time token', PrefillTokenSchema),
        400: problem('malformed-json'),
        401: problem('unauthenticated: certificate unknown, revoked or of a deactivated pharmacy'),
        413: problem('payload-too-large'),
        415: problem('unsupported-media-type'),
        422: problem('validation: every field at fault, as {pointer, code}; nothing is stored'),
        429: problem('rate-limited (see Retry-After)'),
        503: problem('key-manager-unavailable, audit-unavailable, unavailable (see Retry-After)'),
      },
    }),
  },
} as const satisfies Record<string, Endpoint<PrefillSchemasGiven>>;
