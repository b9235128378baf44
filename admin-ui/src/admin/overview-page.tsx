import type { ComponentProps } from 'react';
import { useI18n } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import { HourlyChart } from './hourly-chart.js';
import { duration, useLoad } from './use-load.js';
import type { Overview, OverviewHour } from '../../../gateway/src/api-types.js';


const REFRESH_MS = 10_000;

/** The figures an operator watches, then each of them per hour over the last 24 hours. */
export function OverviewPage() {
  const { t } = useI18n();
  const { data, failure } = useLoad<Overview>('/admin/overview', REFRESH_MS);
  if (failure) return <ProblemMessage error={failure} />;
  if (!data) return <p>{t('app.loading')}</p>;
  const figures: [string, string, boolean][] = [
    [t('overview.intakeRate'), String(data.receivedLastHour), false],
    [t('overview.backlog'), String(data.backlog.pending), false],
    [t('overview.oldestPending'), data.backlog.pending ? duration(data.backlog.oldestAgeSeconds) : '—', data.backlog.oldestAgeSeconds > 900],
    [t('overview.latency'), duration(data.latency.p95Seconds), (data.latency.p95Seconds ?? 0) > 60],
    [t('overview.failures'), String(data.retrying), data.retrying > 0],
    [t('overview.deadLetters'), String(data.deadLetters), data.deadLetters > 0],
  ];
  const hours = data.hourly.map((h) => h.hour);
  const per = (pick: (h: OverviewHour) => number | null) => data.hourly.map(pick);
  const charts: ComponentProps<typeof HourlyChart>[] = [
    {
      title: t('overview.chart.intake'), note: t('overview.chart.intakeNote'), hours,
      series: [
        { label: t('overview.received'), kind: 'bars', values: per((h) => h.received) },
        { label: t('overview.delivered'), kind: 'line', values: per((h) => h.delivered) },
      ],
    },
    {
      title: t('overview.chart.latency'), hours, format: duration,
      series: [
        { label: 'p50', kind: 'line', values: per((h) => h.latencyP50Seconds) },
        { label: 'p95', kind: 'line', values: per((h) => h.latencyP95Seconds) },
      ],
    },
    { title: t('overview.chart.backlog'), hours, series: [{ label: t('overview.waiting'), kind: 'bars', values: per((h) => h.backlog) }] },
    { title: t('overview.chart.oldest'), hours, format: duration, series: [{ label: t('overview.oldestPending'), kind: 'line', values: per((h) => h.oldestPendingSeconds) }] },
    {
      title: t('overview.chart.failures'), note: t('overview.chart.failuresNote'), hours,
      series: [
        { label: t('overview.retrying'), kind: 'bars', values: per((h) => h.retrying) },
        { label: t('overview.deadLettered'), kind: 'bars', values: per((h) => h.deadLettered) },
      ],
    },
  ];
  return (
    <>
      <h1>{t('overview.title')}</h1>
      <ul className="figures">
        {figures.map(([label, value, warn]) => (
          <li key={label} className={warn ? 'warn' : undefined}>
            <span className="figure">{value}</span>
            <span className="label">{label}</span>
          </li>
        ))}
      </ul>
      <h2>{t('overview.charts')}</h2>
      <div className="charts">
        {charts.map((c) => <HourlyChart key={c.title} {...c} />)}
      </div>
    </>
  );
}
