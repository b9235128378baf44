import type { BlindIndex } from '../../crypto/index.js';
import type { Database, Tx } from '../../db/index.js';
import type { TestResultInput } from '../index.js';

/** Columns that index a result of this pharmacy without revealing it. */
export function indexColumns(input: TestResultInput, blindIndex: BlindIndex, pharmacyId: string) {
  const minute = new Date(input.test.collectedAt);
  minute.setUTCSeconds(0, 0);
  return {
    nir_index: input.patient.nir ? blindIndex.nir(pharmacyId, input.patient.nir) : null,
    nir_index_scheme: 'pharmacy' as const,
    external_ref_index: input.externalRef ? blindIndex.externalRef(input.externalRef) : null,
    blind_index_version: blindIndex.version,
    loinc: input.test.loinc,
    collected_minute: minute,
  };
}

export type IndexColumns = ReturnType<typeof indexColumns>;

/**
 * The values a row of this pharmacy for the NIR may hold in `nir_index`: its per-pharmacy index,
 * and its chain-wide index from before per-pharmacy indexes (until `keys reindex` converts the
 * row), each under every blind-index key version held (until `keys reindex` moves the row after
 * a rotation).
 */
function nirIndexesAt(blindIndex: BlindIndex, pharmacyIds: readonly string[], nir: string): string[] {
  return blindIndex.versions.flatMap((held) => [...pharmacyIds.map((id) => held.nir(id, nir)), held.chainNir(nir)]);
}

/** The NIR's indexes to match for a duplicate at this pharmacy (`nirIndexesAt`). */
export function nirIndexes(input: TestResultInput, blindIndex: BlindIndex, pharmacyId: string): string[] {
  const nir = input.patient.nir;
  return nir ? nirIndexesAt(blindIndex, [pharmacyId], nir) : [];
}

/**
 * The NIR's index values to match across the chain (`nir_index = ANY(...)`), for looking a person
 * up at every pharmacy: one per pharmacy and key version held, plus the chain-wide form of rows
 * not yet converted. One query lists the pharmacies; the HMACs are computed in memory (a chain
 * of 1,000 pharmacies costs 1,000 HMACs per key version held, 2,000 during a rotation: tens of
 * milliseconds).
 *
 * @example
 * const indexes = await nirIndexesForChain(db, blindIndex, nir);
 * const rows = await db.selectFrom('test_results').select('id').where('nir_index', '=', sql<string>`ANY(${indexes}::text[])`).execute();
 */
export async function nirIndexesForChain(db: Database | Tx, blindIndex: BlindIndex, nir: string): Promise<string[]> {
  const pharmacies = await db.selectFrom('pharmacies').select('id').execute();
  return nirIndexesAt(blindIndex, pharmacies.map((p) => p.id), nir);
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
