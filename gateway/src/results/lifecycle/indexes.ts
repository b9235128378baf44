import type { BlindIndex } from '../../crypto/index.js';
import type { Database, Tx } from '../../db/index.js';
import type { TestResultInput } from '../index.js';

/** Columns that index a result without revealing it. */
export function indexColumns(input: TestResultInput, blindIndex: BlindIndex) {
  const minute = new Date(input.test.collectedAt);
  minute.setUTCSeconds(0, 0);
  return {
    nir_index: input.patient.nir ? blindIndex.nir(input.patient.nir) : null,
    external_ref_index: input.externalRef ? blindIndex.externalRef(input.externalRef) : null,
    blind_index_version: blindIndex.version,
    loinc: input.test.loinc,
    collected_minute: minute,
  };
}

export type IndexColumns = ReturnType<typeof indexColumns>;

/**
 * The NIR's index under every blind-index key version held: a result indexed before a key
 * rotation and not yet moved by `keys reindex` is still found as a duplicate.
 */
export function nirIndexes(input: TestResultInput, blindIndex: BlindIndex): string[] {
  const nir = input.patient.nir;
  return nir ? blindIndex.versions.map((held) => held.nir(nir)) : [];
}

/** The id of the live result of this pharmacy for the same person, test and collection minute. */
export async function findDuplicate(tx: Database | Tx, pharmacyId: string, idx: IndexColumns, nirIndexesHeld: readonly string[]): Promise<string | undefined> {
  if (!idx.nir_index || nirIndexesHeld.length === 0) return undefined;
  const row = await tx
    .selectFrom('test_results')
    .select('id')
    .where('pharmacy_id', '=', pharmacyId)
    .where('nir_index', 'in', nirIndexesHeld)
    .where('loinc', '=', idx.loinc)
    .where('collected_minute', '=', idx.collected_minute)
    .executeTakeFirst();
  return row?.id;
}

/** Whether a write failed on `test_results_duplicate`: one live result per person, test and minute. */
export function violatesDuplicateIndex(e: unknown): boolean {
  const err = e as { code?: string; constraint?: string };
  return err?.code === '23505' && err.constraint === 'test_results_duplicate';
}
