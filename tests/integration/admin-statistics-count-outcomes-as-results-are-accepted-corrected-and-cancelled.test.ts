import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Statistics, StatisticsRow } from '../../gateway/src/api-types.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { webApiCalls, webHarnessWithAResult } from '../support/web-api-calls.js';

/**
 * The positive, negative and invalid counts: the result code is sealed, so the counts are kept
 * in the transactions that accept, correct and cancel results, and the statistics answer and
 * CSV read them. The harness's first result (negative, EXAMPLE_SUBMISSION's code) is counted too.
 */
const harness = webHarnessWithAResult();
const { as } = webApiCalls(harness);

const POSITIVE = '260373001';
const NEGATIVE = '260415000';
const INVALID = '455371000124106';

async function intake(path: string, body: unknown, key = randomUUID()): Promise<string> {
  const res = await harness().h.call('759999907', 'POST', path, { body, headers: { 'idempotency-key': key } });
  expect(res.status).toBe(202);
  return res.body.id as string;
}

/** Submits a result, then replays it under its key: a replay is not counted again. */
async function submit(result: string): Promise<string> {
  const body = syntheticResult();
  const key = randomUUID();
  const id = await intake('/api/v1/test-results', { ...body, test: { ...body.test, result } }, key);
  expect(await intake('/api/v1/test-results', { ...body, test: { ...body.test, result } }, key)).toBe(id);
  return id;
}

async function outcomes(): Promise<Pick<StatisticsRow, 'positive' | 'negative' | 'invalid'>> {
  const answer = (await as('admin', 'GET', '/api/web/v1/admin/statistics')).json() as Statistics;
  const rows = answer.rows.filter((r) => r.finess === '759999907');
  expect(rows).toHaveLength(1);
  const { positive, negative, invalid } = rows[0] as StatisticsRow;
  return { positive, negative, invalid };
}

describe('the statistics count outcomes', () => {
  it('per result in force: +1 on intake, moved by a correction that changes the result, −1 on cancellation', async () => {
    const negative = await submit(NEGATIVE);
    const positive = await submit(POSITIVE);
    const invalid = await submit(INVALID);
    expect(await outcomes()).toEqual({ positive: 1, negative: 2, invalid: 1 });

    const body = syntheticResult();
    await intake(`/api/v1/test-results/${negative}/corrections`, { reason: 'wrong-result', result: { ...body, test: { ...body.test, result: POSITIVE } } });
    expect(await outcomes()).toEqual({ positive: 2, negative: 1, invalid: 1 });

    // a correction that keeps the result keeps the counts
    const same = syntheticResult();
    await intake(`/api/v1/test-results/${positive}/corrections`, { reason: 'data-entry-error', result: { ...same, test: { ...same.test, result: POSITIVE } } });
    expect(await outcomes()).toEqual({ positive: 2, negative: 1, invalid: 1 });

    await intake(`/api/v1/test-results/${invalid}/cancellation`, { reason: 'entered-in-error' });
    expect(await outcomes()).toEqual({ positive: 2, negative: 1, invalid: 0 });
  });

  it('summed over the slots intakes add to, and taken away from whichever slot holds the count', async () => {
    const positive = await submit(POSITIVE);
    const before = await outcomes();
    // the whole positive count of the day gathered in the last slot, the others emptied
    const owner = harness().h.db.owner;
    await sql`INSERT INTO result_outcome_counts (pharmacy_id, day, outcome, slot, n) SELECT DISTINCT pharmacy_id, day, outcome, 7, 0 FROM result_outcome_counts WHERE outcome = 'positive' ON CONFLICT DO NOTHING`.execute(owner);
    await sql`UPDATE result_outcome_counts c SET n = CASE WHEN c.slot = 7 THEN (SELECT sum(t.n) FROM result_outcome_counts t WHERE (t.pharmacy_id, t.day, t.outcome) = (c.pharmacy_id, c.day, c.outcome)) ELSE 0 END WHERE c.outcome = 'positive'`.execute(owner);
    expect(await outcomes()).toEqual(before);
    await intake(`/api/v1/test-results/${positive}/cancellation`, { reason: 'entered-in-error' });
    expect(await outcomes()).toEqual({ ...before, positive: before.positive - 1 });
  });

  it('in the CSV export, in columns of their own', async () => {
    const csv = (await as('admin', 'GET', '/api/web/v1/admin/statistics?format=csv')).text.split('\r\n');
    expect(csv[0]).toBe('finess,name,period,total,delivered,cancelled,deadLettered,corrections,positive,negative,invalid');
    const row = csv.find((l) => l.startsWith('759999907,'));
    expect(row?.split(',').slice(-3)).toEqual(['2', '1', '0']);
  });

  it('never taking away the count of a result received before counts were kept', async () => {
    const before = await outcomes();
    const old = await submit(POSITIVE);
    await harness().h.db.owner.updateTable('test_results').set({ outcome_counted: false }).where('id', '=', old).execute();
    await intake(`/api/v1/test-results/${old}/cancellation`, { reason: 'entered-in-error' });
    // its own +1 stays: only results counted at intake are taken away
    expect(await outcomes()).toEqual({ ...before, positive: before.positive + 1 });
  });

  it('in a table that names no person and no result', async () => {
    const { rows } = await sql<{ column_name: string }>`SELECT column_name FROM information_schema.columns WHERE table_name = 'result_outcome_counts'`.execute(harness().h.db.owner);
    expect(rows.map((c) => c.column_name).sort()).toEqual(['day', 'n', 'outcome', 'pharmacy_id', 'slot']);
  });
});
