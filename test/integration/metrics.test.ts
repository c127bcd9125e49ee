// /metrics on a real manager process: it parses as Prometheus text (a strict
// parser, server/metrics/test-support.ts) and its numbers move with a
// `docker service scale` made by the real docker CLI.

import { contentType as promContentType } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleValue, type MetricFamily } from '../../server/metrics/test-support';
import {
  dockerBinary,
  dockerCli,
  freePorts,
  startServer,
  tempDir,
  waitFor,
  type RunningServer,
  type ServerPorts,
} from './harness';

const bin = dockerBinary();
const CONVERGE_MS = 90_000;

if (!bin) throw new Error('the docker CLI is required for the Engine API tests (.ci/run installs it)');

describe('/metrics on a manager process', () => {
  const data = tempDir('swarmdeck-metrics-data-');
  const config = tempDir('swarmdeck-metrics-config-');
  let ports: ServerPorts;
  let server: RunningServer | undefined;
  let docker: ReturnType<typeof dockerCli>;

  const ok = async (args: string[]) => {
    const r = await docker(args, CONVERGE_MS);
    if (r.code !== 0)
      throw new Error(
        `docker ${args.join(' ')} → exit ${r.code}\n${r.stderr}\nserver:\n${server?.output().slice(-3000)}`,
      );
    return r;
  };

  const scrape = async (): Promise<Map<string, MetricFamily>> => {
    const res = await fetch(`http://127.0.0.1:${ports.engine}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(promContentType);
    return parsePrometheusText(await res.text());
  };
  const scaleRequests = (m: Map<string, MetricFamily>) =>
    sampleValue(m, 'swarmdeck_engine_api_requests_total', {
      method: 'POST',
      route: '/services/{id}/update',
      status: '200',
    });

  beforeAll(async () => {
    ports = await freePorts();
    docker = dockerCli(ports.engine, config.path, bin);
    server = await startServer({ dataDir: data.path, ports, simWorkers: 2 });
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
    data.remove();
    config.remove();
  }, 30_000);

  it('parses, and its counters move with a service scale', async () => {
    const before = await scrape();
    expect(sampleValue(before, 'swarmdeck_raft_term')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(before, 'swarmdeck_raft_is_leader')).toBe(1);
    expect(sampleValue(before, 'swarmdeck_nodes', { role: 'manager' })).toBe(1);

    await ok(['service', 'create', '--name', 'web', '--replicas', '2', 'nginx:alpine']);
    const created = await waitFor('2 tasks running in /metrics', async () => {
      const m = await scrape();
      return sampleValue(m, 'swarmdeck_tasks', { state: 'running' }) === 2 ? m : undefined;
    });
    const scalesBefore = scaleRequests(created);
    const commitBefore = sampleValue(created, 'swarmdeck_raft_commit_index');

    await ok(['service', 'scale', 'web=5']);
    const scaled = await waitFor('5 tasks running in /metrics', async () => {
      const m = await scrape();
      return sampleValue(m, 'swarmdeck_tasks', { state: 'running' }) === 5 ? m : undefined;
    });
    expect(scaleRequests(scaled)).toBe(scalesBefore + 1);
    expect(sampleValue(scaled, 'swarmdeck_raft_commit_index')).toBeGreaterThan(commitBefore);
    expect(sampleValue(scaled, 'swarmdeck_raft_proposals_total')).toBeGreaterThan(
      sampleValue(created, 'swarmdeck_raft_proposals_total'),
    );
    expect(sampleValue(scaled, 'swarmdeck_nodes', { state: 'ready' })).toBe(3);
    // what the overview's headline and its tasks chart read
    expect(sampleValue(created, 'swarmdeck_service_tasks_desired')).toBe(2);
    expect(sampleValue(scaled, 'swarmdeck_service_tasks_desired')).toBe(5);
    expect(sampleValue(scaled, 'swarmdeck_service_tasks_running')).toBe(5);
    // the scheduler placed the new tasks: its passes were timed
    const pass = 'swarmdeck_control_loop_pass_duration_seconds';
    expect(sampleValue(scaled, pass, { loop: 'scheduler' }, `${pass}_count`)).toBeGreaterThan(0);
    // route templates only: no service ID or name became a label
    const routes = scaled.get('swarmdeck_engine_api_requests_total')!.samples.map((s) => s.labels.route ?? '');
    expect(routes.filter((r) => r.includes('web') || /[0-9a-z]{25}/.test(r))).toEqual([]);
  }, 180_000);
});
