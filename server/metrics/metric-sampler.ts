// The live charts' source: once a second, read the series GET /metrics serves
// (through the same prom-client registry, so its collect() getters are the one
// source of truth) into a MetricSample, and keep the last few minutes in a ring
// that the realtime gateway pushes to consoles.

import type { Registry } from 'prom-client';
import {
  API_LATENCY_BUCKETS_S,
  METRIC_RING_SECONDS,
  METRIC_SAMPLE_MS,
  STREAMING_ROUTES,
  type MetricSample,
} from '../api/metric-sample';
import type { Clock } from '../util/clock';

export interface MetricSamplerOptions {
  intervalMs?: number;
  /** Samples kept: the ring covers this many intervals. */
  ringSize?: number;
}

export interface MetricSampler {
  /** The kept samples, oldest first. */
  ring(): MetricSample[];
  /** Called with each new sample as it is taken; returns the unsubscribe. */
  onSample(listener: (sample: MetricSample) => void): () => void;
  /** Read a sample now, without keeping it. */
  read(): Promise<MetricSample>;
  close(): void;
}

interface Value {
  value: number;
  labels: Partial<Record<string, string | number>>;
  metricName?: string;
}

/** A metric family's values as /metrics would print them now (its collect() runs). */
async function values(registry: Registry, name: string): Promise<Value[]> {
  const metric = registry.getSingleMetric(name);
  return metric ? ((await metric.get()).values as Value[]) : [];
}

const sum = (vs: readonly Value[], keep: (v: Value) => boolean = () => true): number =>
  vs.reduce((n, v) => (keep(v) ? n + v.value : n), 0);

/** Read every field of a sample from the registry, at `at`. */
export async function readSample(registry: Registry, at: number): Promise<MetricSample> {
  const [term, commit, lag, changes, proposals, running, desired, nodes, requests, latency, sockets] =
    await Promise.all(
      [
        'swarmdeck_raft_term',
        'swarmdeck_raft_commit_index',
        'swarmdeck_raft_apply_lag',
        'swarmdeck_raft_leader_changes_total',
        'swarmdeck_raft_proposals_total',
        'swarmdeck_service_tasks_running',
        'swarmdeck_service_tasks_desired',
        'swarmdeck_nodes',
        'swarmdeck_engine_api_requests_total',
        'swarmdeck_engine_api_request_duration_seconds',
        'swarmdeck_console_socket_clients',
      ].map((name) => values(registry, name)),
    );
  const buckets = new Array<number>(API_LATENCY_BUCKETS_S.length + 1).fill(0);
  for (const v of latency!) {
    if (!v.metricName?.endsWith('_bucket') || STREAMING_ROUTES.includes(String(v.labels.route))) continue;
    const le = v.labels.le === '+Inf' ? Infinity : Number(v.labels.le);
    const i = le === Infinity ? API_LATENCY_BUCKETS_S.length : API_LATENCY_BUCKETS_S.indexOf(le);
    if (i >= 0) buckets[i]! += v.value;
  }
  return {
    at,
    term: sum(term!),
    commitIndex: sum(commit!),
    applyLag: sum(lag!),
    leaderChanges: sum(changes!),
    proposals: sum(proposals!),
    tasksRunning: sum(running!),
    tasksDesired: sum(desired!),
    nodesReady: sum(nodes!, (v) => v.labels.state === 'ready'),
    nodes: sum(nodes!),
    apiRequests: sum(requests!),
    apiLatencyBuckets: buckets,
    socketClients: sum(sockets!),
  };
}

export function startMetricSampler(registry: Registry, clock: Clock, opts: MetricSamplerOptions = {}): MetricSampler {
  const intervalMs = opts.intervalMs ?? METRIC_SAMPLE_MS;
  const ringSize = opts.ringSize ?? Math.round((METRIC_RING_SECONDS * 1000) / intervalMs);
  const ring: MetricSample[] = [];
  const listeners = new Set<(s: MetricSample) => void>();
  let closed = false;
  let reading = false;

  const tick = () => {
    if (closed) return;
    cancel = clock.setTimeout(tick, intervalMs);
    if (reading) return; // the previous read is still out: skip a beat rather than queue reads
    reading = true;
    readSample(registry, clock.now())
      .then((sample) => {
        if (closed) return;
        ring.push(sample);
        if (ring.length > ringSize) ring.splice(0, ring.length - ringSize);
        for (const l of listeners) l(sample);
      })
      .catch((err: unknown) => console.error('swarmdeck: metrics sample failed', err))
      .finally(() => (reading = false));
  };
  let cancel = clock.setTimeout(tick, 0);

  return {
    ring: () => ring.slice(),
    onSample(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    read: () => readSample(registry, clock.now()),
    close() {
      closed = true;
      cancel();
      listeners.clear();
    },
  };
}
