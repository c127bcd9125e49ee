'use client';

import { useMemo, useSyncExternalStore } from 'react';
import type { MetricSample } from '@/server/api/metric-sample';
import { overviewCharts, raftCharts } from './chart-model';
import { sampleStore } from './sample-store';
import { Sparkline } from './sparkline';

const NONE: readonly MetricSample[] = [];

function useSamples(): readonly MetricSample[] {
  return useSyncExternalStore(sampleStore.subscribe, sampleStore.get, () => NONE);
}

const SETS = { overview: overviewCharts, raft: raftCharts };

/** A row of live charts from the manager's pushed samples (the same numbers as GET /metrics). */
export function LiveCharts({ set, label }: { set: keyof typeof SETS; label: string }) {
  const samples = useSamples();
  const charts = useMemo(() => SETS[set](samples), [set, samples]);
  const newest = samples[samples.length - 1]?.at;
  return (
    <div className="spark-grid" role="group" aria-label={label} data-testid={`live-charts-${set}`}>
      {charts.map((c) => (
        <Sparkline key={c.id} spec={c} newest={newest} />
      ))}
    </div>
  );
}
