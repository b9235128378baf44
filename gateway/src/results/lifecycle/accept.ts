import { sql } from 'kysely';
import { auditInsert, type AuditRow } from '../../audit/index.js';
import type { Database } from '../../db/index.js';
import { DuplicateResult } from '../../errors.js';
import { KeyTaken, type AcceptedAnswer, type RequestFingerprint } from './idempotency.js';
import { findDuplicate, violatesDuplicateIndex, type IndexColumns } from './indexes.js';
import { countReceived } from './outcome-counts.js';
import type { ResultOutcome } from '../codes.js';

/** What the intake statement writes for one accepted result. */
export interface Submission {
  id: string;
  pharmacyId: string;
  key: string;
  fingerprint: RequestFingerprint;
  answer: AcceptedAnswer;
  sealed: Buffer;
  dataKeyId: string | null;
  idx: IndexColumns;
  /** What the statistics count the result as. */
  outcome: ResultOutcome;
  /** The NIR's indexes this pharmacy's rows may hold (`nirIndexes`). */
  nirIndexesHeld: readonly string[];
  messageId: string;
  auditRows: AuditRow[];
}

/**
 * The intake transaction as one statement, so one round trip (it was eight: lookup, BEGIN, five
 * statements, COMMIT): unless a live result of this pharmacy has the same person, test and
 * minute, claim the key; only a claim that wins inserts the result, its outbox message, its
 * outcome count and its audit event. A concurrent request holding the key makes the claim wait
 * for its commit (then nothing is written) or its rollback (then this one wins). Nothing is
 * written unless all is.
 */
export function submissionStatement(s: Submission) {
  const audited = s.auditRows.length ? sql`, audited AS (${auditInsert(s.auditRows, sql<boolean>`EXISTS (SELECT 1 FROM created)`)})` : sql``;
  return sql<{ created: boolean; duplicate_of: string | null }>`
    WITH duplicate AS (
      SELECT id FROM test_results
      WHERE pharmacy_id = ${s.pharmacyId}::uuid AND nir_index = ANY(${s.idx.nir_index ? s.nirIndexesHeld : []}::text[])
        AND loinc = ${s.idx.loinc} AND collected_minute = ${s.idx.collected_minute}::timestamptz
      LIMIT 1
    ), claimed AS (
      INSERT INTO idempotency_keys (pharmacy_id, key, fingerprint, blind_index_version, result_id, response)
      SELECT ${s.pharmacyId}::uuid, ${s.key}::uuid, ${s.fingerprint.value}, ${s.fingerprint.version}::int, ${s.id}::uuid, ${JSON.stringify(s.answer)}::jsonb
      WHERE NOT EXISTS (SELECT 1 FROM duplicate)
      ON CONFLICT (pharmacy_id, key) DO NOTHING
      RETURNING result_id
    ), created AS (
      INSERT INTO test_results (id, pharmacy_id, status, sealed, data_key_id, nir_index, nir_index_scheme, external_ref_index, blind_index_version, loinc, collected_minute)
      SELECT result_id, ${s.pharmacyId}::uuid, 'received', ${s.sealed}::bytea, ${s.dataKeyId}::uuid, ${s.idx.nir_index}::text, ${s.idx.nir_index_scheme}, ${s.idx.external_ref_index}::text,
        ${s.idx.blind_index_version}::int, ${s.idx.loinc}, ${s.idx.collected_minute}::timestamptz
      FROM claimed
      RETURNING id
    ), enqueued AS (
      INSERT INTO outbox_messages (id, result_id, kind) SELECT ${s.messageId}::uuid, id, 'original' FROM created
    ), counted AS (${countReceived(s.pharmacyId, s.outcome, sql<boolean>`EXISTS (SELECT 1 FROM created)`)}
    )${audited}
    SELECT EXISTS (SELECT 1 FROM created) AS created, (SELECT id FROM duplicate) AS duplicate_of`;
}

/**
 * Accepts a result: runs {@link submissionStatement} and returns when the result is committed;
 * throws `KeyTaken` when another request holds the key, `DuplicateResult` for a live result of
 * the same person, test and minute.
 * @example await acceptSubmission(db, { id, pharmacyId, key, fingerprint, answer, sealed, dataKeyId, idx, outcome, nirIndexesHeld, messageId, auditRows });
 */
export async function acceptSubmission(db: Database, s: Submission): Promise<void> {
  let outcome: { created: boolean; duplicate_of: string | null } | undefined;
  try {
    outcome = (await submissionStatement(s).execute(db)).rows[0];
  } catch (e) {
    if (violatesDuplicateIndex(e)) {
      // two requests with different keys raced for the same person, test and minute
      const existing = await findDuplicate(db, s.pharmacyId, s.idx, s.nirIndexesHeld);
      if (existing) throw new DuplicateResult(existing);
    }
    throw e;
  }
  if (outcome?.created) return;
  throw outcome?.duplicate_of ? new DuplicateResult(outcome.duplicate_of) : new KeyTaken();
}
