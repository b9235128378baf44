import { sql } from 'kysely';
import type { Database } from '../db/index.js';
import { backlog, IN_FLIGHT_STATUSES } from '../results/lifecycle/index.js';
import type { Overview, OverviewHour } from '../api-types.js';

export type { Overview };

const HOUR_MS = 3_600_000;
const HOURS = 24;

interface HourRow {
  hour: Date;
  received: string;
  delivered: string;
  p50: number | null;
  p95: number | null;
  backlog: string;
  oldest: number | null;
  retrying: string;
  dead: string;
  lastHour: string;
  dayP50: number | null;
  dayP95: number | null;
}

/**
 * Reads the overview: the current queue, and per hour over the last day intake, deliveries
 * with their latency, the backlog and its oldest result, retries and dead letters.
 * @example const o = await readOverview(db, new Date()); o.hourly[23].backlog;
 */
export async function readOverview(db: Database, now: Date): Promise<Overview> {
  const firstHour = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - (HOURS - 1) * HOUR_MS);
  const [hours, queue, retrying, dead] = await Promise.all([
    hourlySeries(db, firstHour, now),
    backlog(db),
    // through outbox_due (pending only): no index serves outbox_messages by state 'dead'
    db.selectFrom('outbox_messages').select(sql<string>`count(*)`.as('n')).where('state', '=', 'pending').where('attempts', '>', 0).executeTakeFirstOrThrow(),
    // through test_results_purgeable; a dead-lettered result replaced by a correction is no longer waiting for a redrive
    db
      .selectFrom('test_results')
      .select(sql<string>`count(*)`.as('n'))
      .where('status', '=', 'dead-lettered')
      .where('purged_at', 'is', null)
      .where('superseded_by', 'is', null)
      .executeTakeFirstOrThrow(),
  ]);
  const byHour = new Map(hours.map((r) => [r.hour.getTime(), r]));
  const day = hours[0];
  return {
    receivedLastHour: Number(day?.lastHour ?? 0),
    backlog: queue,
    latency: { p50Seconds: nullableNumber(day?.dayP50 ?? null), p95Seconds: nullableNumber(day?.dayP95 ?? null) },
    retrying: Number(retrying.n),
    deadLetters: Number(dead.n),
    hourly: Array.from({ length: HOURS }, (_, i) => toHour(new Date(firstHour.getTime() + i * HOUR_MS), byHour)),
  };
}

/**
 * The hourly series, each row also carrying the day's figures. Rows read: those changed since
 * the first hour — each state change sets `updated_at`, so every receipt, delivery, failed
 * attempt and dead letter of the day — pharmacy by pharmacy through `test_results_listing
 * (pharmacy_id, updated_at, id)` (no index leads with a timestamp), plus those still waiting
 * unchanged since, through `test_results_purgeable (status, updated_at)`: together, every
 * result that was in the backlog at some hour of the day, at the cost of the day's rows.
 */
async function hourlySeries(db: Database, firstHour: Date, now: Date): Promise<HourRow[]> {
  const { rows } = await sql<HourRow>`
    with recent as materialized (
      select r.received_at, r.delivered_at, r.status, r.updated_at,
             case when r.delivered_at is not null then r.delivered_at
                  when r.status = 'cancelled' then r.cancelled_at
                  when r.status = 'dead-lettered' then r.updated_at end as settled_at
      from pharmacies p
      cross join lateral (select * from test_results r where r.pharmacy_id = p.id and r.updated_at >= ${firstHour}) r
      union all
      select r.received_at, r.delivered_at, r.status, r.updated_at, null
      from test_results r
      where r.status in (${sql.join(IN_FLIGHT_STATUSES.map((s) => sql.lit(s)))}) and r.purged_at is null and r.updated_at < ${firstHour}
    ),
    hours as (
      select h as hour, least(h + interval '1 hour', ${now}::timestamptz) as ends
      from generate_series(${firstHour}::timestamptz, ${now}::timestamptz, interval '1 hour') h
    ),
    events as (
      select date_trunc('hour', received_at, 'UTC') as hour, 'received' as kind, null::float8 as seconds from recent
      union all
      select date_trunc('hour', delivered_at, 'UTC'), 'delivered', extract(epoch from delivered_at - received_at)::float8
      from recent where delivered_at is not null
      union all
      select date_trunc('hour', updated_at, 'UTC'), status, null from recent where status in ('retrying', 'dead-lettered')
    ),
    -- only results that waited across an hour's end, or still wait: about 1 % of a normal day
    spans as materialized (
      select received_at, settled_at from recent
      where settled_at is null or date_trunc('hour', settled_at, 'UTC') > received_at
    ),
    waiting as (
      select h.hour, count(s.received_at) as backlog, extract(epoch from h.ends - min(s.received_at))::float8 as oldest
      from hours h
      left join spans s on s.received_at < h.ends and (s.settled_at is null or s.settled_at >= h.ends)
      group by h.hour, h.ends
    )
    select w.hour, w.backlog, w.oldest,
           count(e.kind) filter (where e.kind = 'received') as received,
           count(e.kind) filter (where e.kind = 'delivered') as delivered,
           percentile_cont(0.5) within group (order by e.seconds) as p50,
           percentile_cont(0.95) within group (order by e.seconds) as p95,
           count(e.kind) filter (where e.kind = 'retrying') as retrying,
           count(e.kind) filter (where e.kind = 'dead-lettered') as dead,
           (select count(*) from recent where received_at > ${new Date(now.getTime() - HOUR_MS)}) as "lastHour",
           (select percentile_cont(0.5) within group (order by seconds) from events) as "dayP50",
           (select percentile_cont(0.95) within group (order by seconds) from events) as "dayP95"
    from waiting w
    left join events e on e.hour = w.hour
    group by w.hour, w.backlog, w.oldest
    order by w.hour`.execute(db);
  return rows;
}

function toHour(hour: Date, byHour: Map<number, HourRow>): OverviewHour {
  const r = byHour.get(hour.getTime());
  return {
    hour: hour.toISOString(),
    received: Number(r?.received ?? 0),
    delivered: Number(r?.delivered ?? 0),
    latencyP50Seconds: nullableNumber(r?.p50 ?? null),
    latencyP95Seconds: nullableNumber(r?.p95 ?? null),
    backlog: Number(r?.backlog ?? 0),
    oldestPendingSeconds: nullableNumber(r?.oldest ?? null),
    retrying: Number(r?.retrying ?? 0),
    deadLettered: Number(r?.dead ?? 0),
  };
}

function nullableNumber(v: number | string | null): number | null {
  return v === null ? null : Number(v);
}
