import type { Database } from '../db/index.js';
import { NotFound } from '../errors.js';
import { closeContractCircuit } from '../outbox/index.js';
import { findPharmacy } from '../pharmacies/index.js';
import { listMessages, redrive } from '../results/lifecycle/index.js';
import { integerFlag, parseCommandLine, UsageError, type Command } from './command.js';

type MessageState = NonNullable<Parameters<typeof listMessages>[1]['state']>;
/** Keyed by the type `listMessages` takes: a state added there and not here fails to compile. */
const STATES: Record<MessageState, true> = { pending: true, delivered: true, dead: true, superseded: true };
const MAX_LIMIT = 10_000;

/**
 * `gateway outbox list [--state S] [--limit N]` and
 * `gateway outbox redrive <result-id>... | --all-dead-lettered [--pharmacy FINESS]` and
 * `gateway outbox resume` (after SI-DEP refused a whole message shape and the fix is in).
 */
export const outbox: Command = {
  help: `  outbox list                 List outbox messages  [--state pending|delivered|dead|superseded] [--limit N]
  outbox redrive <result-id>...  Put dead-lettered results back in the queue unchanged  [--all-dead-lettered] [--pharmacy FINESS]
  outbox resume               Send again after SI-DEP refused a whole message shape (the contract circuit), once fixed
`,
  async run(argv, ctx) {
    const options = { state: { type: 'string' }, limit: { type: 'string' }, 'all-dead-lettered': { type: 'boolean' }, pharmacy: { type: 'string' } } as const;
    const { values, positionals } = parseCommandLine(argv, options);
    const [sub, ...resultIds] = positionals;
    if (sub === 'list') {
      const { state } = values;
      if (state !== undefined && !isMessageState(state)) throw new UsageError(`--state takes ${Object.keys(STATES).join(', ')}.`);
      const limit = integerFlag(values.limit, '--limit', { min: 1, max: MAX_LIMIT }) ?? 50;
      return ctx.withDatabase(values['database-url'], async (db) => {
        const rows = await listMessages(db, { ...(state ? { state } : {}), limit });
        for (const r of rows) {
          const reason = r.deadReason ? ` reason=${JSON.stringify(r.deadReason)}` : r.lastErrorCode ? ` last-error=${r.lastErrorCode}` : '';
          ctx.out(`${r.id}  ${r.state.padEnd(10)} ${r.kind.padEnd(12)} attempts=${r.attempts} result=${r.resultId}${reason}`);
        }
        ctx.out(`${rows.length} message(s)`);
        return 0;
      });
    }
    if (sub === 'redrive') {
      const all = values['all-dead-lettered'] ?? false;
      if (all === resultIds.length > 0) throw new UsageError('Name the result ids to redrive, or pass --all-dead-lettered (not both).');
      const { actor } = ctx.operator(values.operator);
      return ctx.withDatabase(values['database-url'], async (db) => {
        const pharmacyId = values.pharmacy === undefined ? undefined : await pharmacyIdOf(db, values.pharmacy);
        const ids = await redrive(db, { ...(all ? { all } : { resultIds }), ...(pharmacyId ? { pharmacyId } : {}), actor });
        ctx.out(`Redriven: ${ids.length} message(s)`);
        return 0;
      });
    }
    if (sub === 'resume') {
      if (resultIds.length > 0) throw new UsageError('outbox resume takes no arguments.');
      const { actor } = ctx.operator(values.operator);
      return ctx.withDatabase(values['database-url'], async (db) => {
        const closed = await closeContractCircuit(db, { reason: 'resume', actor });
        ctx.out(closed ? `Resumed: the relay sends again (stopped since ${closed.openedAt.toISOString()} for "${closed.signature}")` : 'Nothing to resume: the relay is sending.');
        return 0;
      });
    }
    throw new UsageError();
  },
};

function isMessageState(value: string): value is MessageState {
  return Object.hasOwn(STATES, value);
}

async function pharmacyIdOf(db: Database, finess: string): Promise<string> {
  try {
    return (await findPharmacy(db, finess)).id;
  } catch (e) {
    if (e instanceof NotFound) throw new UsageError(`No pharmacy with FINESS ${finess}.`);
    throw e;
  }
}
