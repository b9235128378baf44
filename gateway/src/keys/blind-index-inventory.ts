import type { Database } from '../db/index.js';

/** Results and idempotency keys indexed under one blind-index key version. */
export interface BlindIndexVersionUse {
  version: number;
  results: number;
  idempotencyKeys: number;
}

/**
 * How many results and idempotency keys each blind-index key version indexes, oldest first:
 * what `keys status` prints and `keys retire-blind-index` checks.
 *
 * @example
 * const use = await blindIndexVersionsInUse(db); // [{ version: 1, results: 3400, idempotencyKeys: 3400 }]
 */
export async function blindIndexVersionsInUse(db: Database): Promise<BlindIndexVersionUse[]> {
  const [results, keys] = await Promise.all(
    (['test_results', 'idempotency_keys'] as const).map((table) =>
      db
        .selectFrom(table)
        .select((eb) => ['blind_index_version', eb.fn.countAll<string>().as('n')])
        .groupBy('blind_index_version')
        .execute(),
    ),
  );
  const use = new Map<number, BlindIndexVersionUse>();
  const entry = (version: number) => use.get(version) ?? use.set(version, { version, results: 0, idempotencyKeys: 0 }).get(version)!;
  for (const row of results ?? []) entry(row.blind_index_version).results = Number(row.n);
  for (const row of keys ?? []) entry(row.blind_index_version).idempotencyKeys = Number(row.n);
  return [...use.values()].sort((a, b) => a.version - b.version);
}
