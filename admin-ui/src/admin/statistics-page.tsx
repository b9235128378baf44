import { useState, type FormEvent } from 'react';
import type { Statistics } from '../../../gateway/src/api-types.js';
import { API } from '../api.js';
import { useI18n } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import { useLoad } from './use-load.js';

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Volumes per pharmacy per day or month, and the same as a CSV file. */
export function StatisticsPage() {
  const { t } = useI18n();
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
      {data && (
        <table>
          <thead>
            <tr><th scope="col">{t('results.pharmacy')}</th><th scope="col">{t(data.period === 'day' ? 'stats.dayHeader' : 'stats.monthHeader')}</th><th scope="col" className="num">{t('stats.total')}</th><th scope="col" className="num">{t('stats.delivered')}</th><th scope="col" className="num">{t('stats.cancelled')}</th><th scope="col" className="num">{t('stats.deadLettered')}</th></tr>
          </thead>
          <tbody>
            {data.rows.map((r) => (
              <tr key={`${r.finess}${r.period}`}>
                <td>{r.name} ({r.finess})</td><td>{r.period}</td><td className="num">{r.total}</td><td className="num">{r.delivered}</td><td className="num">{r.cancelled}</td><td className="num">{r.deadLettered}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
