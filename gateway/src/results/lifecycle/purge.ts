import { sql } from 'kysely';
import type { Database, Tx } from '../../db/index.js';
import { appendAudit, type AuditEvent } from '../../audit/index.js';
import { deleteShreddableDataKeys } from '../../keys/index.js';
import { recordResultCallbacks } from './callbacks.js';
import { RESULT_RETENTION, type SettledStatus } from './statuses.js';

/** The settings a purge honours: `retention.*` and the data-key window (`keyManager.dataKeyWindowMinutes`). */
export interface PurgeSettings {
  retention: { deliveredDays: number; deadLetteredDays: number };
  keyManager: { dataKeyWindowMinutes: number };
}

export interface PurgeOutcome {
  /** Results whose personal data was destroyed. */
  results: number;
  /** Wrapped data keys deleted (crypto-shredding). */
  dataKeys: number;
}

/**
 * Results per purge transaction. Small, so that each transaction is short: its row locks and its
 * transaction id (the audit sealer seals only below the oldest one in flight) never hold intake
 * back, and its deletes by id stay index probes however large the tables (a thousand ids were
 * planned as a scan of `idempotency_keys` at 100,000 rows).
 */
const BATCH = 100;
/**
 * Between batches the purge waits this many times as long as the batch took: it takes at most a
 * quarter of the database's time, so intake's commits do not queue behind its writes (unpaced, at
 * 1 million results it quadrupled intake's p99). A quarter still purges hundreds of results a second.
 */
const PAUSE_PER_BATCH_TIME = 3;
const DAY_MS = 86_400_000;

/**
 * Destroys the personal data of settled results past retention (`RESULT_RETENTION`: delivered or
 * cancelled after `deliveredDays`, dead-lettered after `deadLetteredDays`; at once for an
 * offboarded pharmacy). The ciphertext, the
 * blind indexes and the idempotency records (an HMAC of the body) go; a receipt stays: id,
 * pharmacy, timestamps, status, SI-DEP acknowledgement. A result with a message still waiting
 * (a correction or cancellation to deliver) is kept until that message settles. Then
 * crypto-shredding: the wrapped data keys of closed windows whose every result is purged go
 * too, so a dump taken earlier no longer opens them once their KEK version is retired. What
 * `gateway purge` runs, and the gateway every `retention.purgeIntervalSeconds`.
 * @example const { results, dataKeys } = await purgeExpired(db, settings);
 */
export async function purgeExpired(db: Database, settings: PurgeSettings, now: Date = new Date()): Promise<PurgeOutcome> {
  let results = 0;
  for (;;) {
    const started = performance.now();
    const purged = await purgeBatch(db, settings.retention, now);
    results += purged;
    if (purged < BATCH) break;
    await new Promise((r) => setTimeout(r, (performance.now() - started) * PAUSE_PER_BATCH_TIME));
  }
  const dataKeys = await deleteShreddableDataKeys(db, { windowMs: settings.keyManager.dataKeyWindowMinutes * 60_000, now });
  return { results, dataKeys };
}

async function purgeBatch(db: Database, retention: PurgeSettings['retention'], now: Date): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const due = await tx
      .selectFrom('test_results as r')
      .select(['r.id', 'r.status'])
      .where('r.purged_at', 'is', null)
      .where((eb) =>
        eb.or([
          ...(Object.keys(RESULT_RETENTION) as SettledStatus[]).map((status) =>
            eb.and([eb('r.status', '=', status), eb('r.updated_at', '<', daysBefore(now, retention[RESULT_RETENTION[status]]))]),
          ),
          // a pharmacy that left the chain (`gateway pharmacy offboard`): settled is due, retention or not
          eb.and([
            eb('r.status', 'in', Object.keys(RESULT_RETENTION) as SettledStatus[]),
            eb.exists(eb.selectFrom('pharmacies as p').select('p.id').whereRef('p.id', '=', 'r.pharmacy_id').where('p.offboarded_at', 'is not', null)),
          ]),
        ]),
      )
      .where((eb) => eb.not(eb.exists(eb.selectFrom('outbox_messages as m').select('m.id').whereRef('m.result_id', '=', 'r.id').where('m.state', '=', 'pending'))))
      .limit(BATCH)
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length === 0) return 0;
    await destroyPersonalData(tx, due.map((r) => ({ id: r.id, actor: PURGE_ACTOR, reason: r.status })));
    return due.length;
  });
}

const PURGE_ACTOR: AuditEvent['actor'] = { type: 'system', id: 'purge' };

/**
 * Destroys the personal data of these results now, in the caller's transaction, each audited as
 * `result.purge` by its actor with its reason (a code): the ciphertext, the blind indexes and the
 * idempotency records go, the receipt stays. The caller has locked the rows and checked that no
 * message of theirs is pending. What the retention purge and a data subject's erasure both run.
 * @example await destroyPersonalData(tx, [{ id, actor, reason: 'erasure' }]);
 */
export async function destroyPersonalData(tx: Tx, results: readonly { id: string; actor: AuditEvent['actor']; reason: string }[]): Promise<void> {
  if (results.length === 0) return;
  const ids = results.map((r) => r.id);
  await tx.deleteFrom('idempotency_keys').where('result_id', 'in', ids).execute();
  await tx
    .updateTable('test_results')
    .set({ sealed: null, data_key_id: null, nir_index: null, external_ref_index: null, loinc: null, collected_minute: null, purged_at: sql`now()` })
    .where('id', 'in', ids)
    .execute();
  await recordResultCallbacks(tx, 'result.purged', ids);
  await appendAudit(tx, results.map((r) => ({ actor: r.actor, action: 'result.purge', object: { type: 'test-result', id: r.id }, outcome: 'success' as const, reason: r.reason })));
}

/**
 * When the purge will destroy the personal data of the first dead-lettered result still holding
 * it (`deadLetteredDays` after it was dead-lettered), or `undefined` when none waits: the warning
 * before a dead letter nobody redrove loses its data. One index read (`test_results_purgeable`).
 * @example const at = await nextDeadLetterPurge(db, settings.retention);
 */
export async function nextDeadLetterPurge(db: Database, retention: Pick<PurgeSettings['retention'], 'deadLetteredDays'>): Promise<Date | undefined> {
  const row = await db
    .selectFrom('test_results')
    .select((eb) => eb.fn.min('updated_at').as('at'))
    .where('status', '=', 'dead-lettered')
    .where('purged_at', 'is', null)
    .executeTakeFirst();
  return row?.at ? new Date(new Date(row.at).getTime() + retention.deadLetteredDays * DAY_MS) : undefined;
}

function daysBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY_MS);
}
