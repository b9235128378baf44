import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_LOG_ID, checkpointHash } from '../../gateway/src/audit/checkpoint.js';
import type { DB } from '../../gateway/src/db/index.js';
import { faultAfter, resealCheckpoint, startSealedLog, type SealedLog } from './audit-kit.js';

// A forger holding the signing key re-signs checkpoints that each hold on their own: only the
// links between consecutive checkpoints can show it when the sink's copy is lost or not yet made.
const WITHOUT_SINK = { sink: false };

type Sealed = { number: number; seqs: string[]; xact_from: string };
let log: SealedLog;
let cps: Sealed[];
beforeAll(async () => {
  log = await startSealedLog({ batchSize: 20 });
  await log.append(240, 3);
  await log.sealed();
  const { rows } = await sql<Sealed & { number: string }>`SELECT number::text, seqs::text[] AS seqs, xact_from::text FROM audit_checkpoints ORDER BY audit_checkpoints.number`.execute(log.db.owner);
  cps = rows.map((r) => ({ ...r, number: Number(r.number) }));
});
afterAll(() => log.close());

const cp = (n: number) => cps[n - 1] as Sealed;

/** Re-signs every checkpoint after `number`, each chained to its re-signed predecessor. */
async function rechainAfter(tx: Kysely<DB>, number: number, body: string): Promise<void> {
  for (let n = number + 1; n <= cps.length; n++) body = await resealCheckpoint(tx, log.signer, n, { prev: checkpointHash(body) });
}

/** The transaction ids of a checkpoint's events, in order. */
async function xactsOf(tx: Kysely<DB>, n: number): Promise<string[]> {
  const { rows } = await sql<{ xact: string }>`SELECT DISTINCT xact_id::text AS xact, xact_id FROM audit_events WHERE seq = ANY(${cp(n).seqs}::bigint[]) ORDER BY xact_id`.execute(tx);
  return rows.map((r) => r.xact);
}

/** Re-signs the log from checkpoint `n` on, its range now starting at `xactFrom`. */
async function moveStart(tx: Kysely<DB>, n: number, xactFrom: string): Promise<void> {
  await rechainAfter(tx, n, await resealCheckpoint(tx, log.signer, n, { xactFrom }));
}

describe('audit verify, against checkpoints re-signed with the signing key', () => {
  it('holds on a consistent rewrite of the tail, which only the sink shows', async () => {
    const fault = await faultAfter(log, async (tx) => {
      await sql`UPDATE audit_events SET outcome = 'failure' WHERE seq = ${cp(3).seqs[2]}::bigint`.execute(tx);
      await rechainAfter(tx, 3, await resealCheckpoint(tx, log.signer, 3));
    }, WITHOUT_SINK);
    expect(fault).toBeUndefined();
  });

  it('refuses a checkpoint signed with the same key for another log', async () => {
    const fault = await faultAfter(log, async (tx) => {
      const { body } = await tx.selectFrom('audit_checkpoints').select('body').where('number', '=', '3').executeTakeFirstOrThrow();
      const foreign = body.replace(`"log":"${AUDIT_LOG_ID}"`, '"log":"another-log/v1"');
      const { signature, keyVersion } = await log.signer.sign(Buffer.from(foreign, 'utf8'));
      await sql`UPDATE audit_checkpoints SET body = ${foreign}, key_version = ${keyVersion}, signature = ${signature} WHERE number = 3`.execute(tx);
    });
    expect(fault).toMatchObject({ kind: 'edited', checkpoint: 3, check: 'checkpoint-signature' });
  });

  it('finds the next checkpoint no longer chained to one re-signed over an edited event', async () => {
    const fault = await faultAfter(log, async (tx) => {
      await sql`UPDATE audit_events SET outcome = 'failure' WHERE seq = ${cp(3).seqs[2]}::bigint`.execute(tx);
      await resealCheckpoint(tx, log.signer, 3);
    }, WITHOUT_SINK);
    expect(fault).toMatchObject({ kind: 'reordered', checkpoint: 4, seq: cp(4).seqs[0], check: 'checkpoint-chain' });
  });

  it('finds a range that leaves a gap after the previous one, where events were deleted', async () => {
    const fault = await faultAfter(log, async (tx) => {
      const second = (await xactsOf(tx, 4))[1] as string;
      await sql`DELETE FROM audit_events WHERE xact_id >= ${cp(4).xact_from}::xid8 AND xact_id < ${second}::xid8`.execute(tx);
      await moveStart(tx, 4, second);
    }, WITHOUT_SINK);
    expect(fault).toMatchObject({ kind: 'reordered', checkpoint: 4, seq: cp(4).seqs[3], check: 'checkpoint-range' });
  });

  it('finds a first range that does not start at the first transaction id, where an event was forged', async () => {
    const fault = await faultAfter(log, async (tx) => {
      const first = (await xactsOf(tx, 1))[0] as string;
      await sql`INSERT INTO audit_events (actor_type, action, outcome, xact_id) VALUES ('system', 'result.purge', 'success', (${first}::text::bigint - 1)::text::xid8)`.execute(tx);
      await moveStart(tx, 1, first);
    }, WITHOUT_SINK);
    expect(fault).toMatchObject({ kind: 'reordered', checkpoint: 1, check: 'checkpoint-range' });
  });

  it('finds a range that overlaps the previous one, sealing its events twice', async () => {
    const fault = await faultAfter(log, (tx) => moveStart(tx, 6, cp(5).xact_from), WITHOUT_SINK);
    expect(fault).toMatchObject({ kind: 'reordered', checkpoint: 6, seq: cp(5).seqs[0], check: 'checkpoint-range' });
  });
});
