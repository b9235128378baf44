/**
 * The answers of the admin UI's result pages (receipts, overview, statistics, dead letters,
 * reveal), as zod schemas: the route tables declare them and `api-types.ts` derives the UI's
 * types from them. A leaf (zod and the status list only).
 */
import { z } from '@hono/zod-openapi';
import { RESULT_STATUSES } from '../results/lifecycle/statuses.js';

const code = z.object({ code: z.string() }).strict();

/** A result as the admin UI lists it: a receipt, no personal data. */
export const ResultRowSchema = z
  .object({
    id: z.uuid(),
    pharmacy: z.object({ finess: z.string(), name: z.string() }).strict(),
    status: z.enum(RESULT_STATUSES),
    receivedAt: z.string(),
    deliveredAt: z.string().nullable(),
    purgedAt: z.string().nullable(),
    problem: code.nullable(),
  })
  .strict()
  .openapi('ResultRow');

export const ResultRowsSchema = z.object({ items: z.array(ResultRowSchema) }).strict();

const deadReason = z.object({ code: z.string(), httpStatus: z.number().int().optional() }).strict();

export const ResultDetailSchema = z
  .object({
    result: ResultRowSchema.extend({ sidepAckId: z.string().nullable(), supersededBy: z.uuid().nullable(), corrects: z.uuid().nullable() }).strict(),
    /** What happened, oldest first, from the result's and its messages' timestamps. */
    history: z.array(z.object({ at: z.string(), event: z.string() }).strict()),
    messages: z.array(
      z
        .object({
          id: z.uuid(),
          kind: z.string(),
          state: z.string(),
          attempts: z.number().int(),
          createdAt: z.string(),
          deliveredAt: z.string().nullable(),
          lastErrorCode: z.string().nullable(),
          deadReason: deadReason.nullable(),
        })
        .strict(),
    ),
  })
  .strict()
  .openapi('ResultDetail');

/**
 * One hour of the overview's charts, per result (not per message). Intake counts accepted
 * results only: a refused submission leaves no row in the database.
 */
export const OverviewHourSchema = z
  .object({
    hour: z.string(),
    received: z.number().int(),
    delivered: z.number().int(),
    /** Receipt to SI-DEP acknowledgement, over results delivered in this hour. */
    latencyP50Seconds: z.number().nullable(),
    latencyP95Seconds: z.number().nullable(),
    /** Results awaiting delivery at the end of the hour (now, for the current one), and the oldest's age then. */
    backlog: z.number().int(),
    oldestPendingSeconds: z.number().nullable(),
    /** Results now waiting for a retry whose latest attempt failed in this hour. */
    retrying: z.number().int(),
    /** Results dead-lettered in this hour and not redriven since. */
    deadLettered: z.number().int(),
  })
  .strict();

/** The figures of the overview page, from the gateway's own tables (no metrics scrape). */
export const OverviewSchema = z
  .object({
    receivedLastHour: z.number().int(),
    backlog: z.object({ pending: z.number().int(), oldestAgeSeconds: z.number() }).strict(),
    /** Receipt to SI-DEP acknowledgement, over results delivered since the first hour of `hourly`. */
    latency: z.object({ p50Seconds: z.number().nullable(), p95Seconds: z.number().nullable() }).strict(),
    /** Messages waiting for a retry after a failed attempt. */
    retrying: z.number().int(),
    deadLetters: z.number().int(),
    /** The 23 whole hours before this one and the current hour, oldest first. */
    hourly: z.array(OverviewHourSchema),
  })
  .strict()
  .openapi('Overview');

export const StatisticsRowSchema = z
  .object({
    finess: z.string(),
    name: z.string(),
    /** `YYYY-MM-DD` or `YYYY-MM`, in Europe/Paris. */
    period: z.string(),
    /** Tests entered (corrections are the same test, counted apart). */
    total: z.number().int(),
    delivered: z.number().int(),
    cancelled: z.number().int(),
    deadLettered: z.number().int(),
    corrections: z.number().int(),
    /** Results in force (neither corrected nor cancelled) by outcome; inconclusive counts as invalid. */
    positive: z.number().int(),
    negative: z.number().int(),
    invalid: z.number().int(),
  })
  .strict();

/** `GET /admin/statistics`: volumes per pharmacy and period, what a chain splits costs by. */
export const StatisticsSchema = z
  .object({ period: z.enum(['day', 'month']), from: z.string(), to: z.string(), rows: z.array(StatisticsRowSchema) })
  .strict()
  .openapi('Statistics');

/** `GET /outbox/dead-letters`: the dead messages, ids, states and codes only. */
export const DeadLettersSchema = z
  .object({
    items: z.array(
      z
        .object({
          id: z.uuid(),
          resultId: z.uuid(),
          kind: z.string(),
          state: z.string(),
          attempts: z.number().int(),
          nextAttemptAt: z.string().nullable(),
          lastErrorCode: z.string().nullable(),
          deadReason: deadReason.extend({ issues: z.array(z.object({ code: z.string(), expression: z.string() }).strict()).optional() }).strict().nullable(),
          /** The pharmacy the result came from, so an operator knows whom to call. */
          pharmacy: z.object({ finess: z.string(), name: z.string() }).strict(),
          createdAt: z.string(),
          deliveredAt: z.string().nullable(),
        })
        .strict(),
    ),
  })
  .strict()
  .openapi('DeadLetters');

export const RedrivenSchema = z.object({ redriven: z.array(z.uuid()) }).strict();

/**
 * What a reveal shows: enough to reprint the patient's receipt or prepare a correction (names,
 * birth date, sex and the test), never the NIR, contact or address.
 */
export const RevealedResultSchema = z
  .object({
    id: z.uuid(),
    pharmacyId: z.uuid(),
    patient: z.object({ birthName: z.string(), firstNames: z.array(z.string()), usedName: z.string().optional(), birthDate: z.string(), sex: z.string() }).strict(),
    test: z.object({ loinc: z.string(), result: z.string(), specimen: z.string(), collectedAt: z.string(), resultAt: z.string() }).strict(),
  })
  .strict()
  .openapi('RevealedResult');
