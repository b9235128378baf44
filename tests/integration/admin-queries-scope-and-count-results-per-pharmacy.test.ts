import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOverview } from '../../gateway/src/admin/overview.js';
import { readResultDetail, searchResults } from '../../gateway/src/admin/results-search.js';
import { readStatistics } from '../../gateway/src/admin/statistics.js';
import { NotFound, ValidationFailed } from '../../gateway/src/errors.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

let db: TestDatabase;
const pharmacy: Record<string, string> = {};
const ids = { deliveredA: randomUUID(), deadA: randomUUID(), lateEveningB: randomUUID(), correctionA: randomUUID() };

beforeAll(async () => {
  db = await testDatabase();
  for (const finess of ['759999907', '759999915']) {
    pharmacy[finess] = (await db.owner.insertInto('pharmacies').values({ finess, name: `Pharmacie ${finess}` }).returning('id').executeTakeFirstOrThrow()).id;
  }
  const a = pharmacy['759999907'] as string;
  const b = pharmacy['759999915'] as string;
  const now = Date.now();
  await db.owner
    .insertInto('test_results')
    .values([
      { id: ids.deliveredA, pharmacy_id: a, status: 'delivered', received_at: new Date(now - 120_000), delivered_at: new Date(now - 60_000), sidep_ack_id: 'ack-1' },
      { id: ids.deadA, pharmacy_id: a, status: 'dead-lettered', received_at: new Date(now - 30_000), problem_code: 'sidep-rejected' },
      // 23:30 in Paris on 31 Jan is 1 Feb in UTC: the statistics count it on 31 January
      { id: ids.lateEveningB, pharmacy_id: b, status: 'delivered', received_at: new Date('2025-01-31T22:30:00Z'), delivered_at: new Date('2025-01-31T22:31:00Z') },
    ])
    .execute();
  await db.owner.insertInto('test_results').values({ id: ids.correctionA, pharmacy_id: a, status: 'received', corrects: ids.deliveredA, received_at: new Date(now - 10_000) }).execute();
  await db.owner
    .insertInto('outbox_messages')
    .values([
      { id: randomUUID(), result_id: ids.deliveredA, kind: 'original', state: 'delivered', attempts: 1, delivered_at: new Date(now - 60_000), ack_id: 'ack-1' },
      { id: randomUUID(), result_id: ids.deadA, kind: 'original', state: 'dead', attempts: 3, dead_reason: JSON.stringify({ code: 'sidep-rejected', httpStatus: 422, issues: [{ code: 'invalid', expression: 'Patient.name' }] }) },
      { id: randomUUID(), result_id: ids.correctionA, kind: 'correction', state: 'pending', attempts: 2, last_error_code: 'sidep-unavailable' },
    ])
    .execute();
});

afterAll(async () => {
  await db?.drop();
});

describe('admin queries, run as the least-privileged runtime role', () => {
  it('searches every pharmacy for a chain-wide role and only its own for a pharmacy manager', async () => {
    const all = await searchResults(db.runtime, { all: true }, {});
    expect(all.items.map((r) => r.id).sort()).toEqual(Object.values(ids).sort());
    const own = await searchResults(db.runtime, { all: false, pharmacyIds: [pharmacy['759999915'] as string] }, {});
    expect(own.items.map((r) => r.id)).toEqual([ids.lateEveningB]);
    const none = await searchResults(db.runtime, { all: false, pharmacyIds: [] }, {});
    expect(none.items).toEqual([]);
  });

  it('finds by id and by status, and refuses anything else by pointer', async () => {
    expect((await searchResults(db.runtime, { all: true }, { status: 'dead-lettered' })).items.map((r) => r.id)).toEqual([ids.deadA]);
    expect((await searchResults(db.runtime, { all: true }, { id: ids.deliveredA.toUpperCase() })).items).toHaveLength(1);
    await expect(searchResults(db.runtime, { all: true }, { id: 'x', status: 'lost' })).rejects.toMatchObject({ errors: [{ pointer: '/id', code: 'invalid-type' }, { pointer: '/status', code: 'invalid-type' }] });
    await expect(searchResults(db.runtime, { all: true }, { status: 'lost' })).rejects.toBeInstanceOf(ValidationFailed);
  });

  it('shows a result’s history and attempts without personal data, and another pharmacy’s result as not found', async () => {
    const detail = await readResultDetail(db.runtime, { all: true }, ids.deadA);
    expect(detail.history.map((h) => h.event)).toEqual(['received', 'dead-lettered']);
    expect(detail.messages[0]).toMatchObject({ state: 'dead', attempts: 3, deadReason: { code: 'sidep-rejected', httpStatus: 422 } });
    expect(JSON.stringify(detail)).not.toContain('Patient.name');
    const delivered = await readResultDetail(db.runtime, { all: true }, ids.deliveredA);
    expect(delivered.history.map((h) => h.event)).toEqual(['received', 'delivered']);
    await expect(readResultDetail(db.runtime, { all: false, pharmacyIds: [pharmacy['759999915'] as string] }, ids.deadA)).rejects.toBeInstanceOf(NotFound);
    await expect(readResultDetail(db.runtime, { all: true }, 'not-a-uuid')).rejects.toBeInstanceOf(NotFound);
  });

  it('counts results per pharmacy and Paris day or month, corrections apart, with the outcomes kept for each', async () => {
    const parisToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
    await db.owner
      .insertInto('result_outcome_counts')
      .values([
        { pharmacy_id: pharmacy['759999915'] as string, day: '2025-01-31', outcome: 'positive', n: 1 },
        { pharmacy_id: pharmacy['759999907'] as string, day: parisToday, outcome: 'negative', n: 2 },
        { pharmacy_id: pharmacy['759999907'] as string, day: parisToday, outcome: 'invalid', n: 1 },
      ])
      .execute();
    const days = await readStatistics(db.runtime, { all: true }, { period: 'day', from: '2025-01-31', to: '2025-02-01', format: 'json' });
    expect(days).toEqual([{ finess: '759999915', name: 'Pharmacie 759999915', period: '2025-01-31', total: 1, delivered: 1, cancelled: 0, deadLettered: 0, corrections: 0, positive: 1, negative: 0, invalid: 0 }]);
    const today = new Date().toISOString().slice(0, 10);
    const months = await readStatistics(db.runtime, { all: false, pharmacyIds: [pharmacy['759999907'] as string] }, { period: 'month', from: '2020-01-01', to: today, format: 'json' });
    expect(months).toHaveLength(1);
    expect(months[0]).toMatchObject({ finess: '759999907', total: 2, delivered: 1, deadLettered: 1, corrections: 1, positive: 0, negative: 2, invalid: 1 });
  });

  it('reports intake, backlog, latency, retries and dead letters from the tables', async () => {
    const o = await readOverview(db.runtime, new Date());
    expect(o).toMatchObject({ receivedLastHour: 3, backlog: { pending: 1 }, retrying: 1, deadLetters: 1 });
    expect(o.latency.p95Seconds).toBeCloseTo(60, 0);
    expect(o.hourly).toHaveLength(24);
    expect(o.hourly.reduce((n, h) => n + h.received, 0)).toBe(3);
  });
});
