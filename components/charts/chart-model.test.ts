import { describe, expect, it } from 'vitest';
import type { MetricSample } from '@/server/api/metric-sample';
import {
  formatValue,
  frameFor,
  gauge,
  histogramQuantile,
  latencyQuantile,
  niceCeil,
  overviewCharts,
  rate,
  summarize,
  toPath,
} from './chart-model';

const T0 = 1_700_000_000_000;

function sample(sec: number, over: Partial<MetricSample> = {}): MetricSample {
  return {
    at: T0 + sec * 1000,
    term: 2,
    commitIndex: 100,
    applyLag: 0,
    leaderChanges: 1,
    proposals: 50,
    tasksRunning: 4,
    tasksDesired: 5,
    nodesReady: 3,
    nodes: 3,
    apiRequests: 0,
    apiLatencyBuckets: new Array<number>(13).fill(0),
    socketClients: 1,
    ...over,
  };
}

/** Cumulative buckets with `n` requests in the bucket whose upper bound index is `i` (5 ms is index 1). */
function buckets(counts: Record<number, number>): number[] {
  let sum = 0;
  return new Array(13).fill(0).map((_, i) => (sum += counts[i] ?? 0));
}

describe('series from samples', () => {
  it('reads a gauge at each sample', () => {
    const s = [sample(0, { tasksRunning: 2 }), sample(1, { tasksRunning: 5 })];
    expect(gauge(s, (x) => x.tasksRunning)).toEqual([
      { t: T0, v: 2 },
      { t: T0 + 1000, v: 5 },
    ]);
  });

  it('turns a counter into a rate per second, across a restart, but not across a gap', () => {
    const s = [
      sample(0, { commitIndex: 100 }),
      sample(1, { commitIndex: 130 }),
      sample(3, { commitIndex: 150 }), // two seconds: 10/s
      sample(4, { commitIndex: 4 }), // a new manager answers: its index is the increase
      sample(60, { commitIndex: 600 }), // the stream stopped: no point joins across
      sample(61, { commitIndex: 600 }),
    ];
    expect(rate(s, (x) => x.commitIndex).map((p) => [(p.t - T0) / 1000, p.v])).toEqual([
      [1, 30],
      [3, 10],
      [4, 4],
      [61, 0],
    ]);
  });

  it("answers a histogram's quantile as Prometheus interpolates it", () => {
    // 100 requests: 90 under 1 ms, 10 between 5 and 10 ms
    const h = buckets({ 0: 90, 2: 10 });
    expect(histogramQuantile(0.5, h)).toBeCloseTo(0.001 * (50 / 90));
    expect(histogramQuantile(0.99, h)).toBeCloseTo(0.005 + 0.005 * (9 / 10));
    // beyond the last bound: the last finite bound
    expect(histogramQuantile(0.99, buckets({ 12: 5 }))).toBe(10);
    expect(histogramQuantile(0.99, buckets({}))).toBeUndefined();
  });

  it("draws the API's p99 over the window before each sample, nothing while it is idle", () => {
    const s = [
      sample(0, { apiLatencyBuckets: buckets({ 0: 1000 }) }), // old requests, before the window
      sample(1, { apiLatencyBuckets: buckets({ 0: 1000 }) }),
      sample(2, { apiLatencyBuckets: buckets({ 0: 1000, 4: 100 }) }), // 100 between 25 and 50 ms
      sample(40, { apiLatencyBuckets: buckets({ 0: 1000, 4: 100 }) }),
      sample(41, { apiLatencyBuckets: buckets({ 0: 1000, 4: 100 }) }),
    ];
    const p = latencyQuantile(s, 0.99, 30_000);
    expect(p.map((x) => (x.t - T0) / 1000)).toEqual([2]);
    expect(p[0]!.v).toBeCloseTo(25 + 25 * 0.99);
  });

  it('summarizes min, max and the latest value', () => {
    expect(
      summarize([
        { t: 1, v: 3 },
        { t: 2, v: 9 },
        { t: 3, v: 4 },
      ]),
    ).toEqual({ min: 3, max: 9, latest: 4 });
    expect(summarize([])).toBeUndefined();
  });
});

