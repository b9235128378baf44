import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { purgeExpired } from '../../gateway/src/results/lifecycle/index.js';
import { bulkAuditEvents, bulkResults } from '../support/bulk-rows.js';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';

/**
 * The statements the hot paths send, caught at the driver as the gateway runs them (so that the
 * list follows the code), planned with EXPLAIN on 100,000 results and twice as many audit events
 * after ANALYZE: none may read a big table (10,000 rows or more) from end to end.
 */
const RESULTS = 100_000;
const BIG_TABLE_ROWS = 10_000;

let h: Harness;
const caught = new Map<string, unknown[]>();
let spy: ReturnType<typeof vi.spyOn> | undefined;

beforeAll(async () => {
  h = await startHarness({ retention: { purgeIntervalSeconds: 3_600 } as never });
  await bulkResults(h.db.ownerUrl, { pharmacyIds: Object.values(h.pharmacyIds), count: RESULTS });
  await bulkAuditEvents(h.db.ownerUrl, { count: 2 * RESULTS });
  // callbacks of an endpoint removed long ago: the claim's table at size, nothing to send
  await sql`
    WITH e AS (
      INSERT INTO webhook_endpoints (pharmacy_id, url, events, secret_current, created_by, disabled_at)
      VALUES (${h.pharmacyIds[PHARMACY_A]}::uuid, 'https://callbacks.invalid/', ARRAY['result.delivered'], 'local:v1:none', 'bulk', now()) RETURNING id)
    INSERT INTO webhook_events (endpoint_id, subject_id, type, payload, status, delivered_at)
    SELECT e.id, md5('r' || i)::uuid::text, 'result.delivered', '{}'::jsonb, 'delivered', now() FROM e, generate_series(1, ${RESULTS}) i`.execute(h.db.owner);
  // the sealer seals the bulk events before anything is caught
  await eventually(async () => {
    const { rows } = await sql<{ waiting: boolean }>`SELECT EXISTS (SELECT 1 FROM audit_events WHERE xact_id >= coalesce((SELECT max(xact_to) FROM audit_checkpoints), '0'::xid8)) AS waiting`.execute(h.db.owner);
    return rows[0]?.waiting ? undefined : true;
  }, 240_000);
  await sql`ANALYZE`.execute(h.db.owner);
  spy = vi.spyOn(pg.Client.prototype, 'query');
  await driveHotPaths();
  for (const call of spy.mock.calls) {
    const [text, values] = call as [unknown, unknown];
    if (typeof text === 'string' && /^\s*(WITH|SELECT|INSERT|UPDATE|DELETE)\b/i.test(text) && !caught.has(text)) caught.set(text, Array.isArray(values) ? values : []);
  }
  spy.mockRestore();
}, 600_000);
afterAll(async () => {
  spy?.mockRestore();
  await h?.close();
});

/** Intake (new, replayed, duplicate), status and listing, relay claim and settle, receipt, purge, sealing, callbacks. */
async function driveHotPaths(): Promise<void> {
  const body = syntheticResult({ pharmacyFiness: PHARMACY_A });
  const key = randomUUID();
  const submit = (k: string) => h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body, headers: { 'idempotency-key': k } });
  const first = await submit(key);
  expect(first.status).toBe(202);
  expect((await submit(key)).status).toBe(202);
  expect((await submit(randomUUID())).status).toBe(409);
  const id = first.body.id as string;
  await eventually(async () => ((await h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`)).body.status === 'delivered' ? true : undefined));
  expect((await h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}/receipt`)).status).toBe(200);
  expect((await h.call(PHARMACY_A, 'GET', '/api/v1/test-results?status=delivered&limit=10')).status).toBe(200);
  expect((await purgeExpired(h.db.runtime, { retention: { deliveredDays: 7, deadLetteredDays: 30 }, keyManager: { dataKeyWindowMinutes: 60 } })).results).toBeGreaterThan(0);
  // the periodic ones: the sealer sealing this run's events, the callbacks worker's claim
  const seen = (part: string) => spy?.mock.calls.some(([t]) => typeof t === 'string' && t.includes(part));
  // (a miss shows in the first test, which names the statement not caught)
  await eventually(async () => (seen('INSERT INTO audit_checkpoints') && seen('FOR UPDATE OF e SKIP LOCKED') ? true : undefined), 30_000).catch(() => undefined);
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

function seqScans(node: PlanNode, big: Set<string>): string[] {
  const here = node['Node Type'] === 'Seq Scan' && node['Relation Name'] && big.has(node['Relation Name']) ? [node['Relation Name']] : [];
  return [...here, ...(node.Plans ?? []).flatMap((p) => seqScans(p, big))];
}

describe('hot-path statements at 100,000 results', () => {
  it('catches the statements of every hot path', () => {
    const texts = [...caught.keys()].join('\n').replace(/"/g, '').toLowerCase();
    const paths = {
      intake: 'insert into idempotency_keys',
      'idempotency replay': 'from idempotency_keys where pharmacy_id',
      'relay claim': 'for update skip locked',
      'relay settle': "set state = 'delivered'",
      'status read': 'left join lateral',
      receipt: 'receipt_jws',
      'purge selection': 'purged_at is null',
      'purge deletes': 'delete from idempotency_keys',
      'audit sealing': 'insert into audit_checkpoints',
      'audit tail': 'from audit_events where xact_id >=',
      'callbacks claim': 'for update of e skip locked',
    };
    for (const [path, part] of Object.entries(paths)) expect(texts, path).toContain(part);
  });

  it('plans none that reads a table of 10,000 rows or more from end to end', async () => {
    const { rows } = await sql<{ relname: string }>`SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND reltuples >= ${BIG_TABLE_ROWS}`.execute(h.db.owner);
    const big = new Set(rows.map((r) => r.relname));
    expect([...big]).toEqual(expect.arrayContaining(['test_results', 'outbox_messages', 'idempotency_keys', 'audit_events', 'webhook_events']));
    const client = new pg.Client({ connectionString: h.db.ownerUrl });
    await client.connect();
    const scans: { statement: string; tables: string[]; plan: unknown }[] = [];
    try {
      for (const [text, values] of caught) {
        const { rows: plan } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${text}`, values);
        const root = plan[0]?.['QUERY PLAN'][0].Plan as PlanNode;
        const tables = seqScans(root, big);
        if (tables.length) scans.push({ statement: text.replace(/\s+/g, ' ').slice(0, 300), tables, plan: root });
      }
    } finally {
      await client.end();
    }
    expect(scans.map(({ statement, tables }) => ({ statement, tables })), JSON.stringify(scans, null, 1).slice(0, 20_000)).toEqual([]);
  });
});
