import { sql } from 'kysely';
import type { Database } from '../db/index.js';
import { dataKeyContext, webhookSecretContext } from './data-keys.js';
import type { KeyManager } from './key-manager.js';

/** The KEK version in a wrapped key's text (`vault:v3:…` → 3); matches migration 0005's index. */
const kekVersion = sql<number>`substring(wrapped from '^[a-z]+:v([0-9]+):')::integer`;
/** The same, of a webhook endpoint's sealed secret column (null for an empty previous slot). */
const secretVersion = (column: 'secret_current' | 'secret_previous') => sql<number | null>`substring(${sql.ref(column)} from '^[a-z]+:v([0-9]+):')::integer`;

/** Stored data keys, and the sealed records under them, per KEK version. */
export interface KekVersionUse {
  version: number;
  dataKeys: number;
  /** Results still holding ciphertext under a data key of this version. */
  records: number;
}

/**
 * How many data keys and sealed records each KEK version protects, oldest first: what
 * `keys status` prints and the `gateway_records_per_key_version` metric exports.
 *
 * @example
 * const use = await kekVersionsInUse(db); // [{ version: 1, dataKeys: 12, records: 3400 }, …]
 */
export async function kekVersionsInUse(db: Database): Promise<KekVersionUse[]> {
  const rows = await db
    .selectFrom('data_keys')
    .leftJoin('test_results', 'test_results.data_key_id', 'data_keys.id')
    .select([
      sql<number>`substring(data_keys.wrapped from '^[a-z]+:v([0-9]+):')::integer`.as('version'),
      sql<string>`count(DISTINCT data_keys.id)`.as('data_keys'),
      sql<string>`count(test_results.id)`.as('records'),
    ])
    .groupBy('version')
    .orderBy('version')
    .execute();
  return rows.map((r) => ({ version: Number(r.version), dataKeys: Number(r.data_keys), records: Number(r.records) }));
}

export interface RewrapOptions {
  /** Data keys per Transit batch `rewrap` call; default 100. */
  batchSize?: number;
  /** After each batch: data keys rewrapped so far, and how many were below the current version. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Whether a run that leaves no key below the current version records when (`kek_rewraps`, what
   * `keys retire` relies on); default true. The web process runs as the runtime role, which may
   * not write that record (a forged early one would shred dumps still inside backup retention).
   */
  recordCompletion?: boolean;
}

/**
 * Webhook endpoint secrets (both slots, removed endpoints included) still sealed below `version`:
 * once `keys retire` drops it they would no longer open and the endpoint's callbacks would stop.
 */
