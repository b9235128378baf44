import { z } from '@hono/zod-openapi';
import { sql, type RawBuilder } from 'kysely';
import type { StatisticsRow } from '../api-types.js';
import type { Database } from '../db/index.js';
import { ValidationFailed, type FieldIssue } from '../errors.js';
import type { PharmacyScope } from '../auth/rbac.js';

/** A validated statistics query: whole Paris days, `from` and `to` included. */
export interface StatisticsQuery {
  period: 'day' | 'month';
  from: string;
  to: string;
  format: 'json' | 'csv';
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 732; // two years of days: a bounded answer

function isCalendarDay(s: string): boolean {
  if (!DAY.test(s)) return false;
  const t = Date.parse(`${s}T00:00:00Z`);
  // 2025-02-30 parses to March: only a day that formats back to itself exists
  return !Number.isNaN(t) && new Date(t).toISOString().startsWith(s);
}

/** The query `parseStatisticsQuery` checks, for the route's declaration (its own checks answer the faults). */
export const STATISTICS_QUERY = z.object({
  period: z.enum(['day', 'month']).optional().openapi({ description: 'default day' }),
  from: z.string().optional().openapi({ description: 'YYYY-MM-DD (Europe/Paris), default 30 days before `to`' }),
  to: z.string().optional().openapi({ description: 'YYYY-MM-DD (Europe/Paris), default today; at most 732 days after `from`' }),
  format: z.enum(['json', 'csv']).optional().openapi({ description: 'default json' }),
});

/**
 * Parses `?period=&from=&to=&format=` (every field checked, every fault reported, values never
 * echoed). Defaults: by day, the last 31 days up to `today`, JSON.
 * @example parseStatisticsQuery({ period: 'month', from: '2025-01-01', to: '2025-12-31' }, '2025-11-25');
 */
export function parseStatisticsQuery(raw: Record<string, string | undefined>, today: string): StatisticsQuery {
  const errors: FieldIssue[] = [];
  const period = raw.period ?? 'day';
  if (period !== 'day' && period !== 'month') errors.push({ pointer: '/period', code: 'invalid-type' });
  const format = raw.format ?? 'json';
  if (format !== 'json' && format !== 'csv') errors.push({ pointer: '/format', code: 'invalid-type' });
  const to = raw.to ?? today;
  const toOk = isCalendarDay(to);
  const from = raw.from ?? (toOk ? new Date(Date.parse(`${to}T00:00:00Z`) - 30 * 86_400_000).toISOString().slice(0, 10) : to);
  const fromOk = raw.from === undefined ? toOk : isCalendarDay(from);
  if (!fromOk && raw.from !== undefined) errors.push({ pointer: '/from', code: 'invalid-type' });
  if (!toOk) errors.push({ pointer: '/to', code: 'invalid-type' });
  if (fromOk && toOk) {
    const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
    if (days < 0 || days > MAX_DAYS) errors.push({ pointer: '/to', code: 'date-range' });
  }
  if (errors.length) throw new ValidationFailed(errors);
  return { period: period as StatisticsQuery['period'], from, to, format: format as StatisticsQuery['format'] };
}

function bucketOf(period: StatisticsQuery['period'], parisTime: RawBuilder<unknown>) {
  const unit = period === 'day' ? sql.lit('day') : sql.lit('month');
  const format = period === 'day' ? sql.lit('YYYY-MM-DD') : sql.lit('YYYY-MM');
  return sql<string>`to_char(date_trunc(${unit}, ${parisTime}), ${format})`;
}

const NO_PHARMACY = '00000000-0000-0000-0000-000000000000';

/** Results in force per pharmacy, period and outcome, from the counts kept as results change (the result code itself is sealed). */
async function readOutcomes(db: Database, scope: PharmacyScope, q: StatisticsQuery) {
  let query = db
    .selectFrom('result_outcome_counts as c')
    .innerJoin('pharmacies as p', 'p.id', 'c.pharmacy_id')
    .select([
      'p.finess',
      'p.name',
      bucketOf(q.period, sql`c.day`).as('period'),
      sql<string>`coalesce(sum(c.n) filter (where c.outcome = 'positive'), 0)`.as('positive'),
      sql<string>`coalesce(sum(c.n) filter (where c.outcome = 'negative'), 0)`.as('negative'),
      sql<string>`coalesce(sum(c.n) filter (where c.outcome = 'invalid'), 0)`.as('invalid'),
    ])
    .where('c.day', '>=', sql<Date>`${q.from}::date`)
    .where('c.day', '<=', sql<Date>`${q.to}::date`)
    .groupBy(['p.finess', 'p.name', sql`3`]);
  if (!scope.all) query = query.where('c.pharmacy_id', 'in', scope.pharmacyIds.length ? [...scope.pharmacyIds] : [NO_PHARMACY]);
  return query.execute();
}

/**
 * Volumes per pharmacy and period, counted on receipts (which outlive the purge of personal
 * data), so a chain can split costs between pharmacies; and the outcomes of the results in
 * force, by the day each was received.
 */
export async function readStatistics(db: Database, scope: PharmacyScope, q: StatisticsQuery): Promise<StatisticsRow[]> {
  const bucket = bucketOf(q.period, sql`r.received_at at time zone 'Europe/Paris'`);
  let query = db
    .selectFrom('test_results as r')
    .innerJoin('pharmacies as p', 'p.id', 'r.pharmacy_id')
    .select([
      'p.finess',
      'p.name',
      bucket.as('period'),
      sql<string>`count(*) filter (where r.corrects is null)`.as('total'),
      sql<string>`count(*) filter (where r.status = 'delivered')`.as('delivered'),
      sql<string>`count(*) filter (where r.status = 'cancelled')`.as('cancelled'),
      sql<string>`count(*) filter (where r.status = 'dead-lettered')`.as('deadLettered'),
      sql<string>`count(*) filter (where r.corrects is not null)`.as('corrections'),
    ])
    .where(sql<boolean>`r.received_at >= (${q.from}::date::timestamp at time zone 'Europe/Paris')`)
    .where(sql<boolean>`r.received_at < ((${q.to}::date + 1)::timestamp at time zone 'Europe/Paris')`)
    .groupBy(['p.finess', 'p.name', sql`3`])
    .orderBy('p.finess')
    .orderBy(sql`3`);
  if (!scope.all) query = query.where('r.pharmacy_id', 'in', scope.pharmacyIds.length ? [...scope.pharmacyIds] : [NO_PHARMACY]);
  const [rows, outcomes] = await Promise.all([query.execute(), readOutcomes(db, scope, q)]);
  const outcomeOf = new Map(outcomes.map((o) => [`${o.finess} ${o.period}`, o]));
  return rows.map((r) => {
    const o = outcomeOf.get(`${r.finess} ${r.period}`);
    return {
      finess: r.finess,
      name: r.name,
      period: r.period,
      total: Number(r.total),
      delivered: Number(r.delivered),
      cancelled: Number(r.cancelled),
      deadLettered: Number(r.deadLettered),
      corrections: Number(r.corrections),
      positive: Number(o?.positive ?? 0),
      negative: Number(o?.negative ?? 0),
      invalid: Number(o?.invalid ?? 0),
    };
  });
}

const CSV_COLUMNS = ['finess', 'name', 'period', 'total', 'delivered', 'cancelled', 'deadLettered', 'corrections', 'positive', 'negative', 'invalid'] as const;

/** RFC 4180 field; a leading `= + - @` is quoted away so a spreadsheet never runs it (CSV injection). */
function csvField(v: string | number): string {
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n']/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The rows as CSV with a header line, CRLF line ends (RFC 4180). */
export function statisticsCsv(rows: StatisticsRow[]): string {
  return [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => csvField(r[c])).join(','))].map((l) => `${l}\r\n`).join('');
}
