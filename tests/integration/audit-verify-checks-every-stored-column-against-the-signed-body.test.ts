import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultAfter, startSealedLog, type SealedLog } from './audit-kit.js';

type Sealed = { number: number; seqs: string[] };
let log: SealedLog;
let cps: Sealed[];
beforeAll(async () => {
  log = await startSealedLog({ batchSize: 20 });
  await log.append(120, 3);
  await log.sealed();
  const { rows } = await sql<Sealed & { number: string }>`SELECT number::text, seqs::text[] AS seqs FROM audit_checkpoints ORDER BY audit_checkpoints.number`.execute(log.db.owner);
  cps = rows.map((r) => ({ ...r, number: Number(r.number) }));
});
afterAll(() => log.close());

const cp = (n: number) => cps[n - 1] as Sealed;
const edit = (set: string) => faultAfter(log, (tx) => sql.raw(`UPDATE audit_checkpoints SET ${set} WHERE number = 3`).execute(tx));

// Each column stored beside the signed body (what the sealer, `audit prove` and `audit verify`
// read), edited alone: the body and its signature untouched.
describe('audit verify, against a checkpoint column edited outside its signed body', () => {
  it.each([
    ['the start of its range', `xact_from = (xact_from::text::bigint + 1)::text::xid8`],
    ['the end of its range', `xact_to = (xact_to::text::bigint - 1)::text::xid8`],
    ['its size', 'size = size + 1'],
    ["its predecessor's hash", `prev = repeat('0', 64)`],
    ['its root', `root = repeat('0', 64)`],
  ])('names %s', async (_, set) => {
    expect(await edit(set)).toMatchObject({ kind: 'edited', checkpoint: 3, seq: cp(3).seqs[0], check: 'checkpoint-fields' });
  });

  it('names leaves or sequences stored beyond the signed size, though the signed root still holds', async () => {
    expect(await edit(`leaves = leaves || '\\x${'00'.repeat(32)}'::bytea`)).toMatchObject({ kind: 'edited', checkpoint: 3, check: 'checkpoint-leaves' });
    expect(await edit(`seqs = seqs || ${cp(4).seqs[0]}::bigint`)).toMatchObject({ kind: 'edited', checkpoint: 3, check: 'checkpoint-leaves' });
  });
});
