/**
 * The bodies of the admin UI's registry changes: strict zod schemas (unknown fields refused),
 * bounded lengths, errors as `{pointer, code}` that never echo a value. The domain functions
 * (`pharmacies/registry.ts`, `auth/enrolments.ts`) check the rest (FINESS key, active pharmacy).
 */
import { z } from 'zod';
import { requireEnrolmentExpiry } from '../auth/enrolments.js';
import { ROLES } from '../auth/rbac.js';
import type { Role } from '../db/index.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../db/column-types.js';
import { ValidationFailed } from '../errors.js';
import { REVOCATION_REASONS, type RevocationReasonName } from '../pki/index.js';
import { toFieldIssues } from '../results/index.js';

// printable ASCII without spaces: OIDC issuer ids and `sub` claims (RFC 7519: case-sensitive, ≤ 255 here)
const identifier = (max: number) => z.string().min(1).max(max).regex(/^[\x21-\x7e]+$/);

/** The body of `POST /admin/pharmacies`. */
export const PHARMACY_BODY = z.object({ finess: z.string().min(1).max(9), name: z.string().min(1).max(200) }).strict();

/** The body of `POST /admin/enrolments` (`parseEnrolmentBody` also bounds `expiresAt`). */
export const ENROLMENT_BODY = z
  .object({
    issuer: identifier(100),
    subject: identifier(255),
    role: z.enum(ROLES as [Role, ...Role[]]),
    pharmacy: z.string().regex(/^[0-9A-B]{9}$/).optional(),
    expiresAt: z.iso.datetime({ offset: true }),
  })
  .strict();

/** The body of `POST /admin/pharmacies/{id}/webhooks` (`registrationProblem` checks the URL, networks and CA). */
export const WEBHOOK_BODY = z
  .object({
    url: z.string().min(1).max(2048),
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1).max(WEBHOOK_EVENT_TYPES.length).optional(),
    // PEM certificates the endpoint's TLS chains to, when not a public CA's
    caPem: z.string().min(1).max(65_536).optional(),
    // CIDR networks past the SSRF guard: only chain admins may send the field at all
    allowNetworks: z.array(z.string().min(1).max(64)).max(16).optional(),
  })
  .strict();

/** The body of a certificate's revocation. */
export const REVOCATION_BODY = z.object({ reason: z.enum(REVOCATION_REASONS) }).strict();

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ValidationFailed(toFieldIssues(parsed.error, body));
  return parsed.data;
}

/** `{finess, name}` of a pharmacy to add (the FINESS key is checked by `addPharmacy`). */
export function parsePharmacyBody(body: unknown): { finess: string; name: string } {
  return parse(PHARMACY_BODY, body);
}

/**
 * `{issuer, subject, role, pharmacy?, expiresAt}`: an expiry after `now` and at most
 * `MAX_ENROLMENT_DAYS` later is required (`/expiresAt` `time-range` otherwise).
 */
export function parseEnrolmentBody(body: unknown, now: Date): { issuer: string; subject: string; role: Role; pharmacy?: string; expiresAt: Date } {
  const e = parse(ENROLMENT_BODY, body);
  const expiresAt = new Date(e.expiresAt);
  requireEnrolmentExpiry(expiresAt, now);
  return { issuer: e.issuer, subject: e.subject, role: e.role, ...(e.pharmacy !== undefined ? { pharmacy: e.pharmacy } : {}), expiresAt };
}

/** `{url, events?, caPem?, allowNetworks?}` of an endpoint to register, each event once. */
export function parseWebhookBody(body: unknown): { url: string; events?: WebhookEventType[]; caPem?: string; allowNetworks?: string[] } {
  const w = parse(WEBHOOK_BODY, body);
  return { url: w.url, ...(w.events ? { events: [...new Set(w.events)] } : {}), ...(w.caPem !== undefined ? { caPem: w.caPem } : {}), ...(w.allowNetworks ? { allowNetworks: w.allowNetworks } : {}) };
}

/** `{reason}` of a certificate revocation, one of RFC 5280's reasons the CRL carries. */
export function parseRevocationBody(body: unknown): RevocationReasonName {
  return parse(REVOCATION_BODY, body).reason;
}
