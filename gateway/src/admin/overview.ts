import { sql } from 'kysely';
import type { Database } from '../db/index.js';
import { backlog } from '../outbox/index.js';
import type { Overview } from '../api-types.js';

export type { Overview };


const HOUR_MS = 3_600_000;
const HOURS = 24;

/**
 * Reads the overview: one pass over the last day of results (≈200 k rows for a large chain),
 * one over the queue's pending and dead messages.
 * @example const o = await readOverview(db, new Date()); o.backlog.pending;
 */
export async function readOverview(db: Database, now: Date): Promise<Overview> {
  const firstHour = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - (HOURS - 1) * HOUR_MS);
  const hourAgo = new Date(now.getTime() - HOUR_MS);
  const [day, delivered, p, queue, counts] = await Promise.all([
    db
      .selectFrom('test_results')
      .select([
        sql<Date>`date_trunc('hour', received_at, 'UTC')`.as('hour'),
        sql<string>`count(*)`.as('received'),
        sql<string>`count(*) filter (where received_at > ${hourAgo})`.as('lastHour'),
      ])
      .where('received_at', '>=', firstHour)
      .groupBy(sql`1`)
      .execute(),
    db
      .selectFrom('test_results')
      .select([
        sql<Date>`date_trunc('hour', delivered_at, 'UTC')`.as('hour'),
        sql<string>`count(*)`.as('delivered'),
      ])
      .where('delivered_at', '>=', firstHour)
      .groupBy(sql`1`)
      .execute(),
    db
      .selectFrom('test_results')
      .select([
        sql<number | null>`percentile_cont(0.5) within group (order by extract(epoch from delivered_at - received_at))`.as('p50'),
        sql<number | null>`percentile_cont(0.95) within group (order by extract(epoch from delivered_at - received_at))`.as('p95'),
      ])
      .where('delivered_at', '>', new Date(now.getTime() - HOURS * HOUR_MS))
      .executeTakeFirstOrThrow(),
    backlog(db),
    db
      .selectFrom('outbox_messages')
      .select([
        sql<string>`count(*) filter (where state = 'pending' and attempts > 0)`.as('retrying'),
        sql<string>`count(*) filter (where state = 'dead')`.as('dead'),
      ])
      .where('state', 'in', ['pending', 'dead'])
      .executeTakeFirstOrThrow(),
  ]);
  const receivedAt = new Map(day.map((r) => [r.hour.getTime(), Number(r.received)]));
  const deliveredAt = new Map(delivered.map((r) => [r.hour.getTime(), Number(r.delivered)]));
  return {
    receivedLastHour: day.reduce((n, r) => n + Number(r.lastHour), 0),
    backlog: queue,
    latency: { p50Seconds: p.p50 === null ? null : Number(p.p50), p95Seconds: p.p95 === null ? null : Number(p.p95) },
    retrying: Number(counts.retrying),
    deadLetters: Number(counts.dead),
    hourly: Array.from({ length: HOURS }, (_, i) => {
      const t = firstHour.getTime() + i * HOUR_MS;
      return { hour: new Date(t).toISOString(), received: receivedAt.get(t) ?? 0, delivered: deliveredAt.get(t) ?? 0 };
    }),
  };
}
