import type { Database } from '../../db/index.js';
import { DecryptionFailed } from '../../errors.js';
import type { TestResultInput } from '../index.js';
import type { ResultSealer } from './sealer.js';
import { indexColumns, violatesDuplicateIndex } from './indexes.js';

export interface ReindexOptions {
  /** Results opened and rewritten per batch; default 100. */
  batchSize?: number;
  /** Stop after this many results (a maintenance window); the next run continues. */
  stopAfter?: number;
  /** After each batch: results handled so far, and how many this run set out to handle. */
  onProgress?: (done: number, total: number) => void;
}

export interface ReindexOutcome {
  /** The blind-index key version every handled result is now indexed under, per pharmacy. */
  version: number;
  /** Results whose indexes were recomputed from their opened sealed document. */
  reindexed: number;
  /** Purged results (no ciphertext, nothing to recompute): only their version moved. */
  skipped: number;
  /** Sealed results that did not open (`DecryptionFailed`): left under their version, named by count only. */
  unreadable: number;
  /** Results still indexed under an older version or chain-wide: changed meanwhile, unreadable, or beyond `stopAfter`. */
  remaining: number;
}

/**
 * `gateway keys reindex`: recomputes the blind indexes (nir_index, external_ref_index) of every
 * result still indexed under an older blind-index key version or with a chain-wide NIR index
 * (`nir_index_scheme` 'chain'), under the sealer's newest version and per pharmacy, by opening
 * its sealed document. Batched and resumable by construction: each row is written on its own
 * (no lock beyond that row's, so intake goes on), and a run selects only rows still to move.
 *
 * An index the result no longer holds (cleared by a correction or cancellation) stays cleared;
 * a row changed meanwhile, or whose new index collides with a live duplicate indexed under the
 * other version, is left for `remaining`. Idempotency fingerprints cannot be recomputed (the
 * body is not stored): they keep their version and expire with their results.
 *
 * @example
 * const outcome = await reindexBlindIndexes(db, sealer, { onProgress: (d, t) => bar(d, t) });
 */
export async function reindexBlindIndexes(
  db: Database,
  sealer: Pick<ResultSealer<TestResultInput>, 'open' | 'blindIndex'>,
  { batchSize = 100, stopAfter = Number.MAX_SAFE_INTEGER, onProgress }: ReindexOptions = {},
): Promise<ReindexOutcome> {
  const { version } = sealer.blindIndex;
  const toMove = () =>
    db.selectFrom('test_results').where((eb) => eb.or([eb('blind_index_version', '<', version), eb('nir_index_scheme', '=', 'chain')]));
  const countToMove = async () => Number((await toMove().select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  const total = Math.min(await countToMove(), stopAfter);
  let done = 0;
  let reindexed = 0;
  let skipped = 0;
  let unreadable = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  while (done < total) {
    const rows = await toMove()
      .select(['id', 'pharmacy_id', 'sealed', 'data_key_id', 'nir_index', 'nir_index_scheme', 'external_ref_index', 'blind_index_version'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(Math.min(batchSize, total - done))
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      const { sealed, data_key_id: dataKeyId } = row;
      const opened = sealed && dataKeyId ? await sealer.open({ ...row, sealed, data_key_id: dataKeyId }).catch(unlessUnreadable) : undefined;
      if (opened === null) {
        unreadable += 1;
        continue;
      }
      const fresh = opened && indexColumns(opened.result, sealer.blindIndex, row.pharmacy_id);
      const moved = await db
        .updateTable('test_results')
        .set({
          // Without ciphertext (purged) there is nothing to index: no old-version value survives.
          nir_index: fresh && row.nir_index !== null ? fresh.nir_index : null,
          external_ref_index: fresh && row.external_ref_index !== null ? fresh.external_ref_index : null,
          blind_index_version: version,
          nir_index_scheme: 'pharmacy',
        })
        .where('id', '=', row.id)
        .where('blind_index_version', '=', row.blind_index_version)
        .where('nir_index_scheme', '=', row.nir_index_scheme)
        .where('nir_index', row.nir_index === null ? 'is' : '=', row.nir_index)
        .where('external_ref_index', row.external_ref_index === null ? 'is' : '=', row.external_ref_index)
        .executeTakeFirst()
        .then(
          (result) => result.numUpdatedRows === 1n,
          (error: unknown) => {
            if (violatesDuplicateIndex(error)) return false;
            throw error;
          },
        );
      if (moved && fresh) reindexed += 1;
      else if (moved) skipped += 1;
    }
    done += rows.length;
    after = (rows.at(-1) as { id: string }).id;
    onProgress?.(done, total);
  }
  return { version, reindexed, skipped, unreadable, remaining: await countToMove() };
}

/** A document that does not open is counted and left; any other failure (key manager down) stops the run. */
function unlessUnreadable(error: unknown): null {
  if (error instanceof DecryptionFailed) return null;
  throw error;
}
