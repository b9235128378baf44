import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOverview, type Overview } from '../../gateway/src/admin/overview.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

// The chart's 24 hours run from 13:00 UTC on the 14th to the current hour, 12:00 on the 15th.
const now = new Date('2030-01-15T12:30:00Z');
const at = (day: 13 | 14 | 15, time: string) => new Date(`2030-01-${day}T${time}:00Z`);
/** Index in `hourly` of the hour starting at `time` on the 15th. */
const hourOf15th = (time: string) => 11 + Number(time.slice(0, 2));

let db: TestDatabase;
let overview: Overview;

beforeAll(async () => {
  db = await testDatabase();
  const pharmacy = (await db.owner.insertInto('pharmacies').values({ finess: '759999907', name: 'Pharmacie 759999907' }).returning('id').executeTakeFirstOrThrow()).id;
  const ids = Array.from({ length: 8 }, () => randomUUID());
  const row = (i: number, status: 'delivered' | 'retrying' | 'dead-lettered', receivedAt: Date, updatedAt: Date, deliveredAt: Date | null = null) => ({
    id: ids[i] as string, pharmacy_id: pharmacy, status, received_at: receivedAt, updated_at: updatedAt, delivered_at: deliveredAt,
  });
  await db.owner
    .insertInto('test_results')
    .values([
      row(0, 'delivered', at(15, '10:05'), at(15, '10:06'), at(15, '10:06')),
      row(1, 'delivered', at(15, '10:10'), at(15, '10:13'), at(15, '10:13')),
      // waits across the ends of three hours
      row(2, 'delivered', at(15, '08:50'), at(15, '11:20'), at(15, '11:20')),
      // waiting since before the chart, unchanged since: part of every hour's backlog
      row(3, 'retrying', at(14, '10:00'), at(14, '11:00')),
      row(4, 'retrying', at(15, '10:40'), at(15, '11:45')),
      row(5, 'dead-lettered', at(15, '12:05'), at(15, '12:10')),
      row(6, 'delivered', at(13, '09:00'), at(13, '09:01'), at(13, '09:01')),
      // replaced by a correction: no longer a dead letter to redrive
      { ...row(7, 'dead-lettered', at(13, '10:00'), at(13, '10:05')), superseded_by: ids[0] as string },
    ])
    .execute();
  await db.owner
    .insertInto('outbox_messages')
    .values([
      { id: randomUUID(), result_id: ids[3] as string, kind: 'original', state: 'pending', attempts: 7, created_at: at(14, '10:00') },
      { id: randomUUID(), result_id: ids[4] as string, kind: 'original', state: 'pending', attempts: 2, created_at: at(15, '10:40') },
      { id: randomUUID(), result_id: ids[5] as string, kind: 'original', state: 'dead', attempts: 1, created_at: at(15, '12:05') },
    ])
    .execute();
  overview = await readOverview(db.runtime, now);
});

afterAll(async () => {
  await db?.drop();
});

describe('the overview, read as the runtime role from result timestamps', () => {
  it('labels 24 hours, oldest first, ending with the current one', () => {
    expect(overview.hourly.map((h) => h.hour)).toHaveLength(24);
    expect(overview.hourly[0]?.hour).toBe('2030-01-14T13:00:00.000Z');
    expect(overview.hourly[23]?.hour).toBe('2030-01-15T12:00:00.000Z');
  });

  it('counts results received and delivered in each hour, nothing from before the chart', () => {
    const received = new Array(24).fill(0);
    received[hourOf15th('08:00')] = 1;
    received[hourOf15th('10:00')] = 3;
    received[hourOf15th('12:00')] = 1;
    expect(overview.hourly.map((h) => h.received)).toEqual(received);
    const delivered = new Array(24).fill(0);
    delivered[hourOf15th('10:00')] = 2;
    delivered[hourOf15th('11:00')] = 1;
    expect(overview.hourly.map((h) => h.delivered)).toEqual(delivered);
    expect(overview.receivedLastHour).toBe(1);
  });

  it('gives each hour’s delivery latency p50 and p95, receipt to delivery, and the day’s', () => {
    const ten = overview.hourly[hourOf15th('10:00')];
    expect(ten?.latencyP50Seconds).toBeCloseTo(120, 6);
    expect(ten?.latencyP95Seconds).toBeCloseTo(174, 6);
    expect(overview.hourly[hourOf15th('11:00')]).toMatchObject({ latencyP50Seconds: 9000, latencyP95Seconds: 9000 });
    expect(overview.hourly[hourOf15th('09:00')]).toMatchObject({ latencyP50Seconds: null, latencyP95Seconds: null });
    expect(overview.latency.p50Seconds).toBeCloseTo(180, 6);
    expect(overview.latency.p95Seconds).toBeCloseTo(8118, 6);
  });

  it('measures the backlog and its oldest result at the end of each hour, and now for the current one', () => {
    const backlog = new Array(24).fill(1);
    backlog[hourOf15th('08:00')] = 2;
    backlog[hourOf15th('09:00')] = 2;
    backlog[hourOf15th('10:00')] = 3;
    backlog[hourOf15th('11:00')] = 2;
    backlog[hourOf15th('12:00')] = 2;
    expect(overview.hourly.map((h) => h.backlog)).toEqual(backlog);
    expect(overview.hourly[0]?.oldestPendingSeconds).toBe(4 * 3600);
    expect(overview.hourly[23]?.oldestPendingSeconds).toBe(26.5 * 3600);
  });

  it('places retries and dead letters in the hour of the failure, and counts the queue now', () => {
    const retrying = new Array(24).fill(0);
    retrying[hourOf15th('11:00')] = 1;
    expect(overview.hourly.map((h) => h.retrying)).toEqual(retrying);
    const dead = new Array(24).fill(0);
    dead[hourOf15th('12:00')] = 1;
    expect(overview.hourly.map((h) => h.deadLettered)).toEqual(dead);
    expect(overview).toMatchObject({ backlog: { pending: 2 }, retrying: 2, deadLetters: 1 });
  });
});
