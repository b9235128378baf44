import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../db/index.js';
import type { ResultOutcome } from '../codes.js';

/** A result's Europe/Paris day of receipt: the statistics' day. */
const parisDayOf = (receivedAt: RawBuilder<unknown>) => sql`(${receivedAt} AT TIME ZONE 'Europe/Paris')::date`;

/**
 * The slot a transaction adds to, at random: concurrent intakes of one pharmacy on one day then
 * seldom wait on the same row (the table's 8 slots, summed when read).
 */
const anySlot = sql`floor(random() * 8)::smallint`;

/**
 * The insert that counts one result received now, for the statement that writes it: +1 to the
 * pharmacy's count of `outcome` today, in one of its slots, if `when` holds (by default, always).
 */
export function countReceived(pharmacyId: string, outcome: ResultOutcome, when: RawBuilder<boolean> = sql<boolean>`true`) {
  return sql`INSERT INTO result_outcome_counts AS c (pharmacy_id, day, outcome, slot, n)
    SELECT ${pharmacyId}::uuid, ${parisDayOf(sql`now()`)}, ${outcome}, ${anySlot}, 1 WHERE ${when}
    ON CONFLICT (pharmacy_id, day, outcome, slot) DO UPDATE SET n = c.n + 1`;
}

/** Counts a result received now, in the transaction that writes it. */
export async function addReceived(tx: Tx, pharmacyId: string, outcome: ResultOutcome): Promise<void> {
  await countReceived(pharmacyId, outcome).execute(tx);
}

/**
 * Takes a counted result out of its day's count (a correction or cancellation replaced it), in
 * the transaction that does so: one from the fullest slot. A slot another transaction emptied
 * meanwhile fails the lock's recheck of `n > 0`, and the next one is taken.
 */
export async function removeCounted(tx: Tx, original: { id: string; pharmacyId: string }, outcome: ResultOutcome): Promise<void> {
  await sql`UPDATE result_outcome_counts c SET n = c.n - 1
    WHERE (c.pharmacy_id, c.day, c.outcome, c.slot) = (
      SELECT s.pharmacy_id, s.day, s.outcome, s.slot FROM result_outcome_counts s
      JOIN test_results r ON r.id = ${original.id}::uuid
      WHERE s.pharmacy_id = ${original.pharmacyId}::uuid AND s.day = ${parisDayOf(sql`r.received_at`)} AND s.outcome = ${outcome} AND s.n > 0
      ORDER BY s.n DESC
      LIMIT 1
      FOR UPDATE OF s)`.execute(tx);
}
