/**
 * The answers of the admin UI's registry, audit, keys and system pages, as zod schemas: the
 * route tables declare them and `api-types.ts` derives the UI's types from them. A leaf (zod and
 * the columns' and doctor's leaves only), so the admin UI's type check reads no server code.
 */
import { z } from '@hono/zod-openapi';
import type { RevocationReason } from '../db/column-types.js';
import type { CheckResult } from '../doctor/report.js';
import { StatisticsRowSchema } from './results.js';

const code = z.object({ code: z.string() }).strict();

/**
 * A long admin action run in the background, with what it yields; the UI polls it for `done`
 * of `total`. A failure keeps the error's name (`problem.code`), never its message.
 */
export const backgroundJobSchema = <R extends z.ZodType>(result: R) =>
  z
    .object({
      id: z.uuid(),
      state: z.enum(['running', 'succeeded', 'failed']),
      done: z.number().int(),
      total: z.number().int(),
      startedAt: z.string(),
      finishedAt: z.string().nullable(),
      result: result.nullable(),
      problem: code.nullable(),
    })
    .strict();

/** One audit event as the auditor searches them: ids and codes, no personal data. */
export const AuditEventRowSchema = z
  .object({
    seq: z.string(),
    id: z.uuid(),
    at: z.string(),
    // `name`, for display only: a pharmacy actor's pharmacy name, a person's name (else e-mail) from their last sign-in, else null
    actor: z.object({ type: z.string(), id: z.string().nullable(), name: z.string().nullable() }).strict(),
    action: z.string(),
    object: z.object({ type: z.string(), id: z.string() }).strict().nullable(),
    outcome: z.enum(['success', 'failure', 'denied']),
    reason: z.string().nullable(),
    requestId: z.string().nullable(),
  })
  .strict()
  .openapi('AuditEventRow');

/** Newest first; `nextCursor` continues below the last sequence shown. */
export const AuditEventsPageSchema = z.object({ items: z.array(AuditEventRowSchema), nextCursor: z.string().nullable() }).strict().openapi('AuditEventsPage');

/** What a verification found, as `gateway audit verify` prints it. */
export const AuditVerificationSchema = z
  .object({
    checkpoints: z.number().int(),
    events: z.number().int(),
    /** The first fault in log order; null when everything holds. */
    fault: z.object({ kind: z.string(), seq: z.string().optional(), checkpoint: z.number().int().optional(), check: z.string() }).strict().nullable(),
    /** Whether the checkpoints were also compared with the sink's copy. */
    againstSink: z.boolean(),
  })
  .strict()
  .openapi('AuditVerification');

export const AuditVerificationJobSchema = backgroundJobSchema(AuditVerificationSchema).openapi('AuditVerificationJob');

/** The key-encryption key and blind-index key versions, and what each still protects. */
export const KeyStatusSchema = z
  .object({
    kind: z.string(),
    current: z.number().int(),
    minDecryption: z.number().int(),
    kek: z.array(z.object({ version: z.number().int(), dataKeys: z.number().int(), records: z.number().int() }).strict()),
    /** The oldest KEK version still wrapping a stored data key; null with none stored. */
    oldestInUse: z.number().int().nullable(),
    blindIndex: z
      .object({
        held: z.array(z.number().int()),
        newest: z.number().int(),
        inUse: z.array(z.object({ version: z.number().int(), results: z.number().int(), idempotencyKeys: z.number().int() }).strict()),
      })
      .strict(),
    /** Stored keys a rewrap would move, or indexes a reindex would move. */
    findings: z.array(z.enum(['rewrap-needed', 'reindex-needed'])),
  })
  .strict()
  .openapi('KeyStatus');

export const KeyRotationSchema = z.object({ current: z.number().int() }).strict();

export const RewrapJobSchema = backgroundJobSchema(z.object({ rewrapped: z.number().int(), webhookSecrets: z.number().int(), current: z.number().int(), remaining: z.number().int() }).strict()).openapi('RewrapJob');

// every reason of the type, no other: a key missing or extra fails the type check
const REVOCATION_REASON_KEYS = { unspecified: 0, keyCompromise: 0, affiliationChanged: 0, superseded: 0, cessationOfOperation: 0 } satisfies Record<RevocationReason, 0>;

