/**
 * The shapes of the JSON the gateway answers to the web UI, derived from the schemas its routes
 * declare (`api-schemas/`): the server builds them and the admin
 * UI (a separate bundle) imports these very types, so the two cannot drift. Its imports are
 * leaves without Node imports, so the UI's type check reads no server code.
 */
import type { z } from '@hono/zod-openapi';
import type * as S from './api-schemas/index.js';

export type Me = z.output<typeof S.MeSchema>;
export type Pharmacy = z.output<typeof S.PharmacySchema>;
export type Reference = z.output<typeof S.ReferenceSchema>;
export type EnrolmentRow = z.output<typeof S.EnrolmentRowSchema>;
export type Enrolments = z.output<typeof S.EnrolmentsSchema>;
export type ConfiguredIssuer = z.output<typeof S.ConfiguredIssuerSchema>;
export type AccessReviewPerson = z.output<typeof S.AccessReviewPersonSchema>;
export type SubjectResult = z.output<typeof S.SubjectResultSchema>;
export type SubjectExport = z.output<typeof S.SubjectExportSchema>;
export type SubjectErasure = z.output<typeof S.SubjectErasureSchema>;
export type SubjectRequest = z.output<typeof S.SubjectRequestSchema>;

/** The status resource: delivery state and receipts, never personal data. */
export type ResultStatusView = z.output<typeof S.ResultStatusSchema>;
/** A row of today's list at the counter: the status, the patient's initials and the result. */
export type CounterRow = z.output<typeof S.CounterRowSchema>;
export type CounterList = z.output<typeof S.CounterListSchema>;
export type ResultRow = z.output<typeof S.ResultRowSchema>;
export type ResultDetail = z.output<typeof S.ResultDetailSchema>;
export type Overview = z.output<typeof S.OverviewSchema>;
export type OverviewHour = z.output<typeof S.OverviewHourSchema>;
export type Statistics = z.output<typeof S.StatisticsSchema>;
export type StatisticsRow = z.output<typeof S.StatisticsRowSchema>;

/** A long admin action run in the background, yielding `R`; the UI polls it for `done` of `total`. */
export type BackgroundJob<R> = Omit<z.output<ReturnType<typeof S.backgroundJobSchema<z.ZodNever>>>, 'result'> & { result: R | null };
export type AuditEventRow = z.output<typeof S.AuditEventRowSchema>;
export type AuditEventsPage = z.output<typeof S.AuditEventsPageSchema>;
export type AuditVerification = z.output<typeof S.AuditVerificationSchema>;
export type KeyStatus = z.output<typeof S.KeyStatusSchema>;
export type CertificateRow = z.output<typeof S.CertificateRowSchema>;
export type PharmacyRow = z.output<typeof S.PharmacyRowSchema>;
export type OffboardingProgress = z.output<typeof S.OffboardingProgressSchema>;
export type IssuedCertificateView = z.output<typeof S.IssuedCertificateViewSchema>;
export type SystemSummary = z.output<typeof S.SystemSummarySchema>;
export type WebhookEndpoint = z.output<typeof S.WebhookEndpointSchema>;
/** A redeemed counter-prefill token: the pharmacy it was issued for and the patient's identity. */
export type CounterPrefill = z.output<typeof S.CounterPrefillSchema>;
export type WebhookCallback = z.output<typeof S.WebhookCallbackSchema>;
export type WebhookSecret = z.output<typeof S.WebhookSecretSchema>;
