import { sql } from 'kysely';
import { appendAudit, type AuditEvent } from '../audit/index.js';
import type { Database } from '../db/index.js';
import { nextStreak, opensCircuit, type ContractCircuitSettings } from './contract-streak.js';

/**
 * The relay's circuit for SI-DEP contract changes, in the database so that every replica sees it
 * and a restart keeps it (migration 0012): the streak of consecutive refusals with one
 * signature, and the pauses (times the circuit was open). While a pause is open no replica sends;
 * it closes on `gateway outbox resume` or when a gateway of a later contract version starts.
 */

/** An open circuit: since when, for which refusal signature, opened under which contract version. */
export interface ContractPause {
  id: string;
  signature: string;
  contractVersion: string;
  openedAt: Date;
}

/** The circuit as the relay polls it. */
export interface ContractCircuitState {
  open: ContractPause | undefined;
  /** Refusals are being counted: the next acceptance must end the streak. */
  streaking: boolean;
}

const pauseColumns = ['id', 'signature', 'contract_version as contractVersion', 'opened_at as openedAt'] as const;

function openPause(db: Database) {
  return db.selectFrom('sidep_contract_pauses').select(pauseColumns).where('closed_at', 'is', null).executeTakeFirst();
}

export async function readContractCircuit(db: Database): Promise<ContractCircuitState> {
  const [open, streak] = await Promise.all([openPause(db), db.selectFrom('sidep_contract_streak').select('refusals').executeTakeFirst()]);
  return { open, streaking: (streak?.refusals ?? 0) > 0 };
}

/**
 * Counts one refusal with `signature` (refusals serialise on the streak's row) and opens the
 * circuit when the streak reaches `settings.refusals`. Returns the open pause, if any, and when
 * the streak began: the dead letters of that signature since then are the contract's doing.
 */
export async function recordRefusal(
  db: Database,
  o: { signature: string; contractVersion: string; settings: ContractCircuitSettings },
): Promise<{ open: ContractPause | undefined; opened: boolean; streakStartedAt: Date }> {
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('sidep_contract_streak')
      .select(['signature', 'refusals', 'started_at as startedAt', sql<Date>`now()`.as('now')])
      .forUpdate()
      .executeTakeFirstOrThrow();
    const streak = nextStreak(row, o.signature, row.now, o.settings);
    await tx.updateTable('sidep_contract_streak').set({ signature: streak.signature, refusals: streak.refusals, started_at: streak.startedAt }).execute();
    const open = await openPause(tx);
    if (open !== undefined || !opensCircuit(streak, o.settings)) return { open, opened: false, streakStartedAt: streak.startedAt };
    const opened = await tx
      .insertInto('sidep_contract_pauses')
      .values({ signature: o.signature, contract_version: o.contractVersion })
      .returning(pauseColumns)
      .executeTakeFirstOrThrow();
    return { open: opened, opened: true, streakStartedAt: streak.startedAt };
  });
}

/** An acceptance: refusals are no longer consecutive. */
export async function endStreak(db: Database): Promise<void> {
  await db.updateTable('sidep_contract_streak').set({ refusals: 0 }).where('refusals', '>', 0).execute();
}

/**
 * Closes the open circuit (`resume`: an operator; `redeploy`: a gateway of a later contract
 * version) and ends the streak, audited by `actor`. Returns the pause it closed, if one was open.
 */
export async function closeContractCircuit(
  db: Database,
  o: { reason: 'resume' | 'redeploy'; actor: AuditEvent['actor']; requestId?: string },
): Promise<ContractPause | undefined> {
  return db.transaction().execute(async (tx) => {
    const closed = await tx
      .updateTable('sidep_contract_pauses')
      .set({ closed_at: sql`now()`, close_reason: o.reason })
      .where('closed_at', 'is', null)
      .returning(pauseColumns)
      .executeTakeFirst();
    if (closed === undefined) return undefined;
    await tx.updateTable('sidep_contract_streak').set({ refusals: 0 }).execute();
    await appendAudit(tx, [
      { actor: o.actor, action: 'outbox.resume', object: { type: 'sidep-contract-pause', id: closed.id }, outcome: 'success', reason: o.reason, requestId: o.requestId },
    ]);
    return closed;
  });
}

/**
 * How long the circuit was open since `since`, in ms: time a message waited for the contract to
 * be fixed, which its `relay.maxAge` does not count.
 */
export async function pausedMsSince(db: Database, since: Date): Promise<number> {
  const { seconds } = await db
    .selectFrom('sidep_contract_pauses')
    .select(sql<number>`coalesce(sum(extract(epoch from coalesce(closed_at, now()) - greatest(opened_at, ${since}::timestamptz))), 0)::float8`.as('seconds'))
    .where(sql<boolean>`coalesce(closed_at, now()) > ${since}::timestamptz`)
    .executeTakeFirstOrThrow();
  return seconds * 1000;
}
