import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { appendAudit, createAuditSealer, fileCheckpointSink, readCheckpointSink, verifyAuditLog, type AuditSealer, type CheckpointSink, type VerifyReport } from '../../gateway/src/audit/index.js';
import { openLocalCheckpointSigner, type CheckpointSigner } from '../../gateway/src/keys/index.js';
import type { Database } from '../../gateway/src/db/index.js';
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
          action: 'result.create',
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