/** A client certificate in the registry (never its key), for the pharmacies page. */
export const CertificateRowSchema = z
  .object({
    fingerprint: z.string(),
    pharmacyId: z.uuid(),
    finess: z.string(),
    origin: z.enum(['issued', 'registered']),
    serialNumber: z.string().nullable(),
    notBefore: z.string().nullable(),
    notAfter: z.string(),
    revokedAt: z.string().nullable(),
    revocationReason: z.enum(Object.keys(REVOCATION_REASON_KEYS) as [RevocationReason, ...RevocationReason[]]).nullable(),
  })
  .strict()
  .openapi('CertificateRow');

/** A registered pharmacy, as a change of the registry answers it. */
export const RegisteredPharmacySchema = z
  .object({ id: z.uuid(), finess: z.string(), name: z.string(), active: z.boolean(), createdAt: z.string(), deactivatedAt: z.string().nullable() })
  .strict()
  .openapi('RegisteredPharmacy');

/** `GET /admin/pharmacies`: the pharmacies in the person's scope, with their certificates. */
export const PharmacyRowSchema = RegisteredPharmacySchema.extend({ certificates: z.array(CertificateRowSchema) }).strict().openapi('PharmacyRow');

export const PharmacyRowsSchema = z.object({ items: z.array(PharmacyRowSchema) }).strict();

/** `POST /admin/pharmacies/{id}/offboard`: where the offboarding stands; run again until `offboarded`. */
export const OffboardingProgressSchema = z
  .object({
    pharmacyId: z.uuid(),
    finess: z.string(),
    name: z.string(),
    state: z.enum(['offboarding', 'offboarded']),
    /** Results the relay has yet to deliver or dead-letter. */
    pending: z.number().int(),
    certificatesRevoked: z.number().int(),
    enrolmentsRevoked: z.number().int(),
  })
  .strict()
  .openapi('OffboardingProgress');

/** `GET /admin/pharmacies/{id}/offboarding-export`: receipts and monthly statistics, no personal data. */
export const OffboardingExportSchema = z
  .object({
    finess: z.string(),
    name: z.string(),
    exportedAt: z.string(),
    receipts: z.array(
      z
        .object({ id: z.uuid(), status: z.string(), corrects: z.uuid().nullable(), receivedAt: z.string(), deliveredAt: z.string().nullable(), cancelledAt: z.string().nullable(), sidepAckId: z.string().nullable() })
        .strict(),
    ),
    statistics: z.array(StatisticsRowSchema),
  })
  .strict()
  .openapi('OffboardingExport');

/**
 * `POST /admin/pharmacies/{id}/certificates`: the new certificate, answered once. The PKCS#12
 * (base64) holds the private key; its one-time password comes only here. Nothing is kept.
 */
export const IssuedCertificateViewSchema = z
  .object({
    certificate: CertificateRowSchema,
    /** The certificate, then the CA chain (PEM). */
    certificatePem: z.string(),
    chainPem: z.string(),
    pkcs12Base64: z.string(),
    password: z.string(),
  })
  .strict()
  .openapi('IssuedCertificateView');

export const RevokedCertificateSchema = z.object({ revoked: CertificateRowSchema, crlPublished: z.boolean() }).strict();

const CheckResultSchema: z.ZodType<CheckResult> = z
  .object({ id: z.string(), status: z.enum(['ok', 'warn', 'fail', 'skip']), summary: z.string(), hint: z.string().optional() })
  .strict();

/** `GET /admin/system`: doctor's checks and a configuration summary that holds no secret. */
export const SystemSummarySchema = z
  .object({
    /** `gateway doctor`'s own checks, run by this gateway with its runtime role. */
    checks: z.array(CheckResultSchema),
    config: z.array(z.object({ key: z.string(), value: z.union([z.string(), z.number(), z.boolean()]) }).strict()),
    /**
     * KEK versions (`gateway keys status`): the current one, the oldest still decrypted, and the
     * data keys and records under each; null while the key manager does not answer.
     */
    keys: z
      .object({
        kind: z.string(),
        current: z.number().int(),
        minDecryption: z.number().int(),
        inUse: z.array(z.object({ version: z.number().int(), dataKeys: z.number().int(), records: z.number().int() }).strict()),
      })
      .strict()
      .nullable(),
  })
  .strict()
  .openapi('SystemSummary');
