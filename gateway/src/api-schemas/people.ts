/**
 * The answers about people and the counter's lists, as zod schemas: the route tables declare
 * them and `api-types.ts` derives the UI's types from them. A leaf (zod and the rights' and
 * columns' leaves only), so the admin UI's type check reads no server code.
 */
import { z } from '@hono/zod-openapi';
import { CAPABILITIES, ROLES } from '../auth/rbac.js';
import type { Role } from '../db/column-types.js';

const RoleSchema = z.enum(ROLES as [Role, ...Role[]]);

/** `GET /me`: who is signed in, their roles, pharmacies and rights, the session's CSRF token. */
export const MeSchema = z
  .object({
    user: z.object({ issuer: z.string(), subject: z.string(), rpps: z.string().nullable(), mfa: z.boolean() }).strict(),
    roles: z.array(RoleSchema),
    pharmacies: z.array(z.object({ id: z.uuid(), finess: z.string(), roles: z.array(RoleSchema) }).strict()),
    /** The rights held, each with `all` or the FINESS it reaches: the UI offers what they open. */
    capabilities: z.partialRecord(z.enum(CAPABILITIES), z.union([z.literal('all'), z.array(z.string())])),
    csrfToken: z.string(),
    sessionExpiresAt: z.string(),
    idleTimeoutSeconds: z.number().int(),
  })
  .strict()
  .openapi('Me');

/** `GET /pharmacies`: a pharmacy of the person's enrolments, with its name (receipts, filters). */
export const PharmacySchema = z.object({ id: z.uuid(), finess: z.string(), name: z.string(), active: z.boolean() }).strict().openapi('Pharmacy');

export const PharmaciesSchema = z.object({ items: z.array(PharmacySchema) }).strict();

const coded = z.object({ code: z.string(), display: z.string() }).strict();

/** `GET /reference`: the coded values the entry page offers, the same lists the intake schema checks against. */
export const ReferenceSchema = z
  .object({
    tests: z.array(coded),
    results: z.array(coded),
    specimens: z.array(coded),
    devices: z.array(z.object({ euRatId: z.string(), display: z.string(), active: z.boolean() }).strict()),
    deviceListVersion: z.string(),
  })
  .strict()
  .openapi('Reference');

/** A live enrolment: a person (issuer, subject) in one role, for one pharmacy or chain-wide, with their last sign-in. */
export const EnrolmentRowSchema = z
  .object({
    id: z.uuid(),
    issuer: z.string(),
    subject: z.string(),
    role: RoleSchema,
    /** FINESS, for the pharmacy roles; null for chain-wide roles. */
    finess: z.string().nullable(),
    expiresAt: z.string(),
    createdBy: z.string(),
    /** The person's name and e-mail as their provider asserted them at their last sign-in, if it did. */
    name: z.string().nullable(),
    email: z.string().nullable(),
    /** null: not signed in yet (the page then shows the subject). */
    lastSignInAt: z.string().nullable(),
  })
  .strict()
  .openapi('EnrolmentRow');

/** An identity provider of the settings (`web.issuers[]`), which the grant form offers: its id and kind, never its secrets. */
export const ConfiguredIssuerSchema = z.object({ id: z.string(), kind: z.enum(['psc', 'generic']) }).strict().openapi('ConfiguredIssuer');
export const EnrolmentsSchema = z.object({ items: z.array(EnrolmentRowSchema), issuers: z.array(ConfiguredIssuerSchema) }).strict();
export const EnrolmentGrantedSchema = z.object({ id: z.uuid() }).strict();
export const EnrolmentRevokedSchema = z.object({ id: z.uuid(), revoked: z.literal(true) }).strict();

/** `GET /admin/access-review`: a person with live enrolments in scope, their last sign-in and its evidence. */
export const AccessReviewPersonSchema = z
  .object({
    issuer: z.string(),
    subject: z.string(),
    /** null: no sign-in recorded. */
    lastSignInAt: z.string().nullable(),
    mfaEvidence: z.enum(['mfa', 'single-factor']).nullable(),
    enrolments: z.array(
      z.object({ id: z.uuid(), role: RoleSchema, finess: z.string().nullable(), expiresAt: z.string(), /** an admin role unused for 90 days */ unused: z.boolean() }).strict(),
    ),
  })
  .strict()
  .openapi('AccessReviewPerson');

export const AccessReviewSchema = z.object({ items: z.array(AccessReviewPersonSchema) }).strict();
export const EnrolmentRecertifiedSchema = z.object({ id: z.uuid(), expiresAt: z.string() }).strict();
