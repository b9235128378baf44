import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import pg from 'pg';
import type { CheckpointSigner } from '../keys/index.js';
import { SEALER_ROLE, type DB } from '../db/index.js';
import { errorSummary, type Logger } from '../observability/index.js';
import { checkpointHash, encodeCheckpoint, GENESIS, AUDIT_LOG_ID, type CheckpointBody } from './checkpoint.js';
import { merkleRoot } from './merkle.js';
import { eventsInXactRange, rowLeaf, type AuditRecord } from './records.js';
import type { CheckpointSink, SinkEntry } from './sink.js';

// pg_try_advisory_lock key: "audit sealer" for every replica of one database.
const SEALER_LOCK_KEY = 6_962_001;

export interface AuditSealerOptions {
  /** The runtime role's URL: the sealer switches to the sealer role per transaction. */
  url: string;
  signer: CheckpointSigner;
  sink: CheckpointSink;
  /** Seal at least this often while events wait (≤ 1,000 ms per the design). */
  intervalMs: number;
  /** Events per checkpoint, cut at a transaction boundary (one transaction is never split). */
  batchSize: number;
  log: Logger;
  /** Called with the events of each batch once it is sealed and committed (log forwarding). */
  onSealed?: (records: AuditRecord[]) => void;
}

export interface AuditSealer {
  start(): void;
  stop(): Promise<void>;
  /** True while this replica holds the sealer lock. */
  isLeader(): boolean;
}

// Compiles Kysely queries for the sealer's own connection (a pool could drop the session lock).
const compiler = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/**
 * The single audit sealer: every replica runs one; the one holding a session advisory lock
 * seals, and when its connection dies another replica takes the lock over on its next tick.
 * A batch holds only events of transactions older than every transaction still in flight
 * (`pg_snapshot_xmin`), so an event whose lower sequence commits late is never skipped.
 * @example const sealer = createAuditSealer({ url, signer, sink, intervalMs: 1000, batchSize: 1000, log }); sealer.start();
 */
