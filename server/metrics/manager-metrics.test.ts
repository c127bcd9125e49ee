import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { contentType as promContentType } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngineHandler } from '../http/engine/server';
import { startTestEngine, type TestEngine } from '../http/engine/test-support';
import { makeService, makeTask } from '../store/test-support';
import type { RaftView } from '../api/raft-view';
import { PassTimings } from '../manager/pass-timings';
import { createManagerMetrics, type ManagerMetrics } from './manager-metrics';
import { parsePrometheusText, sampleValue } from './test-support';

describe('manager metrics on the Engine API', () => {
  let engine: TestEngine;
  let metrics: ManagerMetrics;
  let server: Server;
  let base: string;

  beforeEach(async () => {
    engine = await startTestEngine(['worker1']);
    metrics = createManagerMetrics(engine.ctx, { socketClients: () => 2 });
    server = createServer(createEngineHandler({ ...engine.ctx, metrics }, undefined, metrics));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    metrics.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await engine.close();
  });

  const scrape = async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(promContentType);
    return parsePrometheusText(await res.text());
  };

  it('serves raft, node, task and socket gauges read at scrape time', async () => {
    let m = await scrape();
    expect(sampleValue(m, 'swarmdeck_raft_term')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(m, 'swarmdeck_raft_commit_index')).toBeGreaterThan(0);
    expect(sampleValue(m, 'swarmdeck_raft_apply_lag')).toBe(0);
    expect(sampleValue(m, 'swarmdeck_nodes', { role: 'manager' })).toBe(1);
    expect(sampleValue(m, 'swarmdeck_nodes')).toBe(2);
    expect(sampleValue(m, 'swarmdeck_tasks', { state: 'running' })).toBe(0);
    expect(sampleValue(m, 'swarmdeck_console_socket_clients')).toBe(2);

    const svc = makeService();
    const task = (state: 'running' | 'pending') =>
      makeTask(svc, { Status: { Timestamp: new Date().toISOString(), State: state, Message: state } });
    await engine.opened.store.update((tx) => {
      tx.create('service', svc);
      tx.create('task', task('running'));
      tx.create('task', task('running'));
      tx.create('task', task('pending'));
    });
    const proposed = sampleValue(m, 'swarmdeck_raft_proposals_total');
    m = await scrape();
    expect(sampleValue(m, 'swarmdeck_raft_proposals_total')).toBe(proposed + 1);
    expect(sampleValue(m, 'swarmdeck_raft_proposals_failed_total')).toBe(0);
    expect(sampleValue(m, 'swarmdeck_tasks', { state: 'running' })).toBe(2);
    expect(sampleValue(m, 'swarmdeck_tasks', { state: 'pending' })).toBe(1);
  });

  it('counts requests by route template and status, never by raw ID', async () => {
    await fetch(`${base}/v1.47/services/nosuchservice123`);
    await fetch(`${base}/v1.47/services/other456`);
    await fetch(`${base}/v1.47/services`);
    await fetch(`${base}/nowhere/at/all`);
    const m = await scrape();
    const routes = m.get('swarmdeck_engine_api_requests_total')!.samples.map((s) => s.labels.route);
    expect(routes).not.toContain('/services/nosuchservice123');
    expect(sampleValue(m, 'swarmdeck_engine_api_requests_total', { route: '/services/{id}', status: '404' })).toBe(2);
    expect(sampleValue(m, 'swarmdeck_engine_api_requests_total', { route: '/services', status: '200' })).toBe(1);
    expect(sampleValue(m, 'swarmdeck_engine_api_requests_total', { route: 'unrouted', status: '404' })).toBe(1);
    expect(
      sampleValue(
        m,
        'swarmdeck_engine_api_request_duration_seconds',
        { route: '/services/{id}' },
        'swarmdeck_engine_api_request_duration_seconds_count',
      ),
    ).toBe(2);
  });

  it('records control loop passes and their failures', async () => {
    metrics.observePass('scheduler', 0.002, true);
    metrics.observePass('scheduler', 0.3, false);
    const m = await scrape();
    const name = 'swarmdeck_control_loop_pass_duration_seconds';
    expect(sampleValue(m, name, { loop: 'scheduler' }, `${name}_count`)).toBe(2);
    expect(sampleValue(m, 'swarmdeck_control_loop_pass_failures_total', { loop: 'scheduler' })).toBe(1);
  });

  it("listens to the manager's pass timings", async () => {
    const timings = new PassTimings();
    const own = createManagerMetrics({ ...engine.ctx, passTimings: timings });
    timings.report('updater', 0.5, true);
    const m = parsePrometheusText((await own.scrape()).body);
    const name = 'swarmdeck_control_loop_pass_duration_seconds';
    expect(sampleValue(m, name, { loop: 'updater' }, `${name}_count`)).toBe(1);
    expect(sampleValue(m, name, { loop: 'updater' }, `${name}_sum`)).toBe(0.5);
    own.close();
    timings.report('updater', 0.5, true);
    const after = parsePrometheusText((await own.scrape()).body);
    expect(sampleValue(after, name, { loop: 'updater' }, `${name}_count`)).toBe(1);
  });

  it('counts leader changes as the raft view reports them', async () => {
    let leader = 'a';
    const listeners = new Set<() => void>();
    const raft = {
      view: () => ({ leader }) as RaftView,
      events: () => [],
      onChange: (l: () => void) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
    const own = createManagerMetrics({ ...engine.ctx, raft });
    const changes = async () =>
      sampleValue(parsePrometheusText((await own.scrape()).body), 'swarmdeck_raft_leader_changes_total');
    const set = (l: string) => {
      leader = l;
      listeners.forEach((f) => f());
    };
    set('a'); // a change of something else: not counted
    expect(await changes()).toBe(0);
    set('');
    set('b');
    expect(await changes()).toBe(2);
    own.close();
    expect(listeners.size).toBe(0);
  });

  it('is not served by a context without metrics', async () => {
    const r = await engine.call('GET', '/metrics');
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toBe('application/json');
  });

  it('keeps each manager in its own registry', async () => {
    const other = createManagerMetrics(engine.ctx);
    other.observeRequest('GET', '/x', 200, 0.01);
    const m = await scrape();
    expect(sampleValue(m, 'swarmdeck_engine_api_requests_total', { route: '/x' })).toBe(0);
    other.close();
  });
});
