import { z } from 'zod';
import { bool, port, positiveInt } from './fields.js';

/** A list given in one variable (`GATEWAY_WEB_ISSUERS` or `…_FILE`) as JSON. */
const jsonList = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v; // reported as the wrong type, without echoing the value
    }
  }, z.array(item));

/** One OpenID provider people sign in with (Pro Santé Connect, the chain's Keycloak or Entra ID…). */
export const issuerSchema = z
  .object({
    /** Short name used in URLs, sessions and enrolments (`psc`, `chain`). */
    id: z.string().regex(/^[a-z0-9-]{1,32}$/),
    /** `psc`: Pro Santé Connect claims and acr (DOMAIN.md §4); `generic`: the claim mapping below. */
    kind: z.enum(['psc', 'generic']).default('generic'),
    issuer: z.url(),
    clientId: z.string().min(1),
    clientSecretFile: z.string().min(1),
    /** Extra CA to trust for this provider (a chain's private CA); the system store otherwise. */
    caFile: z.string().optional(),
    scopes: z.array(z.string()).optional(),
    /** acr values requested and accepted: a token with another acr is refused. Empty: none required. */
    requiredAcr: z.array(z.string()).optional(),
    /**
     * ID token acr or amr values that count as multi-factor evidence, which every role needs (`psc`:
     * acr `eidas1`–`eidas3`; amr unset: RFC 8176 `mfa`; two amr factor classes always count).
     */
    mfaAcr: z.array(z.string()).optional(),
    mfaAmr: z.array(z.string()).optional(),
    /** Where the claims live (dot paths, arrays flattened), for `generic` issuers. */
    claims: z
      .object({ subject: z.string().default('sub'), rpps: z.string().optional(), finess: z.string().optional() })
      .strict()
      .prefault({}),
    /** The demo's development provider; the production profile refuses it. */
    development: bool.default(false),
  })
  .strict();

/**
 * Whether an issuer's settings name the multi-factor evidence its provider sends: acr values
 * (`mfaAcr`, Pro Santé Connect's by default) or amr values (`mfaAmr`). The production profile
 * refuses an issuer that leaves it to the generic amr rules alone.
 */
export function namesMfaEvidence(i: z.infer<typeof issuerSchema>): boolean {
  const acrNamed = i.mfaAcr === undefined ? i.kind === 'psc' : i.mfaAcr.length > 0;
  return acrNamed || (i.mfaAmr ?? []).length > 0;
}

/** The web listener: the admin UI, people signed in through the providers above, and their rate limits. */
export const webSchema = z
  .object({
    enabled: bool.default(false),
    host: z.string().default('127.0.0.1'),
    port: port.default(8444),
    certFile: z.string().optional(),
    keyFile: z.string().optional(),
    /** The origin browsers use (`https://gateway.example.org`): redirect URIs and the Origin check. */
    publicOrigin: z.url().optional(),
    /** The built admin UI (`admin-ui/dist`); nothing but its files is served. */
    uiDir: z.string().optional(),
    issuers: jsonList(issuerSchema).default([]),
    sessionIdleMinutes: positiveInt.default(15),
    sessionMaxHours: positiveInt.default(10),
    /** Sign-in attempts per client address: sustained per minute, and burst. */
    signInPerMinute: positiveInt.default(30),
    signInBurst: positiveInt.default(20),
    /** API requests per signed-in person: sustained per second, and burst. */
    userRatePerSecond: positiveInt.default(10),
    userRateBurst: positiveInt.default(100),
    /** Reveals of sealed results per signed-in person: sustained per minute, and burst. */
    revealsPerMinute: positiveInt.default(10),
    revealBurst: positiveInt.default(20),
  })
  .superRefine((w, ctx) => {
    if (!w.enabled) return;
    for (const key of ['certFile', 'keyFile', 'publicOrigin'] as const) {
      if (!w[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'required when the web listener is enabled' });
    }
    if (w.issuers.length === 0) ctx.addIssue({ code: 'custom', path: ['issuers'], message: 'at least one issuer' });
    if (new Set(w.issuers.map((i) => i.id)).size !== w.issuers.length) ctx.addIssue({ code: 'custom', path: ['issuers'], message: 'issuer ids must be unique' });
  })
  .prefault({});
