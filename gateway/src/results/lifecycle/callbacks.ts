import { sql, type RawBuilder } from 'kysely';
import type { Database, Tx } from '../../db/index.js';
import type { WebhookEventType } from '../../db/column-types.js';

/**
 * The statement that writes one status callback per live endpoint of the pharmacy subscribed to
 * the event, for each row of `changes` (columns: pharmacy_id uuid, subject_id text, type text,
 * data jsonb — ids, status and codes only, never personal data). Run it in the transaction of
 * the status change: committed together or not at all. A pharmacy with no endpoint costs one
 * index probe. A status change already reported to an endpoint keeps its one event (and id).
 */
export function callbacksInsert(changes: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`
    INSERT INTO webhook_events (endpoint_id, subject_id, type, payload)
    SELECT e.id, c.subject_id, c.type,
           jsonb_build_object('type', c.type, 'timestamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'data', c.data)
    FROM (${changes}) c
    JOIN webhook_endpoints e ON e.pharmacy_id = c.pharmacy_id AND e.disabled_at IS NULL AND c.type = ANY (e.events)
    ON CONFLICT (endpoint_id, subject_id, type) DO NOTHING`;
}

/** These results' status change (as now stored), reported to their pharmacies' endpoints (see {@link callbacksInsert}). */
export async function recordResultCallbacks(tx: Tx, type: WebhookEventType, resultIds: readonly string[]): Promise<void> {
  if (resultIds.length === 0) return;
  await callbacksInsert(
    sql`SELECT r.pharmacy_id, r.id::text AS subject_id, ${type}::text AS type,
               jsonb_build_object('resultId', r.id, 'status', r.status, 'problemCode', r.problem_code) AS data
        FROM test_results r WHERE r.id = ANY (${resultIds}::uuid[])`,
  ).execute(tx);
}

/**
 * `certificate.expiring` for each live client certificate that expires within `days`, once per
 * certificate and endpoint (later checks find its event already written). Data: the fingerprint
 * and the expiry, nothing else.
 */
export async function recordExpiringCertificateCallbacks(db: Database, days: number): Promise<void> {
  await callbacksInsert(
    sql`SELECT c.pharmacy_id, c.fingerprint AS subject_id, 'certificate.expiring'::text AS type,
               jsonb_build_object('certificateFingerprint', c.fingerprint, 'notAfter', to_char(c.not_after AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) AS data
        FROM client_certificates c
        WHERE c.revoked_at IS NULL AND c.not_after > now() AND c.not_after <= now() + make_interval(days => ${days})`,
  ).execute(db);
}
