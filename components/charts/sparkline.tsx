'use client';

import { formatValue, frameFor, summarize, toPath, type ChartSpec } from './chart-model';
import './charts.css';

/** The plot's own coordinates: the SVG stretches them to its fixed-height box. */
const BOX = { width: 300, height: 60 };

/**
 * One small live chart: its title and latest value on one line, the last five
 * minutes as a line (a second, dashed line for comparison, named in the foot),
 * and its peak.
 * Every part has a fixed size, so a new value never moves the layout; colours
 * come from the theme's variables (light, dark and contrast alike).
 */
export function Sparkline({ spec, newest }: { spec: ChartSpec; newest: number | undefined }) {
  const frame =
    newest === undefined
      ? undefined
      : frameFor(
          spec.lines.map((l) => l.points),
          newest,
        );
  const summaries = spec.lines.map((l) => summarize(l.points));
  const head = summaries[0];
  const latest = summaries.map((s) => formatValue(s?.latest, spec.unit)).join(' / ');
  const peak = formatValue(head?.max, spec.unit);
  const legend = spec.lines.length > 1;
  return (
    <figure className="spark card" data-chart={spec.id}>
      <figcaption className="spark-head">
        <span className="spark-title">{spec.title}</span>
        <span className="spark-latest num" data-testid={`chart-${spec.id}-latest`} data-value={head?.latest}>
          {latest}
        </span>
      </figcaption>
      <svg
        className="spark-plot"
        viewBox={`0 0 ${BOX.width} ${BOX.height}`}
        preserveAspectRatio="none"
        aria-hidden="true"
        focusable="false"
      >
        <line className="spark-base" x1={0} x2={BOX.width} y1={BOX.height} y2={BOX.height} />
        {frame
          ? spec.lines.map((l, i) => (
              <path key={l.label} className={`spark-line spark-line-${i}`} d={toPath(l.points, frame, BOX)} />
            ))
          : null}
      </svg>
      <div className="spark-foot muted num">
        {legend ? (
          <span>
            {spec.lines.map((l, i) => (
              <span key={l.label} className="spark-key-item">
                <span className={`spark-key spark-key-${i}`} aria-hidden="true" />
                {l.label}
              </span>
            ))}
          </span>
        ) : (
          <span>{head ? `peak ${peak}` : 'waiting for samples'}</span>
        )}
        <span>{legend ? `peak ${peak}` : '5 min'}</span>
      </div>
    </figure>
  );
}
