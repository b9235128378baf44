import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely, type Transaction } from 'kysely';
import { appendAudit, createAuditSealer, fileCheckpointSink, merkleRoot, readCheckpointSink, verifyAuditLog, type AuditFault, type AuditSealer, type CheckpointSink, type VerifyReport } from '../../gateway/src/audit/index.js';
import { encodeCheckpoint, parseCheckpoint, type CheckpointBody } from '../../gateway/src/audit/checkpoint.js';
import { eventsInXactRange, recordLeaf } from '../../gateway/src/audit/records.js';
import { openLocalCheckpointSigner, type CheckpointSigner } from '../../gateway/src/keys/index.js';
import type { Database, DB } from '../../gateway/src/db/index.js';
import { createLogger } from '../../gateway/src/observability/index.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';
import { eventually } from '../support/gateway-harness.js';

/** A database with a running sealer (as the runtime role), a local signer and a sink file. */
export interface SealedLog {
  db: TestDatabase;
  dir: string;
  signer: CheckpointSigner;
  sinkFile: string;
  sealer: AuditSealer;
  startSealer(o?: { sinkFile?: string; sink?: CheckpointSink }): AuditSealer;
  /** Appends `n` events as the runtime role, `perTransaction` per transaction. */
  append(n: number, perTransaction?: number): Promise<void>;
  /** Waits until every committed event is covered by a checkpoint copied to the sink. */
  sealed(): Promise<void>;
  /**
   * Appends with the sealer stopped, then seals: full batches whatever the machine's speed (a
   * sealer catching up with the writer may seal one transaction a batch), for cases that pick
   * events by their place in a checkpoint.
   */
  appendThenSeal(n: number, perTransaction?: number): Promise<void>;
  verify(db?: Database, o?: { sink?: boolean; maxSealLagSeconds?: number }): Promise<VerifyReport>;
  close(): Promise<void>;
}

export async function startSealedLog(o: { batchSize?: number; intervalMs?: number } = {}): Promise<SealedLog> {
  const db = await testDatabase();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'audit-'));
  const signer = await openLocalCheckpointSigner(path.join(dir, 'signing-key.pem'));
  const sinkFile = path.join(dir, 'sink.jsonl');
  const sealers: AuditSealer[] = [];
  const startSealer = (s: { sinkFile?: string; sink?: CheckpointSink } = {}) => {
    const sealer = createAuditSealer({ url: db.runtimeUrl, signer, sink: s.sink ?? fileCheckpointSink(s.sinkFile ?? sinkFile), intervalMs: o.intervalMs ?? 50, batchSize: o.batchSize ?? 1000, log: createLogger({ level: 'silent' }) });
    sealer.start();
    sealers.push(sealer);
    return sealer;
  };
  const log: SealedLog = {
    db,
    dir,
    signer,
    sinkFile,
    sealer: startSealer(),
    startSealer,
    async append(n, perTransaction = 1) {
      for (let i = 0; i < n; i += perTransaction) {
        const events = Array.from({ length: Math.min(perTransaction, n - i) }, (_, k) => ({
          actor: { type: 'pharmacy' as const, id: `pharmacy-${(i + k) % 7}` },
          action: 'result.create' as const,
          object: { type: 'test-result', id: `00000000-0000-4000-8000-${String(i + k).padStart(12, '0')}` },
          outcome: 'success' as const,
          requestId: `req-${i + k}`,
        }));
        await db.runtime.transaction().execute((tx) => appendAudit(tx, events));
      }
    },
    async sealed() {
      await eventually(async () => {
        const { rows } = await sql<{ waiting: number }>`
          SELECT (SELECT count(*) FROM audit_events WHERE xact_id >= coalesce((SELECT max(xact_to) FROM audit_checkpoints), '0'::xid8))
               + (SELECT count(*) FROM audit_checkpoints WHERE number NOT IN (SELECT number FROM audit_sink_copies)) AS waiting`.execute(db.owner);
        return Number(rows[0]?.waiting) === 0 ? true : undefined;
      });
    },
    async appendThenSeal(n, perTransaction) {
      await Promise.all(sealers.map((s) => s.stop()));
      await log.append(n, perTransaction);
      startSealer();
      await log.sealed();
    },
    async verify(on = db.owner, v = {}) {
      const sink = v.sink === false ? undefined : (await readCheckpointSink(sinkFile)).entries;
      return verifyAuditLog({ db: on, publicKeys: await signer.publicKeys(), ...(sink ? { sink } : {}), maxSealLagSeconds: v.maxSealLagSeconds ?? 60 });
    },
    async close() {
      await Promise.all(sealers.map((s) => s.stop()));
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return log;
}

const ROLLBACK = new Error('rollback');

/** Tampers as the database owner, verifies inside the same transaction, then rolls back. */
export async function faultAfter(log: SealedLog, tamper: (tx: Transaction<DB>) => Promise<unknown>, o: { sink?: boolean } = {}): Promise<AuditFault | undefined> {
  let fault: AuditFault | undefined;
  await log.db.owner
    .transaction()
    .execute(async (tx) => {
      await tamper(tx);
      fault = (await log.verify(tx, o)).fault;
      throw ROLLBACK;
    })
    .catch((e: unknown) => {
      if (e !== ROLLBACK) throw e;
    });
  return fault;
}

/**
 * Re-seals checkpoint `number` as a forger holding the signing key would: over the events now in
 * its range (or the range `change` gives), chained to `change.prev` or its own `prev`, signed,
 * every column made to match. Returns the new signed body.
 */
export async function resealCheckpoint(tx: Kysely<DB>, signer: CheckpointSigner, number: number, change: Partial<Pick<CheckpointBody, 'xactFrom' | 'xactTo' | 'prev'>> = {}): Promise<string> {
  const row = await tx.selectFrom('audit_checkpoints').select('body').where('number', '=', String(number)).executeTakeFirstOrThrow();
  const old = parseCheckpoint(row.body) as CheckpointBody;
  const range = { xactFrom: change.xactFrom ?? old.xactFrom, xactTo: change.xactTo ?? old.xactTo };
  const records = await eventsInXactRange(tx, range.xactFrom, range.xactTo).execute();
  const leaves = records.map(recordLeaf);
  const body: CheckpointBody = { ...old, ...change, size: records.length, root: merkleRoot(leaves).toString('hex') };
  const encoded = encodeCheckpoint(body);
  const { signature, keyVersion } = await signer.sign(Buffer.from(encoded, 'utf8'));
  await sql`
    UPDATE audit_checkpoints SET xact_from = ${body.xactFrom}::xid8, xact_to = ${body.xactTo}::xid8, size = ${body.size}, seqs = ${records.map((r) => r.seq)}::bigint[],
      leaves = ${Buffer.concat(leaves)}, root = ${body.root}, prev = ${body.prev}, body = ${encoded}, key_version = ${keyVersion}, signature = ${signature}
    WHERE number = ${number}`.execute(tx);
  return encoded;
}
