import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpointSink, verifyAuditLog, type VerifiedCheckpoint } from '../../gateway/src/audit/index.js';
import { encodeCheckpoint, parseCheckpoint, type CheckpointBody } from '../../gateway/src/audit/checkpoint.js';
import { faultAfter, startSealedLog, type SealedLog } from './audit-kit.js';

const ROLLBACK = new Error('rollback');
const rethrowUnlessRollback = (e: unknown) => {
  if (e !== ROLLBACK) throw e;
};
let log: SealedLog;
let first: VerifiedCheckpoint;
let firstCheckpoints: number;

beforeAll(async () => {
  log = await startSealedLog({ batchSize: 10 });
  await log.append(40);
  await log.sealed();
  const report = await log.verify();
  expect(report.fault).toBeUndefined();
  first = report.last as VerifiedCheckpoint;
  firstCheckpoints = report.checkpoints;
  await log.append(25);
  await log.sealed();
});
afterAll(async () => {
  await log?.close();
});

const resume = async (after: VerifiedCheckpoint, db = log.db.owner) =>
  verifyAuditLog({ db, publicKeys: await log.signer.publicKeys(), sink: (await readCheckpointSink(log.sinkFile)).entries, maxSealLagSeconds: 60, after });

describe('audit verify from the last verified checkpoint', () => {
  it('reads only the checkpoints and events sealed since, and hands on the new last one', async () => {
    const whole = await log.verify();
    const report = await resume(first);
    expect(report.fault).toBeUndefined();
    expect(report.events).toBe(25);
    expect(report.checkpoints).toBe(whole.checkpoints - firstCheckpoints);
    expect(report.last).toEqual(whole.last);
    // nothing new: nothing read, the same place to resume from
    const again = await resume(report.last as VerifiedCheckpoint);
    expect(again).toMatchObject({ events: 0, checkpoints: 0, last: report.last });
  });

  it('still catches a tampering of what is new', async () => {
    const fault = await faultAfter(log, (tx) => sql`UPDATE audit_events SET action = 'result.read' WHERE seq = (SELECT max(seq) FROM audit_events)`.execute(tx));
    expect(fault).toMatchObject({ kind: 'edited' });
    let resumed;
    await log.db.owner
      .transaction()
      .execute(async (tx) => {
        await sql`UPDATE audit_events SET action = 'result.read' WHERE seq = (SELECT max(seq) FROM audit_events)`.execute(tx);
        resumed = (await resume(first, tx)).fault;
        throw ROLLBACK;
      })
      .catch(rethrowUnlessRollback);
    expect(resumed).toMatchObject({ kind: 'edited', check: 'event-leaf' });
  });

  it('refuses to resume from a checkpoint the database no longer holds as it was verified', async () => {
    const forged = { number: first.number, body: encodeCheckpoint({ ...(parseCheckpoint(first.body) as CheckpointBody), root: '00'.repeat(32) }) };
    expect((await resume(forged)).fault).toMatchObject({ kind: 'edited', checkpoint: first.number });
    let fault;
    await log.db.owner
      .transaction()
      .execute(async (tx) => {
        await sql`DELETE FROM audit_sink_copies WHERE number = ${first.number}`.execute(tx);
        await sql`DELETE FROM audit_checkpoints WHERE number = ${first.number}`.execute(tx);
        fault = (await resume(first, tx)).fault;
        throw ROLLBACK;
      })
      .catch(rethrowUnlessRollback);
    expect(fault).toMatchObject({ kind: 'deleted', checkpoint: first.number, check: 'verified-checkpoint-missing' });
  });
});
