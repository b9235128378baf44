import type { ColumnType, Generated } from 'kysely';

/** Table types for Kysely; the SQL of record is in `migrations/`. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

import type { ResultStatus } from '../api-types.js';

export type { ResultStatus };
export type MessageKind = 'original' | 'correction' | 'cancellation';
export type MessageState = 'pending' | 'delivered' | 'dead' | 'superseded';

/** Why a message was dead-lettered: codes and FHIR expressions only, never values. */
export interface DeadReason {
  code: string;
  httpStatus?: number;
  issues?: { code: string; expression: string }[];
}

export interface PharmaciesTable {
  id: Generated<string>;
  finess: string;
  name: string;
  active: Generated<boolean>;
  created_at: Generated<Date>;
  deactivated_at: NullableTimestamp;
}

export interface ClientCertificatesTable {
  fingerprint: string;
  pharmacy_id: string;
  subject: string;
  not_after: Timestamp;
  revoked_at: NullableTimestamp;
  created_at: Generated<Date>;
  origin: ColumnType<CertificateOrigin, CertificateOrigin | undefined, CertificateOrigin>;
  serial_number: ColumnType<string | null, string | null | undefined, string | null>;
  issuer: ColumnType<string | null, string | null | undefined, string | null>;
  not_before: NullableTimestamp;
  revocation_reason: ColumnType<RevocationReason | null, RevocationReason | null | undefined, RevocationReason | null>;
  created_by: ColumnType<string | null, string | null | undefined, string | null>;
  revoked_by: ColumnType<string | null, string | null | undefined, string | null>;
}

export type CertificateOrigin = 'issued' | 'registered';
export type RevocationReason = 'unspecified' | 'keyCompromise' | 'affiliationChanged' | 'superseded' | 'cessationOfOperation';

export interface CertificateRevocationListsTable {
  crl_number: Generated<string>;
  issuer_fingerprint: string;
  this_update: Timestamp;
  next_update: Timestamp;
  pem: string;
  entries: number;
  created_at: Generated<Date>;
}

export interface DataKeysTable {
  id: string;
  key_window: string;
  shard: number;
  wrapped: string;
  created_at: Generated<Date>;
}

export interface TestResultsTable {
  id: string;
  pharmacy_id: string;
  status: ResultStatus;
  corrects: string | null;
  superseded_by: string | null;
  sealed: Buffer | null;
  data_key_id: string | null;
  nir_index: string | null;
  external_ref_index: string | null;
  /** Version of the blind-index key nir_index and external_ref_index were computed under. */
  blind_index_version: Generated<number>;
  loinc: string | null;
  collected_minute: NullableTimestamp;
  received_at: Generated<Date>;
  updated_at: Generated<Date>;
  delivered_at: NullableTimestamp;
  cancelled_at: NullableTimestamp;
  purged_at: NullableTimestamp;
  sidep_ack_id: string | null;
  problem_code: string | null;
}

export interface OutboxMessagesTable {
  id: string;
  result_id: string;
  kind: MessageKind;
  state: Generated<MessageState>;
  depends_on: string | null;
  attempts: Generated<number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  lease_token: string | null;
  lease_until: NullableTimestamp;
  last_error_code: string | null;
  dead_reason: ColumnType<DeadReason | null, string | null, string | null>;
  ack_id: string | null;
  created_at: Generated<Date>;
  delivered_at: NullableTimestamp;
  updated_at: Generated<Date>;
}

export interface IdempotencyKeysTable {
  pharmacy_id: string;
  key: string;
  fingerprint: string;
  /** Version of the blind-index key the fingerprint was computed under. */
  blind_index_version: Generated<number>;
  result_id: string;
  response: ColumnType<unknown, string, string>;
  created_at: Generated<Date>;
}

export interface AuditEventsTable {
  seq: Generated<string>;
  id: Generated<string>;
  at: Generated<Date>;
  xact_id: Generated<string>;
  actor_type: 'pharmacy' | 'user' | 'system' | 'anonymous';
  actor_id: string | null;
  action: string;
  object_type: string | null;
  object_id: string | null;
  outcome: 'success' | 'failure' | 'denied';
  reason: string | null;
  request_id: string | null;
  source_ip: string | null;
}

export interface AuditCheckpointsTable {
  number: string;
  xact_from: string;
  xact_to: string;
  size: number;
  seqs: string[];
  leaves: Buffer;
  root: string;
  prev: string;
  sealed_at: Timestamp;
  body: string;
  key_version: number;
  signature: string;
}

export interface AuditSinkCopiesTable {
  number: string;
  copied_at: Generated<Date>;
}

export interface DB {
  audit_checkpoints: AuditCheckpointsTable;
  audit_sink_copies: AuditSinkCopiesTable;
  pharmacies: PharmaciesTable;
  client_certificates: ClientCertificatesTable;
  certificate_revocation_lists: CertificateRevocationListsTable;
  data_keys: DataKeysTable;
  test_results: TestResultsTable;
  outbox_messages: OutboxMessagesTable;
  idempotency_keys: IdempotencyKeysTable;
  audit_events: AuditEventsTable;
  enrolments: EnrolmentsTable;
  web_sessions: WebSessionsTable;
  login_states: LoginStatesTable;
  login_links: LoginLinksTable;
}

export interface LoginLinksTable {
  token_hash: string;
  subject: string;
  expires_at: Timestamp;
  created_at: Generated<Date>;
}

export type Role = 'pharmacist' | 'pharmacy-manager' | 'operator' | 'chain-admin' | 'auditor';

export interface EnrolmentsTable {
  id: Generated<string>;
  issuer: string;
  subject: string;
  role: Role;
  pharmacy_id: string | null;
  expires_at: Timestamp;
  created_at: Generated<Date>;
  created_by: string;
  revoked_at: NullableTimestamp;
}

export interface WebSessionsTable {
  id_hash: string;
  issuer: string;
  subject: string;
  rpps: string | null;
  claim_finess: string[] | null;
  mfa: boolean;
  created_at: Generated<Date>;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

export interface LoginStatesTable {
  state_hash: string;
  browser_hash: string;
  issuer: string;
  code_verifier: string;
  nonce: string;
  expires_at: Timestamp;
}