export function createAuditSealer(o: AuditSealerOptions): AuditSealer {
  let client: pg.Client | undefined;
  let leader = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  async function connect(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: o.url, application_name: 'sidep-gateway-audit-sealer' });
    c.on('error', () => undefined); // surfaces on the next query, which drops leadership
    await c.connect();
    return c;
  }

  async function dropConnection(): Promise<void> {
    const c = client;
    client = undefined;
    leader = false;
    await c?.end().catch(() => undefined);
  }

  async function tick(): Promise<void> {
    try {
      client ??= await connect();
      if (!leader) {
        const { rows } = await client.query<{ won: boolean }>('SELECT pg_try_advisory_lock($1) AS won', [SEALER_LOCK_KEY]);
        leader = rows[0]?.won === true;
        if (leader) o.log.info('audit sealer: this replica seals');
      }
      if (!leader) return;
      await copyToSink(client);
      // A batch cut short of xmin means more is waiting: go on at once, up to a bounded burst.
      // Not "a full batch": batches end at a transaction boundary, so with many-event
      // transactions (the relay settles up to 64 deliveries in one) none comes out full.
      for (let i = 0; i < 100 && !stopped; i++) {
        const { size, more } = await sealBatch(client);
        if (size > 0) await copyToSink(client);
        if (!more) break;
      }
    } catch (e) {
      o.log.warn({ err: errorSummary(e) }, 'audit sealing failed; will retry');
      await dropConnection();
    }
  }

  async function sealerTransaction<T>(c: pg.Client, work: () => Promise<T>): Promise<T> {
    await c.query('BEGIN');
    try {
      await c.query(`SET LOCAL ROLE ${SEALER_ROLE}`);
      const result = await work();
      await c.query('COMMIT');
      return result;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  async function sealBatch(c: pg.Client): Promise<{ size: number; more: boolean }> {
    let sealed: AuditRecord[] = [];
    const batch = await sealerTransaction(c, async () => {
      const last = (await c.query<{ number: string; xact_to: string; body: string }>('SELECT number::text, xact_to::text, body FROM audit_checkpoints ORDER BY audit_checkpoints.number DESC LIMIT 1')).rows[0];
      const from = last?.xact_to ?? '0';
      // Every transaction below xmin has finished: no event can still appear below it.
      const xmin = (await c.query<{ xmin: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin')).rows[0]?.xmin as string;
      if (BigInt(xmin) <= BigInt(from)) return { size: 0, more: false };
      const to = await batchEnd(c, from, xmin);
      const more = to !== xmin;
      const q = eventsInXactRange(compiler, from, to).compile();
      const records = (await c.query<AuditRecord>(q.sql, [...q.parameters])).rows;
      if (records.length === 0) return { size: 0, more: false };
      sealed = records;
      const leaves = records.map(rowLeaf);
      const body: CheckpointBody = {
        log: AUDIT_LOG_ID,
        number: last ? Number(last.number) + 1 : 1,
        xactFrom: from,
        xactTo: to,
        size: records.length,
        root: merkleRoot(leaves).toString('hex'),
        prev: last ? checkpointHash(last.body) : GENESIS,
        sealedAt: new Date().toISOString(),
      };
      const encoded = encodeCheckpoint(body);
      const { signature, keyVersion } = await o.signer.sign(Buffer.from(encoded, 'utf8'));
      await c.query(
        `INSERT INTO audit_checkpoints (number, xact_from, xact_to, size, seqs, leaves, root, prev, sealed_at, body, key_version, signature)
         VALUES ($1, $2::xid8, $3::xid8, $4, $5::bigint[], $6, $7, $8, $9, $10, $11, $12)`,
        [body.number, from, to, body.size, records.map((r) => r.seq), Buffer.concat(leaves), body.root, body.prev, body.sealedAt, encoded, keyVersion, signature],
      );
      return { size: records.length, more };
    });
    if (sealed.length) o.onSealed?.(sealed);
    return batch;
  }

  // Ends the batch at the transaction holding the (batchSize + 1)-th event, or at xmin. The
  // range is one-sided so that the planner walks the index in order and stops after that many:
  // bounded on both sides, a burst not yet analyzed looked tiny to it, and it sorted the whole
  // unsealed range for every batch (sealing time grew with the square of the backlog).
  async function batchEnd(c: pg.Client, from: string, xmin: string): Promise<string> {
    const { rows } = await c.query<{ xact: string }>('SELECT xact_id::text AS xact FROM audit_events WHERE xact_id >= $1::xid8 ORDER BY xact_id LIMIT $2', [from, o.batchSize + 1]);
    const below = rows.filter((r) => BigInt(r.xact) < BigInt(xmin));
    const cut = below[o.batchSize]?.xact;
    if (cut === undefined) return xmin;
    // One transaction larger than a batch is sealed whole rather than split.
    return below[0]?.xact === cut ? (BigInt(cut) + 1n).toString() : cut;
  }

  async function copyToSink(c: pg.Client): Promise<void> {
    const pending = await sealerTransaction(c, async () =>
      (
        await c.query<{ number: string; body: string; key_version: number; signature: string }>(
          `SELECT number::text, body, key_version, signature FROM audit_checkpoints
           WHERE number > coalesce((SELECT max(number) FROM audit_sink_copies), 0) ORDER BY audit_checkpoints.number LIMIT 1000`,
        )
      ).rows,
    );
    if (pending.length === 0) return;
    const entries: SinkEntry[] = pending.map((r) => ({ number: Number(r.number), body: r.body, keyVersion: r.key_version, signature: r.signature }));
    await o.sink.append(entries);
    await sealerTransaction(c, () => c.query('INSERT INTO audit_sink_copies (number) SELECT unnest($1::bigint[]) ON CONFLICT DO NOTHING', [entries.map((e) => e.number)]));
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(schedule);
    }, o.intervalMs);
  }

  return {
    start() {
      stopped = false;
      running = tick().finally(schedule);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await dropConnection();
    },
    isLeader: () => leader,
  };
}
