import { sql, type Kysely, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpointSink, verifyAuditLog } from '../../gateway/src/audit/index.js';
import type { DB } from '../../gateway/src/db/index.js';
import { faultAfter, startSealedLog, type SealedLog } from './audit-kit.js';

let log: SealedLog;
let cps: { number: number; seqs: string[]; xact_from: string }[];
beforeAll(async () => {
  log = await startSealedLog({ batchSize: 20 });
  await log.appendThenSeal(240, 3);
  const rows = await sql<{ number: string; seqs: string[]; xact_from: string }>`SELECT number::text, seqs::text[] AS seqs, xact_from::text FROM audit_checkpoints ORDER BY audit_checkpoints.number`.execute(log.db.owner);
  cps = rows.rows.map((r) => ({ ...r, number: Number(r.number) }));
});
afterAll(() => log.close());

const cp = (n: number) => cps[n - 1] as { number: number; seqs: string[]; xact_from: string };
const run = (tx: Kysely<DB>, text: string) => sql.raw(text).execute(tx);

describe('audit verify', () => {
  it('holds on an untouched sealed log, with and without the sink', async () => {
    expect(cps.length).toBeGreaterThanOrEqual(10);
    expect(await log.verify()).toEqual({ checkpoints: cps.length, events: 240, last: expect.objectContaining({ body: expect.any(String) }) });
    expect((await log.verify(log.db.owner, { sink: false })).fault).toBeUndefined();
  });

  describe('names the first bad sequence of tampered events', () => {
    it('edited', async () => {
      const s = cp(3).seqs[4];
      expect(await faultAfter(log, (tx) => run(tx, `UPDATE audit_events SET action = 'result.read-status' WHERE seq = ${s}`))).toMatchObject({ kind: 'edited', seq: s, checkpoint: 3 });
      expect(await faultAfter(log, (tx) => run(tx, `UPDATE audit_events SET at = at + interval '1 microsecond' WHERE seq = ${s}`))).toMatchObject({ kind: 'edited', seq: s });
      expect(await faultAfter(log, (tx) => run(tx, `UPDATE audit_events SET xact_id = '4000000000'::xid8 WHERE seq = ${s}`))).toMatchObject({ kind: 'edited', seq: s, check: 'event-moved' });
    });

    it('deleted', async () => {
      const s = cp(5).seqs[7];
      expect(await faultAfter(log, (tx) => run(tx, `DELETE FROM audit_events WHERE seq = ${s}`))).toMatchObject({ kind: 'deleted', seq: s, checkpoint: 5 });
    });

    it('inserted into a sealed batch', async () => {
      let seq = '';
      const fault = await faultAfter(log, async (tx) => {
        const { rows } = await sql<{ seq: string }>`INSERT INTO audit_events (actor_type, action, outcome, xact_id) VALUES ('system', 'result.purge', 'success', ${cp(4).xact_from}::xid8) RETURNING seq::text`.execute(tx);
        seq = (rows[0] as { seq: string }).seq;
      });
      expect(fault).toMatchObject({ kind: 'inserted', seq, checkpoint: 4 });
    });

    it('reordered', async () => {
      const [a, b] = [cp(6).seqs[2], cp(6).seqs[3]];
      const fault = await faultAfter(log, async (tx) => {
        await run(tx, `UPDATE audit_events SET seq = -1 WHERE seq = ${a}`);
        await run(tx, `UPDATE audit_events SET seq = ${a} WHERE seq = ${b}`);
        await run(tx, `UPDATE audit_events SET seq = ${b} WHERE seq = -1`);
      });
      expect(fault).toMatchObject({ kind: 'reordered', seq: a, checkpoint: 6 });
    });

    it('truncated (the sealed tail, or the whole table)', async () => {
      const last = cps.at(-1) as { number: number; seqs: string[] };
      expect(await faultAfter(log, (tx) => run(tx, `DELETE FROM audit_events WHERE seq >= ${last.seqs[0]}`))).toMatchObject({ kind: 'deleted', seq: last.seqs[0], checkpoint: last.number });
      expect(await faultAfter(log, (tx) => run(tx, 'TRUNCATE audit_events'))).toMatchObject({ kind: 'deleted', seq: cp(1).seqs[0], checkpoint: 1 });
    });

    it('left unsealed longer than the allowed lag', async () => {
      let seq = '';
      const fault = await faultAfter(log, async (tx) => {
        const { rows } = await sql<{ seq: string }>`INSERT INTO audit_events (actor_type, action, outcome, at) VALUES ('system', 'result.purge', 'success', now() - interval '2 minutes') RETURNING seq::text`.execute(tx);
        seq = (rows[0] as { seq: string }).seq;
      });
      expect(fault).toMatchObject({ kind: 'unsealed', seq });
    });
  });

  describe('names the checkpoint and its first sequence for tampered checkpoints', () => {
    it('edited: a field, the signed body, or the leaves', async () => {
      expect(await faultAfter(log, (tx) => run(tx, `UPDATE audit_checkpoints SET root = repeat('0', 64) WHERE number = 3`))).toMatchObject({ kind: 'edited', checkpoint: 3, seq: cp(3).seqs[0] });
      expect(await faultAfter(log, (tx) => run(tx, `UPDATE audit_checkpoints SET body = replace(body, '"size":', '"size": ') WHERE number = 3`))).toMatchObject({ kind: 'edited', checkpoint: 3 });
      expect(await faultAfter(log, (tx) => run(tx, `UPDATE audit_checkpoints SET leaves = overlay(leaves placing '\\x00'::bytea from 1 for 1) WHERE number = 3`))).toMatchObject({ kind: 'edited', checkpoint: 3, check: 'checkpoint-leaves' });
    });

    it('deleted from the middle of the chain', async () => {
      const fault = await faultAfter(log, async (tx) => {
        await run(tx, 'DELETE FROM audit_sink_copies WHERE number = 4');
        await run(tx, 'DELETE FROM audit_checkpoints WHERE number = 4');
      });
      expect(fault).toMatchObject({ kind: 'deleted', checkpoint: 4, seq: cp(4).seqs[0] });
    });

    it('reordered', async () => {
      const cols = 'xact_from, xact_to, size, seqs, leaves, root, prev, sealed_at, body, key_version, signature';
      const fault = await faultAfter(log, async (tx) => {
        await run(tx, `CREATE TEMP TABLE swap AS SELECT number, ${cols} FROM audit_checkpoints WHERE number IN (5, 6)`);
        const set = cols.split(', ').map((c) => `${c} = s.${c}`).join(', ');
        await run(tx, `UPDATE audit_checkpoints c SET ${set} FROM swap s WHERE s.number = 11 - c.number AND c.number IN (5, 6)`);
        await run(tx, 'DROP TABLE swap');
      });
      expect(fault).toMatchObject({ kind: 'reordered', checkpoint: 5 });
    });

    it('inserted (forged, unsigned)', async () => {
      const next = cps.length + 1;
      const fault = await faultAfter(log, (tx) =>
        run(tx, `INSERT INTO audit_checkpoints SELECT ${next}, xact_to, (xact_to::text::bigint + 1000)::text::xid8, size, seqs, leaves, root, prev, now(), replace(body, '"number":${cps.length}', '"number":${next}'), key_version, signature FROM audit_checkpoints WHERE number = ${cps.length}`),
      );
      expect(fault).toMatchObject({ kind: 'inserted', checkpoint: next });
    });

    it('missing from the sink longer than the allowed lag', async () => {
      const sink = (await readCheckpointSink(log.sinkFile)).entries;
      sink.delete(7);
      const report = await verifyAuditLog({ db: log.db.owner, publicKeys: await log.signer.publicKeys(), sink, maxSealLagSeconds: 0 });
      expect(report.fault).toMatchObject({ kind: 'unsealed', checkpoint: 7, check: 'sink-copy-missing' });
    });

    it('truncated: only the sink shows it', async () => {
      const n = cps.length;
      const truncate = async (tx: Transaction<DB>) => {
        await run(tx, `DELETE FROM audit_sink_copies WHERE number >= ${n - 1}`);
        await run(tx, `DELETE FROM audit_checkpoints WHERE number >= ${n - 1}`);
      };
      expect(await faultAfter(log, truncate)).toMatchObject({ kind: 'truncated', checkpoint: n - 1, seq: cp(n - 1).seqs[0] });
      // Without the sink, the events of the lost checkpoints just look recent and unsealed.
      expect(await faultAfter(log, truncate, { sink: false })).toBeUndefined();
    });
  });
});

describe('the sink copy', () => {
  it('shows a rewrite of the whole database, re-sealed and re-signed with the same key', async () => {
    await log.sealer.stop();
    await run(log.db.owner, `DELETE FROM audit_sink_copies; DELETE FROM audit_checkpoints; UPDATE audit_events SET action = 'result.read-status' WHERE seq = ${cp(2).seqs[1]}`);
    const forger = log.startSealer({ sinkFile: `${log.dir}/forged-sink.jsonl` });
    await log.sealed();
    await forger.stop();
    const publicKeys = await log.signer.publicKeys();
    // On its own, the rewritten database is consistent…
    expect((await verifyAuditLog({ db: log.db.owner, publicKeys, maxSealLagSeconds: 60 })).fault).toBeUndefined();
    // …the copy made outside before the rewrite is not.
    const sink = (await readCheckpointSink(log.sinkFile)).entries;
    expect((await verifyAuditLog({ db: log.db.owner, publicKeys, sink, maxSealLagSeconds: 60 })).fault).toMatchObject({ kind: 'edited', checkpoint: 1, check: 'sink-copy-differs' });
  });
});
