import { useI18n } from '../i18n.js';
import { ProblemMessage } from '../problem-message.js';
import { duration, useLoad } from './use-load.js';
import type { Overview } from '../../../gateway/src/api-types.js';


const REFRESH_MS = 10_000;

/** The figures an operator watches, and the last 24 hours as a chart. */
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
      <HourlyChart hourly={data.hourly} />
    </>
  );
}

const W = 720;
const H = 200;
const PAD = 28;

/** Bars of results received, a line of results delivered: hand-drawn SVG, no library. */
function HourlyChart(props: { hourly: Overview['hourly'] }) {
  const { t } = useI18n();
  const { hourly } = props;
  const max = Math.max(1, ...hourly.map((h) => Math.max(h.received, h.delivered)));
  const step = (W - 2 * PAD) / Math.max(1, hourly.length);
  const y = (v: number) => H - PAD - (v / max) * (H - 2 * PAD);
  const line = hourly.map((h, i) => `${i ? 'L' : 'M'}${PAD + i * step + step / 2},${y(h.delivered)}`).join(' ');
  return (
    <figure className="chart">
      <figcaption>{t('overview.chart')}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t('overview.chart')}>
        <line x1={PAD} x2={W - PAD} y1={H - PAD} y2={H - PAD} className="axis" />
        <text x={PAD - 4} y={PAD} className="tick" textAnchor="end">{max}</text>
        <text x={PAD - 4} y={H - PAD} className="tick" textAnchor="end">0</text>
        {hourly.map((h, i) => (
          <g key={h.hour}>
            <rect x={PAD + i * step + 2} y={y(h.received)} width={Math.max(1, step - 4)} height={H - PAD - y(h.received)} className="bar">
              <title>{`${new Date(h.hour).getHours()} h: ${h.received} ${t('overview.received')}, ${h.delivered} ${t('overview.delivered')}`}</title>
            </rect>
            {i % 3 === 0 && <text x={PAD + i * step + step / 2} y={H - PAD + 14} className="tick" textAnchor="middle">{`${new Date(h.hour).getHours()}h`}</text>}
          </g>
        ))}
        {hourly.length > 0 && <path d={line} className="line" />}
      </svg>
      <p className="legend"><span className="key bar-key" /> {t('overview.received')} <span className="key line-key" /> {t('overview.delivered')}</p>
    </figure>
  );
}
