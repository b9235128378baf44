import { useState, type FormEvent } from 'react';
import type { Statistics } from '../../../gateway/src/api-types.js';
import { API } from '../api.js';
import { useI18n, type Language, type Translate } from '../i18n.js';
import { HourlyChart, peakOf, type HourlySeries } from './hourly-chart.js';
import { ProblemMessage } from '../problem-message.js';
import { useLoad } from './use-load.js';
import { TableScroll } from './table-scroll.js';

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

const OUTCOMES = ['positive', 'negative', 'invalid'] as const;

/** A `YYYY-MM-DD` day or `YYYY-MM` month, short, in the page's language ("4 déc.", "déc. 2026"). */
function periodLabel(key: string, language: Language): string {
  const [y, m, d] = key.split('-').map(Number) as [number, number, number | undefined];
  const when = new Date(Date.UTC(y, m - 1, d ?? 1));
  const parts: Intl.DateTimeFormatOptions = d === undefined ? { month: 'short', year: 'numeric' } : { day: 'numeric', month: 'short' };
  return new Intl.DateTimeFormat(language, { ...parts, timeZone: 'UTC' }).format(when);
}

/** The outcomes of every pharmacy shown, per period, drawn with the overview's chart. */
function OutcomesChart(props: { data: Statistics; t: Translate; language: Language }) {
  const { data, t, language } = props;
  const periods = [...new Set(data.rows.map((r) => r.period))].sort();
  const sum = (period: string, o: (typeof OUTCOMES)[number]) => data.rows.reduce((n, r) => (r.period === period ? n + r[o] : n), 0);
  const series: HourlySeries[] = OUTCOMES.map((o) => ({ label: t(`stats.${o}`), kind: 'bars', values: periods.map((p) => sum(p, o)) }));
  const label = (key: string) => periodLabel(key, language);
  const summary = (s: HourlySeries) => {
    const peak = peakOf(s.values);
    if (peak === null || peak.v === 0) return t('stats.outcomesNone', { series: s.label });
    const total = s.values.reduce<number>((n, v) => n + (v ?? 0), 0);
    return t('stats.outcomesSummary', { series: s.label, total, peak: peak.v, at: label(periods[peak.i] as string) });
  };
  const header = t(data.period === 'day' ? 'stats.dayHeader' : 'stats.monthHeader');
  return <HourlyChart title={t('stats.outcomes')} note={t('stats.outcomesNote')} hours={periods} series={series} axis={{ header, label, summary }} />;
}

/** Volumes and outcomes per pharmacy per day or month, a chart of the outcomes, and the same as a CSV file. */
export function StatisticsPage() {
  const { t, language } = useI18n();
  const today = new Date();
  const [form, setForm] = useState({ period: 'day', from: isoDay(new Date(today.getTime() - 30 * 86_400_000)), to: isoDay(today) });
  const [query, setQuery] = useState(form);
  const qs = new URLSearchParams(query).toString();
  const { data, failure } = useLoad<Statistics>(`/admin/statistics?${qs}`);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setQuery(form);
  };
  return (
    <>
      <h1>{t('stats.title')}</h1>
      <form className="row search" onSubmit={submit}>
        <div className="field">
          <label htmlFor="s-period">{t('stats.period')}</label>
          <select id="s-period" value={form.period} onChange={(e) => setForm({ ...form, period: e.target.value })}>
            <option value="day">{t('stats.day')}</option>
            <option value="month">{t('stats.month')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="s-from">{t('stats.from')}</label>
          <input id="s-from" type="date" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="s-to">{t('stats.to')}</label>
          <input id="s-to" type="date" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
        </div>
        <button type="submit" className="primary">{t('stats.show')}</button>
        {/* a plain link: the browser downloads with the session cookie, nothing inline */}
        <a className="button" href={`${API}/admin/statistics?${qs}&format=csv`} download>{t('stats.csv')}</a>
      </form>
      {failure !== undefined && <ProblemMessage error={failure} />}
      {data && data.rows.length > 0 && <OutcomesChart data={data} t={t} language={language} />}
      {data && (
        <TableScroll label={t('stats.title')}>
        <table>
          <thead>
            <tr><th scope="col">{t('results.pharmacy')}</th><th scope="col">{t(data.period === 'day' ? 'stats.dayHeader' : 'stats.monthHeader')}</th><th scope="col" className="num">{t('stats.total')}</th><th scope="col" className="num">{t('stats.delivered')}</th><th scope="col" className="num">{t('stats.cancelled')}</th><th scope="col" className="num">{t('stats.deadLettered')}</th>{OUTCOMES.map((o) => <th key={o} scope="col" className="num">{t(`stats.${o}`)}</th>)}</tr>
          </thead>
          <tbody>
            {data.rows.map((r) => (
              <tr key={`${r.finess}${r.period}`}>
                <td>{r.name} ({r.finess})</td><td>{r.period}</td><td className="num">{r.total}</td><td className="num">{r.delivered}</td><td className="num">{r.cancelled}</td><td className="num">{r.deadLettered}</td>{OUTCOMES.map((o) => <td key={o} className="num">{r[o]}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
        </TableScroll>
      )}
    </>
  );
}
