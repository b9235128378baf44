/**
 * The shapes of the JSON the gateway answers to the web UI: the server builds them and the admin
 * UI (a separate bundle) imports these very types, so the two cannot drift. Its imports are
 * leaves without Node imports, so the UI's type check reads no server code.
 */
import type { CapabilityScopes } from './auth/rbac.js';
import type { RevocationReason, Role } from './db/column-types.js';
import type { CheckResult } from './doctor/report.js';
import type { z } from '@hono/zod-openapi';
import type { ResultStatusSchema } from './intake/results-schemas.js';
import type { ResultStatus } from './results/lifecycle/statuses.js';

/** `GET /me`: who is signed in, their roles, pharmacies and rights, the session's CSRF token. */
export interface Me {
  user: { issuer: string; subject: string; rpps: string | null; mfa: boolean };
  roles: Role[];
  pharmacies: { id: string; finess: string; roles: Role[] }[];
  /** The rights held, each with `all` or the FINESS it reaches: the UI offers what they open. */
  capabilities: CapabilityScopes;
  csrfToken: string;
  sessionExpiresAt: string;
  idleTimeoutSeconds: number;
}

/** `GET /pharmacies`: a pharmacy of the person's enrolments, with its name (receipts, filters). */
export interface Pharmacy {
  id: string;
  finess: string;
  name: string;
  active: boolean;
}

/** The status resource: delivery state and receipts, never personal data. */
export type ResultStatusView = z.output<typeof ResultStatusSchema>;

/** The figures of the overview page, from the gateway's own tables (no metrics scrape). */
export interface Overview {
  receivedLastHour: number;
  backlog: { pending: number; oldestAgeSeconds: number };
  /** Receipt to SI-DEP acknowledgement, over results delivered since the first hour of `hourly`. */
  latency: { p50Seconds: number | null; p95Seconds: number | null };
  /** Messages waiting for a retry after a failed attempt. */
  retrying: number;
  deadLetters: number;
  /** The 23 whole hours before this one and the current hour, oldest first. */
  hourly: OverviewHour[];
}

/**
 * One hour of the overview's charts, per result (not per message). Intake counts accepted
 * results only: a refused submission leaves no row in the database.
 */
export interface OverviewHour {
  hour: string;
  received: number;
  delivered: number;
  /** Receipt to SI-DEP acknowledgement, over results delivered in this hour. */
  latencyP50Seconds: number | null;
  latencyP95Seconds: number | null;
  /** Results awaiting delivery at the end of the hour (now, for the current one), and the oldest's age then. */
  backlog: number;
  oldestPendingSeconds: number | null;
  /** Results now waiting for a retry whose latest attempt failed in this hour. */
  retrying: number;
  /** Results dead-lettered in this hour and not redriven since. */
  deadLettered: number;
}

/** A result as the admin UI lists it: a receipt, no personal data. */
export interface ResultRow {
  id: string;
  pharmacy: { finess: string; name: string };
  status: ResultStatus;
  receivedAt: string;
  deliveredAt: string | null;
  purgedAt: string | null;
  problem: { code: string } | null;
}

export interface ResultDetail {
  result: ResultRow & { sidepAckId: string | null; supersededBy: string | null; corrects: string | null };
  /** What happened, oldest first, from the result's and its messages' timestamps. */
  history: { at: string; event: string }[];
  messages: { id: string; kind: string; state: string; attempts: number; createdAt: string; deliveredAt: string | null; lastErrorCode: string | null; deadReason: { code: string; httpStatus?: number } | null }[];
}

/** A long admin action run in the background; the UI polls it for `done` of `total`. */
export interface BackgroundJob<R> {
  id: string;
  state: 'running' | 'succeeded' | 'failed';
  done: number;
  total: number;
  startedAt: string;
  finishedAt: string | null;
  result: R | null;
  /** The error's name when it failed, never its message. */
  problem: { code: string } | null;
}

/** One audit event as the auditor searches them: ids and codes, no personal data. */
export interface AuditEventRow {
  seq: string;
  id: string;
  at: string;
  actor: { type: string; id: string | null };
  action: string;
  object: { type: string; id: string } | null;
  outcome: 'success' | 'failure' | 'denied';
  reason: string | null;
  requestId: string | null;
}

