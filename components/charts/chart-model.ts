// The live charts, as pure functions: metric samples in (one a second, from the
// manager's ring), series of points, their range and an SVG path out. The time
// axis is fixed (the ring's length, ending at the newest sample) and the value
// axis rounds up to a nice number, so a new sample moves the line, not the box.

import { API_LATENCY_BUCKETS_S, METRIC_RING_SECONDS, type MetricSample } from '@/server/api/metric-sample';

export interface Point {
  /** ms since the epoch (the manager's clock) */
  t: number;
  v: number;
}

export type Unit = 'tasks' | 'per-second' | 'ms' | 'entries' | 'count';

/** Samples further apart than this are not joined by a line: the stream stopped in between. */
export const MAX_GAP_MS = 3000;
/** The window the latency quantile is computed over (a second alone holds too few requests). */
export const LATENCY_WINDOW_MS = 30_000;

/** A value as it was at each sample. */
export function gauge(samples: readonly MetricSample[], pick: (s: MetricSample) => number): Point[] {
  return samples.map((s) => ({ t: s.at, v: pick(s) }));
}

/**
 * A counter's increase per second between consecutive samples (Prometheus' `rate`). A counter that went
 * down was restarted (a new manager answers): its increase is its new value. Pairs across a gap give no
 * point.
 */
export function rate(samples: readonly MetricSample[], pick: (s: MetricSample) => number): Point[] {
  const out: Point[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const dt = b.at - a.at;
    if (dt <= 0 || dt > MAX_GAP_MS) continue;
    const before = pick(a);
    const now = pick(b);
    const increase = now >= before ? now - before : now;
    out.push({ t: b.at, v: (increase * 1000) / dt });
  }
  return out;
}

/**
 * The q-quantile (0..1) of a cumulative histogram (counts per upper bound, then +Inf), interpolated
 * within its bucket as Prometheus' histogram_quantile does; undefined when it holds nothing. A rank in
 * the +Inf bucket answers the highest finite bound.
 */
export function histogramQuantile(
  q: number,
  cumulative: readonly number[],
  bounds: readonly number[] = API_LATENCY_BUCKETS_S,
): number | undefined {
  const total = cumulative[cumulative.length - 1] ?? 0;
  if (!(total > 0)) return undefined;
  const rank = q * total;
  for (let i = 0; i < cumulative.length; i++) {
    const upTo = cumulative[i]!;
    if (upTo < rank) continue;
    if (i >= bounds.length) return bounds[bounds.length - 1];
    const lower = i === 0 ? 0 : bounds[i - 1]!;
    const below = i === 0 ? 0 : cumulative[i - 1]!;
    const inBucket = upTo - below;
    return inBucket > 0 ? lower + ((bounds[i]! - lower) * (rank - below)) / inBucket : bounds[i];
  }
  return bounds[bounds.length - 1];
}

/**
 * Engine API latency's q-quantile in ms at each sample, over the requests answered in the window before
 * it. No requests in the window, no point (an idle API has no latency, not a latency of 0).
 */
export function latencyQuantile(samples: readonly MetricSample[], q: number, windowMs = LATENCY_WINDOW_MS): Point[] {
  const out: Point[] = [];
  let from = 0;
  for (let i = 1; i < samples.length; i++) {
    const now = samples[i]!;
    while (from < i - 1 && samples[from]!.at < now.at - windowMs) from++;
    const then = samples[from]!;
    const restarted = now.apiLatencyBuckets.some((n, k) => n < (then.apiLatencyBuckets[k] ?? 0));
    const delta = now.apiLatencyBuckets.map((n, k) => (restarted ? n : n - (then.apiLatencyBuckets[k] ?? 0)));
    const seconds = histogramQuantile(q, delta);
    if (seconds !== undefined) out.push({ t: now.at, v: seconds * 1000 });
  }
  return out;
}

export interface Summary {
  min: number;
  max: number;
  latest: number;
}

export function summarize(points: readonly Point[]): Summary | undefined {
  const last = points[points.length - 1];
  if (!last) return undefined;
  let min = Infinity;
  let max = -Infinity;
  for (const p of points) {
    min = Math.min(min, p.v);
    max = Math.max(max, p.v);
  }
  return { min, max, latest: last.v };
}

/** The smallest of 1, 2, 2.5, 5 × 10^k at or above `v` (at least `floor`). */
export function niceCeil(v: number, floor = 1): number {
  if (!(v > floor)) return floor;
  const pow = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= v - 1e-9 * pow) return m * pow;
  return 10 * pow;
}

export interface Frame {
  /** The time span drawn, ms since the epoch. */
  from: number;
  to: number;
  /** The value axis: 0 at the bottom, a nice number at the top. */
  max: number;
}