export async function webhookSecretsBelow(db: Database, version: number): Promise<number> {
  const { n } = await db
    .selectFrom('webhook_endpoints')
    .select(sql<string>`count(*) FILTER (WHERE ${secretVersion('secret_current')} < ${version}) + count(*) FILTER (WHERE ${secretVersion('secret_previous')} < ${version})`.as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}

/**
 * Rewraps every stored data key and every webhook endpoint secret (both slots) still under an
 * older KEK version to the current one, online, in batches. Resumable by construction: each
 * batch is committed, and a new run selects only keys still below the current version. A row
 * replaced meanwhile (a secret rotated, a key rewritten) is left for the next run. When none is
 * left below the current version, records when (the crypto-shredding boundary), unless
 * `recordCompletion` is false.
 *
 * @example
 * const { rewrapped } = await rewrapStoredDataKeys(db, keys, { onProgress: (d, t) => bar(d, t) });
 */
export async function rewrapStoredDataKeys(
  db: Database,
  keys: Pick<KeyManager, 'keyVersions' | 'rewrapDataKeys'>,
  { batchSize = 100, onProgress, recordCompletion = true }: RewrapOptions = {},
): Promise<{ rewrapped: number; webhookSecrets: number; current: number; remaining: number }> {
  const { current } = await keys.keyVersions();
  const below = db.selectFrom('data_keys').where(kekVersion, '<', current);
  const total = Number((await below.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  let done = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await below.select(['id', 'wrapped']).where('id', '>', after).orderBy('id').limit(batchSize).execute();
    if (rows.length === 0) break;
    const rewrapped = await keys.rewrapDataKeys(rows.map((row) => ({ wrapped: row.wrapped, context: dataKeyContext(row.id) })));
    await db.transaction().execute(async (tx) => {
      for (const [index, row] of rows.entries()) {
        await tx
          .updateTable('data_keys')
          .set({ wrapped: rewrapped[index] as string })
          .where('id', '=', row.id)
          .where('wrapped', '=', row.wrapped)
          .execute();
      }
    });
    done += rows.length;
    after = (rows.at(-1) as { id: string }).id;
    onProgress?.(done, total);
  }
  const webhookSecrets = await rewrapWebhookSecrets(db, keys, current, batchSize);
  // Rows replaced meanwhile (or added by a replica still sealing under the old version) remain.
  const remaining = Number((await below.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n) + (await webhookSecretsBelow(db, current));
  // The first record of a version stays: the earliest moment is the one backups are compared with.
  if (remaining === 0 && recordCompletion) await db.insertInto('kek_rewraps').values({ version: current }).onConflict((oc) => oc.column('version').doNothing()).execute();
  return { rewrapped: done, webhookSecrets, current, remaining };
}

/** Reseals the endpoint secrets below `current`, both slots of an endpoint together; how many were resealed. */
async function rewrapWebhookSecrets(db: Database, keys: Pick<KeyManager, 'rewrapDataKeys'>, current: number, batchSize: number): Promise<number> {
  let done = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await db
      .selectFrom('webhook_endpoints')
      .select(['id', 'secret_current', 'secret_previous'])
      .where((eb) => eb.or([eb(secretVersion('secret_current'), '<', current), eb(secretVersion('secret_previous'), '<', current)]))
      .where('id', '>', after)
      .orderBy('id')
      .limit(batchSize)
      .execute();
    if (rows.length === 0) break;
    const sealed = rows.flatMap((row) => [row.secret_current, ...(row.secret_previous ? [row.secret_previous] : [])].map((wrapped) => ({ wrapped, context: webhookSecretContext(row.id) })));
    const resealed = await keys.rewrapDataKeys(sealed);
    let next = 0;
    await db.transaction().execute(async (tx) => {
      for (const row of rows) {
        const secretCurrent = resealed[next++] as string;
        const secretPrevious = row.secret_previous ? (resealed[next++] as string) : null;
        // a rotation meanwhile wrote a new pair: it is sealed under the current version already
        await tx
          .updateTable('webhook_endpoints')
          .set({ secret_current: secretCurrent, secret_previous: secretPrevious })
          .where('id', '=', row.id)
          .where('secret_current', '=', row.secret_current)
          .where(sql<boolean>`secret_previous IS NOT DISTINCT FROM ${row.secret_previous}`)
          .execute();
      }
    });
    done += sealed.length;
    after = (rows.at(-1) as { id: string }).id;
  }
  return done;
}

/**
 * Deletes the wrapped data keys of windows that are over (plus the 5-minute cache life, so no
 * replica still seals under one) and whose every result was purged: the crypto-shredding step
 * of the purge. Returns how many were deleted.
 *
 * @example
 * await deleteShreddableDataKeys(db, { windowMs: 3_600_000 });
 */
export async function deleteShreddableDataKeys(db: Database, { windowMs, now = new Date() }: { windowMs: number; now?: Date }): Promise<number> {
  const closedBefore = new Date(now.getTime() - windowMs - 5 * 60_000);
  const deleted = await db
    .deleteFrom('data_keys')
    .where(sql<Date>`key_window::timestamptz`, '<', closedBefore)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('test_results').select('test_results.id').whereRef('test_results.data_key_id', '=', 'data_keys.id'))),
    )
    .executeTakeFirst();
  return Number(deleted.numDeletedRows);
}