/** Newest first; `nextCursor` continues below the last sequence shown. */
export interface AuditEventsPage {
  items: AuditEventRow[];
  nextCursor: string | null;
}

/** What a verification found, as `gateway audit verify` prints it. */
export interface AuditVerification {
  checkpoints: number;
  events: number;
  /** The first fault in log order; null when everything holds. */
  fault: { kind: string; seq?: string; checkpoint?: number; check: string } | null;
  /** Whether the checkpoints were also compared with the sink's copy. */
  againstSink: boolean;
}

/** The key-encryption key and blind-index key versions, and what each still protects. */
export interface KeyStatus {
  kind: string;
  current: number;
  minDecryption: number;
  kek: { version: number; dataKeys: number; records: number }[];
  /** The oldest KEK version still wrapping a stored data key; null with none stored. */
  oldestInUse: number | null;
  blindIndex: { held: number[]; newest: number; inUse: { version: number; results: number; idempotencyKeys: number }[] };
  /** Stored keys a rewrap would move, or indexes a reindex would move. */
  findings: ('rewrap-needed' | 'reindex-needed')[];
}

/** A client certificate in the registry (never its key), for the pharmacies page. */
export interface CertificateRow {
  fingerprint: string;
  pharmacyId: string;
  finess: string;
  origin: 'issued' | 'registered';
  serialNumber: string | null;
  notBefore: string | null;
  notAfter: string;
  revokedAt: string | null;
  revocationReason: RevocationReason | null;
}

/** `GET /admin/pharmacies`: the pharmacies in the person's scope, with their certificates. */
export interface PharmacyRow {
  id: string;
  finess: string;
  name: string;
  active: boolean;
  createdAt: string;
  deactivatedAt: string | null;
  certificates: CertificateRow[];
}

/**
 * `POST /admin/pharmacies/{id}/certificates`: the new certificate, answered once. The PKCS#12
 * (base64) holds the private key; its one-time password comes only here. Nothing is kept.
 */
export interface IssuedCertificateView {
  certificate: CertificateRow;
  /** The certificate, then the CA chain (PEM). */
  certificatePem: string;
  chainPem: string;
  pkcs12Base64: string;
  password: string;
}

/** A live enrolment: a person (issuer, subject) in one role, for one pharmacy or chain-wide. */
export interface EnrolmentRow {
  id: string;
  issuer: string;
  subject: string;
  role: Role;
  /** FINESS, for the pharmacy roles; null for chain-wide roles. */
  finess: string | null;
  expiresAt: string;
  createdBy: string;
}

/** `GET /reference`: the coded values the entry page offers, the same lists the intake schema checks against. */
export interface Reference {
  tests: { code: string; display: string }[];
  results: { code: string; display: string }[];
  specimens: { code: string; display: string }[];
  devices: { euRatId: string; display: string; active: boolean }[];
  deviceListVersion: string;
}

/** `GET /admin/statistics`: volumes per pharmacy and period, what a chain splits costs by. */
export interface Statistics {
  period: 'day' | 'month';
  from: string;
  to: string;
  rows: StatisticsRow[];
}

export interface StatisticsRow {
  finess: string;
  name: string;
  /** `YYYY-MM-DD` or `YYYY-MM`, in Europe/Paris. */
  period: string;
  /** Tests entered (corrections are the same test, counted apart). */
  total: number;
  delivered: number;
  cancelled: number;
  deadLettered: number;
  corrections: number;
}

/** `GET /admin/system`: doctor's checks and a configuration summary that holds no secret. */
export interface SystemSummary {
  /** `gateway doctor`'s own checks, run by this gateway with its runtime role. */
  checks: CheckResult[];
  config: { key: string; value: string | number | boolean }[];
  /**
   * KEK versions (`gateway keys status`): the current one, the oldest still decrypted, and the
   * data keys and records under each; null while the key manager does not answer.
   */
  keys: { kind: string; current: number; minDecryption: number; inUse: { version: number; dataKeys: number; records: number }[] } | null;
}
