import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proveEvent, verifyEventProof } from '../../gateway/src/audit/index.js';
import { startSealedLog, type SealedLog } from './audit-kit.js';

let log: SealedLog;
beforeAll(async () => {
  log = await startSealedLog({ batchSize: 10 });
});
afterAll(() => log.close());

/**
 * Appends one event on this connection and returns its sequence (the runtime role may neither
 * choose an event's id nor read the event back: currval only).
 */
async function insertEvent(c: pg.Client, action: string): Promise<{ seq: string }> {
  await c.query(`INSERT INTO audit_events (actor_type, action, outcome) VALUES ('system', $1, 'success')`, [action]);
  const { rows } = await c.query<{ seq: string }>(`SELECT currval('audit_events_seq_seq')::text AS seq`);
  return { seq: (rows[0] as { seq: string }).seq };
}

/** The id the database gave a committed event. */
async function idOf(seq: string): Promise<string> {
  return (await log.db.owner.selectFrom('audit_events').select('id').where('seq', '=', seq).executeTakeFirstOrThrow()).id;
}

async function openClient(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: log.db.runtimeUrl });
  await c.connect();
  return c;
}

/** Which checkpoint seals each event sequence (undefined: not sealed yet). */
async function sealedBy(seqs: string[]): Promise<(string | undefined)[]> {
  const { rows } = await sql<{ seq: string; number: string | null }>`
    SELECT e.seq::text AS seq, c.number::text AS number FROM audit_events e
    LEFT JOIN audit_checkpoints c ON e.xact_id >= c.xact_from AND e.xact_id < c.xact_to
    WHERE e.seq = ANY(${seqs}::bigint[])`.execute(log.db.owner);
  return seqs.map((seq) => rows.find((r) => r.seq === seq)?.number ?? undefined);
}

describe('the audit sealer', () => {
  it('does not seal past a slow transaction holding a lower sequence, then seals both in order', async () => {
    const slow = await openClient();
    try {
      await slow.query('BEGIN');
      const low = await insertEvent(slow, 'slow');
      const fast = await openClient();
      const high = await insertEvent(fast, 'fast');
      await fast.end();
      expect(BigInt(high.seq)).toBeGreaterThan(BigInt(low.seq));
      // Several sealing rounds pass while the slow transaction stays open.
      await log.append(25);
      await new Promise((r) => setTimeout(r, 300));
      expect(await sealedBy([high.seq])).toEqual([undefined]);
      await slow.query('COMMIT');
      await log.sealed();
      const [lowCp, highCp] = await sealedBy([low.seq, high.seq]);
      expect(lowCp).toBeDefined();
      expect(highCp).toBeDefined();
      const keys = await log.signer.publicKeys();
      for (const { seq } of [low, high]) expect(verifyEventProof((await proveEvent(log.db.owner, await idOf(seq)))!, keys)).toBe(true);
      expect((await log.verify()).fault).toBeUndefined();
    } finally {
      await slow.end();
    }
  });

  it('seals an event whose transaction began first but took a higher sequence, exactly once', async () => {
    const early = await openClient();
    try {
      await early.query('BEGIN');
      await early.query('SELECT pg_current_xact_id()'); // the older transaction id…
      const later = await openClient();
      const lowSeq = await insertEvent(later, 'younger-transaction');
      await later.end();
      const highSeq = await insertEvent(early, 'older-transaction'); // …the higher sequence
      await new Promise((r) => setTimeout(r, 200));
      await early.query('COMMIT');
      await log.sealed();
      expect(BigInt(highSeq.seq)).toBeGreaterThan(BigInt(lowSeq.seq));
      const { rows } = await sql<{ seq: string; n: number }>`
        SELECT s::text AS seq, count(*)::int AS n FROM audit_checkpoints, unnest(seqs) AS s
        WHERE s = ANY(${[lowSeq.seq, highSeq.seq]}::bigint[]) GROUP BY s`.execute(log.db.owner);
      expect(rows.map((r) => r.n)).toEqual([1, 1]);
      expect((await log.verify()).fault).toBeUndefined();
    } finally {
      await early.end();
    }
  });

  it('cuts batches at the configured size and chains them', async () => {
    await log.append(45);
    await log.sealed();
    const { rows } = await sql<{ size: number }>`SELECT size FROM audit_checkpoints ORDER BY number`.execute(log.db.owner);
    expect(Math.max(...rows.map((r) => r.size))).toBeLessThanOrEqual(10);
    const report = await log.verify();
    expect(report.fault).toBeUndefined();
    expect(report.checkpoints).toBe(rows.length);
  });

  it('is taken over by another replica when the sealing one stops', async () => {
    const standby = log.startSealer();
    expect(log.sealer.isLeader()).toBe(true);
    expect(standby.isLeader()).toBe(false);
    await log.sealer.stop(); // its connection closes: the advisory lock is released
    await log.append(5);
    await log.sealed();
    expect(standby.isLeader()).toBe(true);
    expect((await log.verify()).fault).toBeUndefined();
  });

  it('seals a whole backlog of many-event transactions in one round, though no batch comes out full', async () => {
    // one round, then none for ten minutes: what the first round leaves waits that long
    const backlog = await startSealedLog({ batchSize: 10, intervalMs: 600_000 });
    try {
      await backlog.sealer.stop();
      await backlog.append(200, 3); // batches cut at a transaction boundary hold 9 events
      backlog.startSealer();
      await backlog.sealed();
      const { rows } = await sql<{ size: number }>`SELECT size FROM audit_checkpoints ORDER BY number`.execute(backlog.db.owner);
      expect(rows.length).toBeGreaterThan(20);
      expect(Math.max(...rows.map((r) => r.size))).toBeLessThan(10);
      expect((await backlog.verify()).fault).toBeUndefined();
    } finally {
      await backlog.close();
    }
  });
});
