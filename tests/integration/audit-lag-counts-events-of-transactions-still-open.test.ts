import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditGuard, type AuditGuard } from '../../gateway/src/audit/index.js';
import { eventually } from '../support/gateway-harness.js';
import { startSealedLog, type SealedLog } from './audit-kit.js';

let log: SealedLog;
let guard: AuditGuard;
beforeAll(async () => {
  log = await startSealedLog();
  guard = createAuditGuard({ db: log.db.runtime, maxSealLagSeconds: 1 });
});
afterAll(() => log.close());

async function openClient(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: log.db.runtimeUrl });
  await c.connect();
  return c;
}

const insertEvent = (c: pg.Client, action: string) => c.query(`INSERT INTO audit_events (actor_type, action, outcome) VALUES ('system', $1, 'success')`, [action]);

async function available(): Promise<boolean> {
  await guard.probeNow();
  return guard.isAvailable();
}

/** Committed events not yet covered by a checkpoint (what any snapshot can see waiting). */
async function committedUnsealed(): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM audit_events
    WHERE xact_id >= coalesce((SELECT max(xact_to) FROM audit_checkpoints), '0'::xid8)`.execute(log.db.owner);
  return rows[0]?.n ?? 0;
}

describe('the audit guard', () => {
  it('stays unavailable while a transaction still open holds an event older than the allowed lag, though no committed event waits', async () => {
    expect(await available()).toBe(true);
    const [first, second] = [await openClient(), await openClient()];
    try {
      await second.query('BEGIN');
      await first.query('BEGIN');
      await insertEvent(first, 'test.first-open');
      await log.append(1); // committed after the first open transaction: it cannot be sealed yet
      await insertEvent(second, 'test.second-open'); // a later transaction id than the committed event's
      await eventually(async () => ((await available()) ? undefined : true));

      await first.query('COMMIT');
      // The sealer now seals the committed event, up to the second transaction still open…
      await eventually(async () => ((await committedUnsealed()) === 0 ? true : undefined));
      // …whose event, inserted longer ago than the lag, is still unsealed.
      expect(await available()).toBe(false);
      expect(guard.lag()?.oldestUnsealedSeconds).toBeGreaterThan(1);

      await second.query('COMMIT');
      await log.sealed();
      await eventually(async () => ((await available()) ? true : undefined));
    } finally {
      await Promise.all([first.end(), second.end()]);
    }
  });
});
