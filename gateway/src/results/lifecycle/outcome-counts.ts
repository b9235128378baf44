import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../db/index.js';
import type { ResultOutcome } from '../codes.js';

/** A result's Europe/Paris day of receipt: the statistics' day. */
const parisDayOf = (receivedAt: RawBuilder<unknown>) => sql`(${receivedAt} AT TIME ZONE 'Europe/Paris')::date`;

/**
 * The insert that counts one result received now, for the statement that writes it: +1 to the
 * pharmacy's count of `outcome` today, if `when` holds (by default, always).
 */
export function countReceived(pharmacyId: string, outcome: ResultOutcome, when: RawBuilder<boolean> = sql<boolean>`true`) {
  return sql`INSERT INTO result_outcome_counts AS c (pharmacy_id, day, outcome, n)
    SELECT ${pharmacyId}::uuid, ${parisDayOf(sql`now()`)}, ${outcome}, 1 WHERE ${when}
    ON CONFLICT (pharmacy_id, day, outcome) DO UPDATE SET n = c.n + 1`;
}

/** Counts a result received now, in the transaction that writes it. */
export async function addReceived(tx: Tx, pharmacyId: string, outcome: ResultOutcome): Promise<void> {
  await countReceived(pharmacyId, outcome).execute(tx);
}

/**
 * Takes a counted result out of its day's count (a correction or cancellation replaced it), in
 * the transaction that does so.
 */
export async function removeCounted(tx: Tx, original: { id: string; pharmacyId: string }, outcome: ResultOutcome): Promise<void> {
  await sql`UPDATE result_outcome_counts c SET n = c.n - 1
    FROM test_results r
    WHERE r.id = ${original.id}::uuid
      AND c.pharmacy_id = ${original.pharmacyId}::uuid AND c.day = ${parisDayOf(sql`r.received_at`)} AND c.outcome = ${outcome}`.execute(tx);
}
