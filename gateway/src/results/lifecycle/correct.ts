import { sql } from 'kysely';
import { appendAudit, type AuditEvent } from '../../audit/index.js';
import type { Database, Tx } from '../../db/index.js';
import { NotFound, ResultNotModifiable } from '../../errors.js';
import { recordResultCallbacks } from './callbacks.js';
import { enqueueMessage } from './enqueue.js';
import { claimKey, KeyTaken, type AcceptedAnswer, type RequestFingerprint } from './idempotency.js';
import { findDuplicate, type IndexColumns } from './indexes.js';
import { addReceived, removeCounted } from './outcome-counts.js';
import type { ResultOutcome } from '../codes.js';

/** A correction or cancellation of a pharmacy's own result, claiming its idempotency key. */
interface Change {
  pharmacyId: string;
  /** The result changed: a lower-case UUID. */
  originalId: string;
  key: string;
  fingerprint: RequestFingerprint;
  answer: AcceptedAnswer;
  audit: AuditEvent;
  /** Opens the result changed, for what the statistics counted it as. */
  outcomeOf: (row: SealedRow) => Promise<ResultOutcome>;
}

/** A result row as the sealer opens it. */
export interface SealedRow {
  id: string;
  pharmacy_id: string;
  sealed: Buffer;
  data_key_id: string;
}

export interface Correction extends Change {
  corrected: { id: string; sealed: Buffer; dataKeyId: string; idx: IndexColumns; outcome: ResultOutcome; nirIndexesHeld: readonly string[] };
}

/** A cancellation's answer id also names its message, when SI-DEP may already hold the result. */
export type Cancellation = Change;

/**
 * Locks the original's latest message, then the original; only the owner's live, unpurged results
 * qualify. The relay's order (its claim and settle lock a message, then its result): the other way
 * round, a correction and a claim of the same result deadlocked and one of them was aborted.
 */
async function lockOriginal(tx: Tx, pharmacyId: string, id: string) {
  const message = await tx
    .selectFrom('outbox_messages')
    .select(['id', 'state', 'lease_until', 'kind'])
    .where('result_id', '=', id)
    .orderBy('created_at', 'desc')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
  const original = await tx
    .selectFrom('test_results')
    .select(['id', 'pharmacy_id', 'status', 'superseded_by', 'purged_at', 'nir_index', 'sealed', 'data_key_id', 'outcome_counted'])
    .where('id', '=', id)
    .where('pharmacy_id', '=', pharmacyId)
    .forUpdate()
    .executeTakeFirst();
  if (!original || !message) throw new NotFound();
  if (original.purged_at || original.superseded_by || original.status === 'cancelled') throw new ResultNotModifiable();
  if (message.kind === 'cancellation') throw new ResultNotModifiable();
  // SI-DEP has never seen it (or refused it): it can simply be withdrawn
  const withdrawable = (message.state === 'pending' && (!message.lease_until || message.lease_until < new Date())) || message.state === 'dead';
  return { original, message, withdrawable };
}

type Original = Awaited<ReturnType<typeof lockOriginal>>['original'];

/** Takes the result changed out of the outcome counts, unless it was received before they were kept. */
async function uncount(tx: Tx, c: Change, original: Original): Promise<void> {
  // an unpurged result (lockOriginal refuses others) holds its sealed text and key id
  if (!original.outcome_counted || !original.sealed || !original.data_key_id) return;
  const outcome = await c.outcomeOf({ id: original.id, pharmacy_id: original.pharmacy_id, sealed: original.sealed, data_key_id: original.data_key_id });
  await removeCounted(tx, { id: original.id, pharmacyId: c.pharmacyId }, outcome);
}

function withdraw(tx: Tx, messageId: string) {
  return tx.updateTable('outbox_messages').set({ state: 'superseded', updated_at: sql`now()` }).where('id', '=', messageId).execute();
}

/**
 * Replaces a result by its correction, in one transaction. One SI-DEP may already hold gets the
 * correction as a new message delivered after it; one it never received is withdrawn and the
 * corrected result sent as an original. Throws `KeyTaken` when another request holds the key.
 */
export async function correctResult(db: Database, c: Correction): Promise<void> {
  const { corrected } = c;
  await db.transaction().execute(async (tx) => {
    if (!(await claimKey(tx, { ...c, resultId: corrected.id }))) throw new KeyTaken();
    const { original, message, withdrawable } = await lockOriginal(tx, c.pharmacyId, c.originalId);
    if (withdrawable) await withdraw(tx, message.id);
    // the corrected result takes over the duplicate-detection slot
    await tx
      .updateTable('test_results')
      .set({ nir_index: null, ...(withdrawable && original.status !== 'dead-lettered' ? { status: 'cancelled' as const, cancelled_at: sql<Date>`now()` } : {}), updated_at: sql`now()` })
      .where('id', '=', original.id)
      .execute();
    if (await findDuplicate(tx, c.pharmacyId, corrected.idx, corrected.nirIndexesHeld)) throw new ResultNotModifiable();
    await tx
      .insertInto('test_results')
      .values({ id: corrected.id, pharmacy_id: c.pharmacyId, status: 'received', corrects: original.id, superseded_by: null, sealed: corrected.sealed, data_key_id: corrected.dataKeyId, ...corrected.idx, sidep_ack_id: null, problem_code: null })
      .execute();
    await tx.updateTable('test_results').set({ superseded_by: corrected.id }).where('id', '=', original.id).execute();
    await uncount(tx, c, original);
    await addReceived(tx, c.pharmacyId, corrected.outcome);
    await enqueueMessage(tx, withdrawable ? { resultId: corrected.id, kind: 'original' } : { resultId: corrected.id, kind: 'correction', dependsOn: message.id });
    await appendAudit(tx, [c.audit]);
  });
}

/**
 * Cancels a result, in one transaction: withdrawn at once if SI-DEP never received it (the
 * answer then says `cancelled`), else by a cancellation message delivered after the original.
 * Throws `KeyTaken` when another request holds the key.
 */
export async function cancelResult(db: Database, c: Cancellation): Promise<AcceptedAnswer> {
  const answer = { ...c.answer };
  await db.transaction().execute(async (tx) => {
    // the key first: a concurrent retry waits here and then replays, instead of finding the result cancelled
    if (!(await claimKey(tx, { ...c, resultId: c.originalId }))) throw new KeyTaken();
    const { original, message, withdrawable } = await lockOriginal(tx, c.pharmacyId, c.originalId);
    // out of the counts now, even when SI-DEP has yet to take the cancellation
    await uncount(tx, c, original);
    if (withdrawable) {
      answer.status = 'cancelled';
      await withdraw(tx, message.id);
      await tx.updateTable('test_results').set({ status: 'cancelled', cancelled_at: sql`now()`, nir_index: null, updated_at: sql`now()` }).where('id', '=', original.id).execute();
      await recordResultCallbacks(tx, 'result.cancelled', [original.id]);
      await tx.updateTable('idempotency_keys').set({ response: JSON.stringify(answer) }).where('pharmacy_id', '=', c.pharmacyId).where('key', '=', c.key).execute();
    } else {
      await enqueueMessage(tx, { id: answer.id, resultId: original.id, kind: 'cancellation', dependsOn: message.id });
    }
    await appendAudit(tx, [c.audit]);
  });
  return answer;
}
