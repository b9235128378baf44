import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bulkAuditEvents } from '../support/bulk-rows.js';
import { startSealedLog, type SealedLog } from './audit-kit.js';

/**
 * A burst of events (a busy hour, a restart after downtime) lands before the planner has any
 * statistics on it. Each checkpoint's statements must read about one batch of it: a plan that
 * reads the whole unsealed range per batch makes sealing time grow with the square of the burst,
 * and the log stays unsealed (state-changing routes refuse work) while it catches up.
 */
const BURST = 30_000;
const BATCH = 1_000;

let log: SealedLog;
const calls: [string, unknown[]][] = [];

interface PlanNode {
  'Actual Rows': number;
  'Actual Loops': number;
  Plans?: PlanNode[];
}
const rowsRead = (n: PlanNode): number => Math.max(n['Actual Rows'] * n['Actual Loops'], ...(n.Plans ?? []).map(rowsRead));

beforeAll(async () => {
  const spy = vi.spyOn(pg.Client.prototype, 'query');
  try {
    log = await startSealedLog({ batchSize: BATCH, intervalMs: 50 });
    // what no autovacuum has analyzed yet
    await sql`ALTER TABLE audit_events SET (autovacuum_enabled = false)`.execute(log.db.owner);
    await bulkAuditEvents(log.db.ownerUrl, { count: BURST, perTransaction: 100 });
    await log.sealed();
    for (const [text, values] of spy.mock.calls as unknown[][]) {
      if (typeof text === 'string' && /^\s*SELECT\b/i.test(text) && /audit_events/i.test(text)) calls.push([text, Array.isArray(values) ? values : []]);
    }
  } finally {
    spy.mockRestore();
  }
}, 240_000);
afterAll(() => log?.close());

describe('the audit sealer under a burst never analyzed', () => {
  it('reads at most about one batch of events per statement', async () => {
    expect((await log.verify()).fault).toBeUndefined();
    expect(calls.length).toBeGreaterThan(0);
    const client = new pg.Client({ connectionString: log.db.ownerUrl });
    await client.connect();
    try {
      const heavy: { statement: string; rows: number }[] = [];
      for (const [text, values] of calls) {
        const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, values);
        const read = rowsRead((rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan);
        if (read > 2 * BATCH) heavy.push({ statement: text.replace(/\s+/g, ' ').slice(0, 200), rows: read });
      }
      expect(heavy).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
