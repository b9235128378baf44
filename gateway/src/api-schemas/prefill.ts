/**
 * The answers of the counter-prefill routes: the token pharmacy software receives, and the
 * identity the counter page receives for it. A leaf (zod only), so the admin UI derives its
 * types from it. The identity is described as it comes out of the intake schema's `patient`
 * (normalised); the input rules are that schema's, documented with the intake route.
 */
import { z } from '@hono/zod-openapi';

/** What `POST /api/v1/counter-prefills` answers: the one-time token and when it stops working. */
export const PrefillTokenSchema = z
  .object({
    token: z.string().openapi({ description: 'One-time, 43 characters (base64url). Open `<web origin>/#/counter?prefill=<token>`: in the fragment, never the query.' }),
    expiresAt: z.string().openapi({ description: 'RFC 3339; at most 5 minutes after issue.' }),
  })
  .strict()
  .openapi('CounterPrefillToken');

const text = z.string();

/** The patient's identity, normalised as a submission's (NIR without spaces, phone in E.164). */
export const PrefilledPatientSchema = z
  .object({
    nir: text.optional(),
    noNirReason: z.enum(['foreign-visitor', 'not-registered', 'unknown']).optional(),
    insStatus: z.enum(['PROV', 'RECUP', 'VALI', 'QUAL']),
    birthName: text,
    firstNames: z.array(text),
    usedName: text.optional(),
    birthDate: text,
    sex: z.enum(['F', 'M', 'U']),
    birthPlaceInsee: text.optional(),
    phone: text.optional(),
    email: text.optional(),
    address: z.object({ line: z.array(text), postalCode: text, city: text, inseeCode: text.optional(), country: text }).strict().optional(),
  })
  .strict();

/** What the counter page's redemption answers: the pharmacy the token was issued for, and the identity. */
export const CounterPrefillSchema = z.object({ pharmacyFiness: text, patient: PrefilledPatientSchema }).strict();
