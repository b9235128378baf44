import { useId } from 'react';
import { useI18n } from '../i18n.js';

/** One series of an hourly chart: bars (side by side when several) or a line with markers. */
export interface HourlySeries {
  label: string;
  kind: 'bars' | 'line';
  /** One value per hour; null draws nothing (no delivery, hence no latency, in that hour). */
  values: (number | null)[];
}

/** Periods other than hours (days, months) on the horizontal axis: how one reads, the table's first header, and the summary of a series. */
export interface ChartAxis {
  header: string;
  label: (key: string) => string;
  summary: (series: HourlySeries) => string;
}

const W = 480;
const H = 200;
const LEFT = 76;
const RIGHT = 12;
const TOP = 12;
const BOTTOM = 24;

/**
 * A chart of values per hour, drawn as SVG with classes only (the CSP forbids inline styles,
 * which charting libraries set). Series differ by shape as well as colour — bars, solid or
 * dashed lines, circle or square markers — and a caption, a text summary and a table give
 * the same figures to a screen reader. With an `axis`, `hours` are other periods' keys.
 * @example <HourlyChart title="Backlog" hours={o.hourly.map((h) => h.hour)} series={[{ label: 'waiting', kind: 'bars', values }]} />
 */
export function HourlyChart(props: { title: string; note?: string; hours: string[]; series: HourlySeries[]; format?: (v: number) => string; axis?: ChartAxis }) {
  const { t } = useI18n();
  const { hours, series } = props;
  const format = props.format ?? String;
  const id = useId();
  const max = Math.max(1, ...series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const step = (W - LEFT - RIGHT) / Math.max(1, hours.length);
  const y = (v: number) => H - BOTTOM - (v / max) * (H - TOP - BOTTOM);
  const x = (i: number) => LEFT + i * step + step / 2;
  const bars = series.filter((s) => s.kind === 'bars');
  const barWidth = Math.max(1, (step - 4) / Math.max(1, bars.length));
  const hourLabel = props.axis?.label ?? ((iso: string) => `${new Date(iso).getHours()} h`);
  const summary = series
    .map((s) => {
      if (props.axis) return props.axis.summary(s);
      const peak = peakOf(s.values);
      const latest = s.values[s.values.length - 1] ?? null;
      if (peak === null || peak.v === 0) return t('chart.summaryNone', { series: s.label });
      return t('chart.summary', {
        series: s.label,
        latest: latest === null ? '—' : format(latest),
        peak: format(peak.v),
        at: hourLabel(hours[peak.i] as string),
      });
    })
    .join(' ');
  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>{props.title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title`} aria-describedby={`${id}-summary`}>
        <line x1={LEFT} x2={W - RIGHT} y1={H - BOTTOM} y2={H - BOTTOM} className="axis" />
        <line x1={LEFT} x2={W - RIGHT} y1={TOP} y2={TOP} className="grid" />
        <text x={LEFT - 6} y={TOP + 4} className="tick" textAnchor="end">{format(max)}</text>
        <text x={LEFT - 6} y={H - BOTTOM} className="tick" textAnchor="end">{format(0)}</text>
        {hours.map((h, i) =>
          i % 4 === 0 ? <text key={h} x={x(i)} y={H - BOTTOM + 16} className="tick" textAnchor="middle">{hourLabel(h)}</text> : null,
        )}
        {series.map((s, n) =>
          s.kind === 'bars' ? (
            <g key={s.label} className={`series series-${n}`}>
              {s.values.map((v, i) => {
                const left = LEFT + i * step + 2 + bars.indexOf(s) * barWidth;
                return v === null || v === 0 ? null : (
                  <rect key={hours[i]} x={left} y={y(v)} width={barWidth} height={H - BOTTOM - y(v)} className="bar">
                    <title>{`${hourLabel(hours[i] as string)}: ${format(v)} ${s.label}`}</title>
                  </rect>
                );
              })}
            </g>
          ) : (
            <Line key={s.label} n={n} series={s} x={x} y={y} />
          ),
        )}
      </svg>
      <ul className="legend">
        {series.map((s, n) => (
          <li key={s.label} className={`series series-${n}`}>
            <svg viewBox="0 0 24 12" className="key" aria-hidden="true">
              {s.kind === 'bars' ? <rect x="4" y="1" width="16" height="10" className="bar" /> : <><line x1="0" x2="24" y1="6" y2="6" className="line" /><Marker n={n} cx={12} cy={6} /></>}
            </svg>
            {s.label}
          </li>
        ))}
      </ul>
      <p id={`${id}-summary`} className="chart-summary">{summary}{props.note ? ` ${props.note}` : ''}</p>
      {/* in a clipped box: a table grows to its content whatever its own width, and would widen the page */}
      <div className="sr-only">
      <table>
        <caption>{props.title}</caption>
        <thead>
          <tr><th scope="col">{props.axis?.header ?? t('chart.hour')}</th>{series.map((s) => <th key={s.label} scope="col">{s.label}</th>)}</tr>
        </thead>
        <tbody>
          {hours.map((h, i) => (
            <tr key={h}>
              <th scope="row">{hourLabel(h)}</th>
              {series.map((s) => {
                const v = s.values[i] ?? null;
                return <td key={s.label}>{v === null ? '—' : format(v)}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </figure>
  );
}

/** A series' highest value and its index (the first if tied), or null when it has none. */
export function peakOf(values: (number | null)[]): { v: number; i: number } | null {
  const defined = values.flatMap((v, i) => (v === null ? [] : [{ v, i }]));
  return defined.reduce<{ v: number; i: number } | null>((p, c) => (p === null || c.v > p.v ? c : p), null);
}

/** A line broken where a value is missing, with a marker on each value. */
function Line(props: { n: number; series: HourlySeries; x: (i: number) => number; y: (v: number) => number }) {
  const { n, series, x, y } = props;
  const d = series.values.map((v, i) => (v === null ? '' : `${i && series.values[i - 1] !== null ? 'L' : 'M'}${x(i)},${y(v)}`)).join(' ');
  return (
    <g className={`series series-${n}`}>
      {d.trim() && <path d={d} className="line" />}
      {series.values.map((v, i) => (v === null ? null : <Marker key={i} n={n} cx={x(i)} cy={y(v)} />))}
    </g>
  );
}

/** Odd series get squares, even ones circles, so two lines differ without colour. */
function Marker(props: { n: number; cx: number; cy: number }) {
  const { n, cx, cy } = props;
  return n % 2 ? <rect x={cx - 3.5} y={cy - 3.5} width={7} height={7} className="marker" /> : <circle cx={cx} cy={cy} r={3.5} className="marker" />;
}
