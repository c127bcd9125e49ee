import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_LATENCY_BUCKETS_S, type MetricSample } from '../api/metric-sample';
import { createEngineHandler } from '../http/engine/server';
import { startTestEngine, type TestEngine } from '../http/engine/test-support';
import { makeService, makeServiceSpec, makeTask } from '../store/test-support';
import { ManualClock } from '../util/clock';
import { createManagerMetrics, type ManagerMetrics } from './manager-metrics';
import { startMetricSampler, type MetricSampler } from './metric-sampler';
import { parsePrometheusText, sampleValue, type MetricFamily } from './test-support';

/** What a sample should say, read from a /metrics body with the Prometheus text parser. */
function expectedFrom(m: Map<string, MetricFamily>, at: number): MetricSample {
  const latency = 'swarmdeck_engine_api_request_duration_seconds';
  const bounds = [...API_LATENCY_BUCKETS_S.map(String), '+Inf'];
  const buckets = bounds.map((le) =>
    m
      .get(latency)!
      .samples.filter((s) => s.name === `${latency}_bucket` && s.labels.le === le && s.labels.route !== '/events')
      .reduce((n, s) => n + s.value, 0),
  );
  return {
    at,
    term: sampleValue(m, 'swarmdeck_raft_term'),
    commitIndex: sampleValue(m, 'swarmdeck_raft_commit_index'),
    applyLag: sampleValue(m, 'swarmdeck_raft_apply_lag'),
    leaderChanges: sampleValue(m, 'swarmdeck_raft_leader_changes_total'),
    proposals: sampleValue(m, 'swarmdeck_raft_proposals_total'),
    tasksRunning: sampleValue(m, 'swarmdeck_service_tasks_running'),
    tasksDesired: sampleValue(m, 'swarmdeck_service_tasks_desired'),
    nodesReady: sampleValue(m, 'swarmdeck_nodes', { state: 'ready' }),
    nodes: sampleValue(m, 'swarmdeck_nodes'),
    apiRequests: sampleValue(m, 'swarmdeck_engine_api_requests_total'),
    apiLatencyBuckets: buckets,
    socketClients: sampleValue(m, 'swarmdeck_console_socket_clients'),
  };
}

describe('metric sampler', () => {
  let engine: TestEngine;
  let metrics: ManagerMetrics;
  let sampler: MetricSampler | undefined;
  let server: Server;
  let base: string;

  beforeEach(async () => {
    engine = await startTestEngine(['worker1', 'worker2']);
    metrics = createManagerMetrics(engine.ctx, { socketClients: () => 3 });
    server = createServer(createEngineHandler({ ...engine.ctx, metrics }, undefined, metrics));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    sampler?.close();
    sampler = undefined;
    metrics.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await engine.close();
  });

  /** The body GET /metrics serves and a sample, read in the same turn (nothing can happen between them). */
  const atOnce = async (s: MetricSampler) => {
    const [{ body }, sample] = await Promise.all([metrics.scrape(), s.read()]);
    return { m: parsePrometheusText(body), sample };
  };

  it('reads what GET /metrics says at the same moment', async () => {
    sampler = startMetricSampler(metrics.registry, engine.ctx.clock);
    const svc = makeService({ Spec: makeServiceSpec({ Name: 'web', Mode: { Replicated: { Replicas: 3 } } }) });
    await engine.opened.store.update((tx) => {
      tx.create('service', svc);
      tx.create(
        'task',
        makeTask(svc, { Status: { Timestamp: new Date().toISOString(), State: 'running', Message: '' } }),
      );
    });
    await fetch(`${base}/v1.47/services`);
    await fetch(`${base}/v1.47/services/nosuch`);
    await fetch(`${base}/v1.47/nodes`);
    // a stream someone watched for a while: not an Engine API latency
    metrics.observeRequest('GET', '/events', 200, 30);

    const { m, sample } = await atOnce(sampler);
    expect(sample).toEqual(expectedFrom(m, engine.ctx.clock.now()));
    // and the numbers are the ones that happened, not zeros on both sides
    // nodesReady: the two workers (the manager's own node is 'unknown' until its agent reports)
    expect(sample).toMatchObject({ tasksRunning: 1, tasksDesired: 3, nodes: 3, nodesReady: 2, socketClients: 3 });
    expect(sample.apiRequests).toBe(4); // 3 above and the /events stream
    expect(sample.apiLatencyBuckets.at(-1)).toBe(3); // all but the stream
    expect(sample.commitIndex).toBeGreaterThan(0);
    expect(sample.term).toBeGreaterThanOrEqual(1);

    // a scale moves both the same way
    const stored = engine.opened.store.view.get('service', svc.ID)!;
    const scaled = await engine.call('POST', `/v1.47/services/${svc.ID}/update?version=${stored.Version.Index}`, {
      ...svc.Spec,
      Mode: { Replicated: { Replicas: 5 } },
    });
    expect(scaled.status).toBe(200);
    const { m: after, sample: moved } = await atOnce(sampler);
    expect(moved).toEqual(expectedFrom(after, engine.ctx.clock.now()));
    expect(moved.tasksDesired).toBe(5);
    expect(moved.proposals).toBeGreaterThan(sample.proposals);
    expect(moved.commitIndex).toBeGreaterThan(sample.commitIndex);
  });

  it('samples once an interval into a bounded ring and tells its listeners', async () => {
    const clock = new ManualClock();
    sampler = startMetricSampler(metrics.registry, clock, { intervalMs: 1000, ringSize: 5 });
    const heard: MetricSample[] = [];
    const stop = sampler.onSample((s) => heard.push(s));
    const step = async (ms: number) => {
      clock.advance(ms);
      // a read resolves through a few promise turns
      await new Promise((r) => setImmediate(r));
    };
    await step(0);
    expect(sampler.ring().map((s) => s.at)).toEqual([clock.now()]);
    const t0 = clock.now();
    for (let i = 0; i < 7; i++) await step(1000);
    expect(sampler.ring().map((s) => s.at - t0)).toEqual([3000, 4000, 5000, 6000, 7000]);
    expect(heard).toHaveLength(8);
    expect(heard.at(-1)).toEqual(sampler.ring().at(-1));
    // a request shows in the next sample
    const before = heard.at(-1)!.apiRequests;
    metrics.observeRequest('GET', '/services', 200, 0.002);
    await step(1000);
    expect(heard.at(-1)!.apiRequests).toBe(before + 1);
    stop();
    await step(1000);
    expect(heard).toHaveLength(9);
    sampler.close();
    await step(5000);
    expect(sampler.ring().at(-1)!.at - t0).toBe(9000);
  });
});
