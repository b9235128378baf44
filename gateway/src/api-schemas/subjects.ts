/**
 * The data protection officer's page: the bodies that name a person (POST only: a NIR never
 * travels in a URL), and the answers, which carry ids, FINESS, statuses and dates, never a
 * personal value (the export's files are encrypted).
 */
import { z } from '@hono/zod-openapi';
import { RESULT_STATUSES } from '../db/column-types.js';
import { SUBJECT_REASONS } from '../subjects/reasons.js';

const person = { nir: z.string().min(1).max(40).optional(), resultId: z.string().min(1).max(40).optional() };

/** `POST /admin/subjects/find`: a NIR or a receipt's result id, and why (default `access-request`). */
export const SUBJECT_FIND_BODY = z.object({ ...person, reason: z.enum(SUBJECT_REASONS).optional() }).strict().openapi('SubjectFindBody');

/** `POST /admin/subjects/export` and `/erase`: a NIR or a receipt's result id, and why. */
export const SUBJECT_ACTION_BODY = z.object({ ...person, reason: z.enum(SUBJECT_REASONS) }).strict().openapi('SubjectActionBody');

/** `POST /admin/subjects/requests`: a request received today. */
export const SUBJECT_REQUEST_BODY = z.object({ reason: z.enum(SUBJECT_REASONS) }).strict().openapi('SubjectRequestBody');

export const SubjectResultSchema = z
  .object({
    id: z.uuid(),
    finess: z.string(),
    status: z.enum(RESULT_STATUSES),
    receivedAt: z.string(),
    updatedAt: z.string(),
    deliveredAt: z.string().nullable(),
    purgedAt: z.string().nullable(),
  })
  .strict()
  .openapi('SubjectResult');

export const SubjectResultsSchema = z.object({ items: z.array(SubjectResultSchema) }).strict().openapi('SubjectResults');

/** Two age files (`age --decrypt` opens them) under a passphrase shown once. */
export const SubjectExportSchema = z
  .object({
    passphrase: z.string(),
    count: z.number().int(),
    files: z.array(z.object({ name: z.string(), base64: z.string() }).strict()),
  })
  .strict()
  .openapi('SubjectExport');

export const SubjectErasureSchema = z
  .object({ erased: z.array(z.uuid()), kept: z.array(z.object({ id: z.uuid(), why: z.enum(['delivery-pending', 'already-purged']) }).strict()) })
  .strict()
  .openapi('SubjectErasure');

export const SubjectRequestSchema = z
  .object({
    id: z.uuid(),
    receivedAt: z.string(),
    dueAt: z.string(),
    reason: z.enum(SUBJECT_REASONS),
    status: z.enum(['open', 'answered']),
    answeredAt: z.string().nullable(),
    recordedBy: z.string(),
    answeredBy: z.string().nullable(),
  })
  .strict()
  .openapi('SubjectRequest');

export const SubjectRequestsSchema = z.object({ items: z.array(SubjectRequestSchema) }).strict().openapi('SubjectRequests');