/** The frame every line of one chart is drawn in: the ring's span ending at the newest sample. */
export function frameFor(
  lines: readonly (readonly Point[])[],
  newest: number,
  spanMs = METRIC_RING_SECONDS * 1000,
): Frame {
  let top = 0;
  for (const line of lines) for (const p of line) top = Math.max(top, p.v);
  return { from: newest - spanMs, to: newest, max: niceCeil(top) };
}

export interface Box {
  width: number;
  height: number;
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * An SVG path of the points in the box (y grows down), with a new subpath after each gap and a lone
 * point drawn as a short tick so it shows. Points outside the frame's span are left out.
 */
export function toPath(points: readonly Point[], frame: Frame, box: Box, maxGapMs = MAX_GAP_MS): string {
  const span = frame.to - frame.from || 1;
  const x = (t: number) => round(((t - frame.from) / span) * box.width);
  const y = (v: number) => round(box.height - (Math.min(Math.max(v, 0), frame.max) / frame.max) * box.height);
  const parts: string[] = [];
  let prev: Point | undefined;
  let runLength = 0;
  for (const p of points) {
    if (p.t < frame.from || p.t > frame.to) continue;
    const joined = prev !== undefined && p.t - prev.t <= maxGapMs;
    if (!joined && runLength === 1) parts.push(`h1`);
    parts.push(`${joined ? 'L' : 'M'}${x(p.t)} ${y(p.v)}`);
    runLength = joined ? runLength + 1 : 1;
    prev = p;
  }
  if (runLength === 1) parts.push('h1');
  return parts.join(' ');
}

const COMPACT = new Intl.NumberFormat('en', { maximumFractionDigits: 1, notation: 'compact' });

/** A value for a chart's caption: "12", "3.4/s", "18 ms", "1.2K". */
export function formatValue(v: number | undefined, unit: Unit): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  switch (unit) {
    case 'per-second':
      return `${v < 10 ? round(v) : COMPACT.format(Math.round(v))}/s`;
    case 'ms':
      return v < 10 ? `${round(v)} ms` : v < 1000 ? `${Math.round(v)} ms` : `${round(v / 1000)} s`;
    default:
      return COMPACT.format(Math.round(v));
  }
}

export interface ChartLine {
  label: string;
  points: Point[];
}

export interface ChartSpec {
  id: string;
  title: string;
  unit: Unit;
  /** The first line is the one the caption's latest value reads; others are drawn for comparison. */
  lines: ChartLine[];
}

const lineOf = (label: string, points: Point[]): ChartLine => ({ label, points });

/** The overview's charts: convergence, raft throughput and health, and the Engine API. */
export function overviewCharts(samples: readonly MetricSample[]): ChartSpec[] {
  return [
    {
      id: 'tasks',
      title: 'Tasks running',
      unit: 'tasks',
      lines: [
        lineOf(
          'running',
          gauge(samples, (s) => s.tasksRunning),
        ),
        lineOf(
          'desired',
          gauge(samples, (s) => s.tasksDesired),
        ),
      ],
    },
    { id: 'commits', title: 'Raft commits', unit: 'per-second', lines: [lineOf('commits', commitRate(samples))] },
    {
      id: 'apply-lag',
      title: 'Apply lag',
      unit: 'entries',
      lines: [
        lineOf(
          'lag',
          gauge(samples, (s) => s.applyLag),
        ),
      ],
    },
    {
      id: 'api-requests',
      title: 'API requests',
      unit: 'per-second',
      lines: [
        lineOf(
          'requests',
          rate(samples, (s) => s.apiRequests),
        ),
      ],
    },
    { id: 'api-p99', title: 'API p99 latency', unit: 'ms', lines: [lineOf('p99', latencyQuantile(samples, 0.99))] },
  ];
}

/** The wall's raft view: throughput, lag and leader churn. */
export function raftCharts(samples: readonly MetricSample[]): ChartSpec[] {
  return [
    { id: 'commits', title: 'Raft commits', unit: 'per-second', lines: [lineOf('commits', commitRate(samples))] },
    {
      id: 'apply-lag',
      title: 'Apply lag',
      unit: 'entries',
      lines: [
        lineOf(
          'lag',
          gauge(samples, (s) => s.applyLag),
        ),
      ],
    },
    {
      id: 'leader-changes',
      title: 'Leader changes',
      unit: 'count',
      lines: [
        lineOf(
          'changes',
          gauge(samples, (s) => s.leaderChanges),
        ),
      ],
    },
  ];
}

const commitRate = (samples: readonly MetricSample[]) => rate(samples, (s) => s.commitIndex);
