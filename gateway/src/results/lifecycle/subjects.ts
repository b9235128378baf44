import type { AuditEvent } from '../../audit/index.js';
import type { Database, Tx } from '../../db/index.js';
import type { TestResultInput } from '../index.js';
import { isUuid } from '../../uuid.js';
import { nirIndexesForChain } from './indexes.js';
import { destroyPersonalData } from './purge.js';
import type { ResultSealer } from './sealer.js';
import { RESULT_RETENTION, type ResultStatus } from './statuses.js';

/** A person tested: by NIR, or, without one, by the id of a result on their receipt. */
export type DataSubject = { nir: string } | { resultId: string };

/** One of a person's results as the data protection officer sees it: no personal value. */
export interface SubjectResult {
  id: string;
  finess: string;
  status: ResultStatus;
  receivedAt: Date;
  updatedAt: Date;
  deliveredAt: Date | null;
  purgedAt: Date | null;
}

/**
 * The person's results across the chain, oldest first: those whose NIR index matches one of
 * `nirIndexesForChain` (every pharmacy, every blind-index key version held). By result id, that
 * result and, when it still holds a NIR (opened through the sealer: indexes differ between
 * pharmacies), the person's other results. An id that is no UUID or names no result finds nothing.
 * @example const results = await findSubjectResults(db, sealer, { nir });
 */
export async function findSubjectResults(db: Database | Tx, sealer: ResultSealer<TestResultInput>, subject: DataSubject): Promise<SubjectResult[]> {
  const query = db
    .selectFrom('test_results as r')
    .innerJoin('pharmacies as p', 'p.id', 'r.pharmacy_id')
    .select(['r.id', 'p.finess', 'r.status', 'r.received_at as receivedAt', 'r.updated_at as updatedAt', 'r.delivered_at as deliveredAt', 'r.purged_at as purgedAt'])
    .orderBy('r.received_at')
    .orderBy('r.id');
  const nir = 'nir' in subject ? subject.nir : await nirOfResult(db, sealer, subject.resultId);
  if (nir === undefined) return 'resultId' in subject && isUuid(subject.resultId) ? query.where('r.id', '=', subject.resultId).execute() : [];
  const indexes = await nirIndexesForChain(db, sealer.blindIndex, nir);
  const named = 'resultId' in subject ? subject.resultId : undefined;
  return query.where((eb) => (named ? eb.or([eb('r.nir_index', 'in', indexes), eb('r.id', '=', named)]) : eb('r.nir_index', 'in', indexes))).execute();
}

/** The NIR a result was submitted with, while it still holds its data; undefined otherwise. */
async function nirOfResult(db: Database | Tx, sealer: ResultSealer<TestResultInput>, id: string): Promise<string | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db.selectFrom('test_results').select(['id', 'pharmacy_id', 'sealed', 'data_key_id']).where('id', '=', id).executeTakeFirst();
  if (!row?.sealed || !row.data_key_id) return undefined;
  const { result } = await sealer.open({ id: row.id, pharmacy_id: row.pharmacy_id, sealed: row.sealed, data_key_id: row.data_key_id });
  return result.patient.nir ?? undefined;
}

/** Why a result of the person was not erased. */
export type ErasureRefusal = 'delivery-pending' | 'already-purged';

export interface ErasureOutcome {
  erased: string[];
  /** Still on its way to SI-DEP (reporting is a legal obligation), or with a correction or cancellation to deliver; or purged before. */
  kept: { id: string; why: ErasureRefusal }[];
}

/**
 * Destroys now, as the retention purge does, the personal data of these results whose delivery
 * is settled (delivered, cancelled, dead-lettered, no message pending); each is audited as
 * `result.purge` by the actor with the reason. The others are kept and said why: SI-DEP
 * reporting is a legal obligation, so a result still to report is erased once it settles.
 * @example const { erased, kept } = await eraseSubjectResults(db, ids, { actor, reason: 'erasure' });
 */
export async function eraseSubjectResults(db: Database, ids: readonly string[], o: { actor: AuditEvent['actor']; reason: string }): Promise<ErasureOutcome> {
  if (ids.length === 0) return { erased: [], kept: [] };
  return db.transaction().execute(async (tx) => {
    const rows = await tx
      .selectFrom('test_results as r')
      .select(['r.id', 'r.status', 'r.purged_at'])
      .select((eb) => eb.exists(eb.selectFrom('outbox_messages as m').select('m.id').whereRef('m.result_id', '=', 'r.id').where('m.state', '=', 'pending')).as('pending'))
      .where('r.id', 'in', [...ids])
      .orderBy('r.id')
      .forUpdate()
      .execute();
    const kept: ErasureOutcome['kept'] = [];
    const erasable: string[] = [];
    for (const r of rows) {
      if (r.purged_at !== null) kept.push({ id: r.id, why: 'already-purged' });
      else if (!Object.hasOwn(RESULT_RETENTION, r.status) || r.pending) kept.push({ id: r.id, why: 'delivery-pending' });
      else erasable.push(r.id);
    }
    await destroyPersonalData(tx, erasable.map((id) => ({ id, actor: o.actor, reason: o.reason })));
    return { erased: erasable, kept };
  });
}
