import type { ColumnType } from 'kysely';

/*
 * What some columns hold, narrower than their SQL type (text with a CHECK list, jsonb). The
 * generated `types.ts` takes these for the columns `tests/db-types/generate.ts` names; every other
 * column's type comes from the migrated schema alone.
 */

/**
 * The statuses of a result, declared once (the CHECK list of `test_results.status`): the API's
 * enum, the admin search, the UI and the lifecycle's transitions (`results/lifecycle/statuses.ts`)
 * read them from here.
 */
export const RESULT_STATUSES = ['received', 'delivering', 'retrying', 'delivered', 'dead-lettered', 'cancelled'] as const;

export type ResultStatus = (typeof RESULT_STATUSES)[number];

/** Whether a query parameter names a status. */
export function isResultStatus(s: string): s is ResultStatus {
  return (RESULT_STATUSES as readonly string[]).includes(s);
}

/** What a status callback can report (`webhook_events.type` takes these and `test`); endpoints subscribe to a subset. */
export const WEBHOOK_EVENT_TYPES = ['result.delivered', 'result.dead-lettered', 'result.cancelled', 'result.purged', 'certificate.expiring'] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}
export type MessageKind = 'original' | 'correction' | 'cancellation';
export type MessageState = 'pending' | 'delivered' | 'dead' | 'superseded';

/** Why a message was dead-lettered: codes and FHIR expressions only, never values. */
export interface DeadReason {
  code: string;
  httpStatus?: number;
  issues?: { code: string; expression: string }[];
}

/** `outbox_messages.dead_reason`: read as parsed JSON, written as JSON text. */
export type DeadReasonColumn = ColumnType<DeadReason | null, string | null, string | null>;
/** `idempotency_keys.response`: the first answer, replayed as stored; written as JSON text. */
export type StoredResponseColumn = ColumnType<unknown, string, string>;

export type CertificateOrigin = 'issued' | 'registered';
/** RFC 5280 §5.3.1 reason names. */
export type RevocationReason = 'unspecified' | 'keyCompromise' | 'affiliationChanged' | 'superseded' | 'cessationOfOperation';
export type Role = 'pharmacist' | 'pharmacy-manager' | 'operator' | 'chain-admin' | 'auditor' | 'dpo';

export type AuditActorType = 'pharmacy' | 'user' | 'system' | 'anonymous';
export type AuditEventOutcome = 'success' | 'failure' | 'denied';

export type BackupKind = 'database' | 'database+vault' | 'database+keyring';
export type BackupOutcome = 'running' | 'succeeded' | 'failed';