describe('drawing', () => {
  it('rounds the value axis up to a nice number, never below 1', () => {
    expect([0, 0.3, 1, 1.2, 3, 7, 11, 24, 26, 99, 101, 4000].map((v) => niceCeil(v))).toEqual([
      1, 1, 1, 2, 5, 10, 20, 25, 50, 100, 200, 5000,
    ]);
  });

  it('frames every line of a chart in the span ending at the newest sample', () => {
    const f = frameFor([[{ t: T0, v: 3 }], [{ t: T0, v: 7 }]], T0 + 10_000, 60_000);
    expect(f).toEqual({ from: T0 - 50_000, to: T0 + 10_000, max: 10 });
  });

  it('maps points into the box, y down, breaking the line at a gap and showing a lone point', () => {
    const frame = { from: 0, to: 100_000, max: 10 };
    const box = { width: 100, height: 20 };
    const pts = [
      { t: 0, v: 0 },
      { t: 1000, v: 10 },
      { t: 2000, v: 5 },
      { t: 50_000, v: 20 }, // clamped to the top; alone after a gap
      { t: 80_000, v: 0 },
      { t: 81_000, v: 0 },
      { t: 200_000, v: 1 }, // outside the span
    ];
    expect(toPath(pts, frame, box)).toBe('M0 20 L1 0 L2 10 M50 0 h1 M80 20 L81 20');
    expect(toPath([{ t: 100_000, v: 5 }], frame, box)).toBe('M100 10 h1');
    expect(toPath([], frame, box)).toBe('');
  });

  it('keeps the path inside the box whatever the values', () => {
    const frame = frameFor([[{ t: 0, v: 0 }]], 300_000);
    const d = toPath(
      Array.from({ length: 300 }, (_, i) => ({ t: i * 1000 + 1000, v: i % 7 === 0 ? -5 : 1e9 })),
      frame,
      { width: 120, height: 32 },
    );
    for (const [, x, y] of d.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)) {
      expect(Number(x)).toBeGreaterThanOrEqual(0);
      expect(Number(x)).toBeLessThanOrEqual(120);
      expect(Number(y)).toBeGreaterThanOrEqual(0);
      expect(Number(y)).toBeLessThanOrEqual(32);
    }
  });

  it('formats values with their unit', () => {
    expect(formatValue(undefined, 'ms')).toBe('–');
    expect(formatValue(3.26, 'per-second')).toBe('3.3/s');
    expect(formatValue(1500, 'per-second')).toBe('1.5K/s');
    expect(formatValue(4.44, 'ms')).toBe('4.4 ms');
    expect(formatValue(250.4, 'ms')).toBe('250 ms');
    expect(formatValue(2500, 'ms')).toBe('2.5 s');
    expect(formatValue(12, 'tasks')).toBe('12');
    expect(formatValue(12_345, 'entries')).toBe('12.3K');
  });
});

describe('the overview charts', () => {
  it('draw tasks running against desired, raft commits, apply lag, API requests and p99 from the samples', () => {
    const s = [
      sample(0, { tasksRunning: 2, tasksDesired: 2, commitIndex: 10, apiRequests: 0 }),
      sample(1, { tasksRunning: 2, tasksDesired: 5, commitIndex: 15, apiRequests: 4, applyLag: 1 }),
      sample(2, {
        tasksRunning: 5,
        tasksDesired: 5,
        commitIndex: 25,
        apiRequests: 10,
        apiLatencyBuckets: buckets({ 1: 6 }),
      }),
    ];
    const charts = Object.fromEntries(overviewCharts(s).map((c) => [c.id, c]));
    expect(Object.keys(charts)).toEqual(['tasks', 'commits', 'apply-lag', 'api-requests', 'api-p99']);
    const latest = (id: string, line = 0) => summarize(charts[id]!.lines[line]!.points)?.latest;
    expect([latest('tasks'), latest('tasks', 1)]).toEqual([5, 5]);
    expect(summarize(charts.tasks!.lines[0]!.points)).toEqual({ min: 2, max: 5, latest: 5 });
    expect(latest('commits')).toBe(10);
    expect(summarize(charts['apply-lag']!.lines[0]!.points)).toEqual({ min: 0, max: 1, latest: 0 });
    expect(latest('api-requests')).toBe(6);
    // 6 requests between 1 and 5 ms: the 99th percentile sits 99 % of the way up that bucket
    expect(latest('api-p99')).toBeCloseTo(1 + 4 * 0.99);
  });
});
