// A manager and three `swarmdeck agent` processes on loopback, tasks as real
// processes, driven by the real docker CLI: join, restart policy, drain,
// a stopped agent that is not declared DOWN, an agent restarted under its
// running tasks, and an agent killed for good.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node, Task } from '../../server/api/types';
import {
  dockerBinary,
  dockerCli,
  freePorts,
  startServer,
  tempDir,
  waitFor,
  type RunningServer,
} from '../integration/harness';
import { engineRequest } from '../manager-http';
import { killTaskProcesses, startAgent, taskGroups, type RunningAgent } from './agent-harness';

if (!dockerBinary()) throw new Error('the docker CLI is required for the Engine API tests (.ci/run installs it)');

const HEARTBEAT_MS = 1_000;
/** 3 × the period with its +10% jitter: a node missing heartbeats this long is DOWN. */
const GRACE_MS = 3 * 1.1 * HEARTBEAT_MS;

describe('agent processes', () => {
  const data = tempDir('swarmdeck-agents-');
  const config = tempDir('swarmdeck-agents-config-');
  let server: RunningServer;
  let docker: ReturnType<typeof dockerCli>;
  let engine: string;
  let token: string;
  const agents = new Map<string, RunningAgent>();
  const nodeIDs = new Set<string>();

  const api = async <T>(path: string): Promise<T> => {
    const r = await engineRequest(engine, 'GET', path);
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json as T;
  };
  const tasksOf = (service: string) =>
    api<Task[]>(`/tasks?filters=${encodeURIComponent(JSON.stringify({ service: [service] }))}`);
  const nodeByName = async (hostname: string) =>
    (await api<Node[]>('/nodes')).find((n) => n.Description.Hostname === hostname);
  const running = (ts: Task[]) => ts.filter((t) => t.Status.State === 'running' && t.DesiredState === 'running');
  /** `docker service create -d --name <name> <flags> <image and command>` (by default a process that runs until stopped). */
  const createService = async (
    name: string,
    flags: string[],
    run = ['alpine', 'sh', '-c', 'while true; do sleep 1; done'],
  ) => {
    const r = await docker(['service', 'create', '-d', '--name', name, ...flags, ...run]);
    expect(r.code, r.stderr).toBe(0);
  };

  const agent = async (hostname: string, labels: Record<string, string> = {}) => {
    const a = await startAgent({
      join: `127.0.0.1:${server.ports.cluster}`,
      token,
      dataDir: `${data.path}/${hostname}`,
      hostname,
      labels,
    });
    agents.set(hostname, a);
    nodeIDs.add(a.nodeID());
    return a;
  };

  beforeAll(async () => {
    const ports = await freePorts();
    server = await startServer({
      dataDir: `${data.path}/manager`,
      ports,
      simWorkers: 0,
      extraArgs: ['--executor', 'process', '--dispatcher-heartbeat', `${HEARTBEAT_MS}ms`],
    });
    engine = `http://127.0.0.1:${ports.engine}`;
    docker = dockerCli(ports.engine, config.path);
    const swarm = await api<{ JoinTokens: { Worker: string } }>('/swarm');
    token = swarm.JoinTokens.Worker;
    await Promise.all([agent('w1', { zone: 'a' }), agent('w2', { zone: 'b' }), agent('w3', { zone: 'b' })]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...agents.values()].map((a) => a.stop(5_000)));
    killTaskProcesses([...nodeIDs]);
    await server?.stop();
    data.remove();
    config.remove();
  });

  it('joins with the worker token: Ready workers with their hostnames, engine labels and host resources', async () => {
    const ls = await docker(['node', 'ls', '--format', '{{.Hostname}} {{.Status}} {{.ManagerStatus}}']);
    expect(ls.code, ls.stderr).toBe(0);
    for (const h of ['w1', 'w2', 'w3']) expect(ls.stdout).toMatch(new RegExp(`^${h} Ready $`, 'm'));
    const w1 = (await nodeByName('w1'))!;
    expect(w1.Spec.Role).toBe('worker');
    expect(w1.Description.Engine.Labels).toMatchObject({ zone: 'a', 'com.swarmdeck.executor': 'process' });
    // the network mode the agent detected at start (Linux with rootless namespaces: netns)
    const mode = await docker([
      'node',
      'inspect',
      '--format',
      '{{index .Description.Engine.Labels "com.swarmdeck.network.mode"}}',
      'w1',
    ]);
    expect(mode.stdout.trim()).toBe(process.platform === 'linux' ? 'netns' : 'host');
    expect(w1.Description.Resources.NanoCPUs).toBeGreaterThanOrEqual(1e9);
    expect(w1.Description.Resources.MemoryBytes).toBeGreaterThan(256 * 1024 ** 2);
    // engine labels feed the scheduler
    await createService('zoned', ['--replicas', '2', '--constraint', 'engine.labels.zone==b']);
    const placed = await waitFor('zone b tasks running', async () => {
      const ts = running(await tasksOf('zoned'));
      return ts.length === 2 ? ts : undefined;
    });
    const zoneB = new Set([(await nodeByName('w2'))!.ID, (await nodeByName('w3'))!.ID]);
    for (const t of placed) expect(zoneB.has(t.NodeID!)).toBe(true);
    expect((await docker(['service', 'rm', 'zoned'])).code).toBe(0);
  }, 60_000);

  it('restarts a process that exits 1 per the policy and shows each failure as a \\_ row', async () => {
    await createService(
      'crashy',
      [
        '--constraint',
        'node.role==worker',
        '--restart-condition',
        'on-failure',
        '--restart-delay',
        '300ms',
        '--restart-max-attempts',
        '3',
      ],
      ['alpine', 'sh', '-c', 'echo about to fail; sleep 0.2; exit 1'],
    );
    const failed = await waitFor(
      'four failed attempts (the first and three restarts)',
      async () => {
        const ts = (await tasksOf('crashy')).filter((t) => t.Status.State === 'failed');
        return ts.length >= 4 ? ts : undefined;
      },
      { timeoutMs: 45_000 },
    );
    for (const t of failed) expect(t.Status.Err).toBe('task: non-zero exit (1)');
    // max attempts reached: no fifth task
    await new Promise((res) => setTimeout(res, 1_500));
    expect(await tasksOf('crashy')).toHaveLength(4);
    const ps = await docker(['service', 'ps', '--no-trunc', 'crashy']);
    const rows = ps.stdout.split('\n').filter((l) => l.includes('"task: non-zero exit (1)"'));
    expect(rows).toHaveLength(4);
    expect(rows.filter((l) => l.includes(' \\_ crashy.1'))).toHaveLength(3);
    expect((await docker(['service', 'rm', 'crashy'])).code).toBe(0);
  }, 60_000);

  it('keeps a task whose health check never passes out of RUNNING, and fails it as unhealthy', async () => {
    await createService('sick', [
      '--constraint',
      'node.role==worker',
      '--health-cmd',
      'test -f /nonexistent/ready',
      '--health-interval',
      '300ms',
      '--health-timeout',
      '1s',
      '--health-retries',
      '2',
      '--restart-delay',
      '200ms',
    ]);
    const seen = new Set<string>();
    const failed = await waitFor(
      'two unhealthy failures',
      async () => {
        const ts = await tasksOf('sick');
        for (const t of ts) seen.add(t.Status.State);
        const f = ts.filter((t) => t.Status.State === 'failed');
        return f.length >= 2 ? f : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(seen.has('starting')).toBe(true);
    expect(seen.has('running')).toBe(false);
    for (const t of failed)
      expect(t.Status.Err).toMatch(/^task: non-zero exit \(\d+\): dockerexec: unhealthy container$/);
    const ps = await docker(['service', 'ps', '--no-trunc', '--format', '{{.CurrentState}}|{{.Error}}', 'sick']);
    expect(ps.stdout).toMatch(/unhealthy container/);
    expect((await docker(['service', 'rm', 'sick'])).code).toBe(0);
  }, 60_000);

  it('docker service logs returns the lines the processes printed on the agents', async () => {
    await createService(
      'chatty',
      ['--replicas', '3', '--constraint', 'node.role==worker'],
      [
        'alpine',
        'sh',
        '-c',
        'i=0; while true; i=$((i+1)); do echo "line $i from $SWARMDECK_TASK_SLOT"; sleep 0.2; done',
      ],
    );
    await waitFor('three chatty tasks running', async () => running(await tasksOf('chatty')).length === 3);
    const lines = await waitFor(
      'lines from all three slots',
      async () => {
        const r = await docker(['service', 'logs', '--raw', 'chatty'], 20_000);
        const got = r.stdout.split('\n').filter((l) => /^line \d+ from [123]$/.test(l));
        return [1, 2, 3].every((slot) => got.some((l) => l.endsWith(`from ${slot}`))) ? got : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(lines.length).toBeGreaterThanOrEqual(3);
    // with the CLI's prefix naming the task and its node, and a tail per task
    const tail = await docker(['service', 'logs', '--tail', '1', 'chatty'], 20_000);
    expect(tail.code, tail.stderr).toBe(0);
    const rows = tail.stdout.trim().split('\n');
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toMatch(/^chatty\.[123]\.\w+@w[123] +\| line \d+ from [123]$/);
    expect((await docker(['service', 'rm', 'chatty'])).code).toBe(0);
  }, 60_000);

  it('drains a node: its tasks move and it runs nothing', async () => {
    await createService('ticker', ['--replicas', '6', '--constraint', 'node.role==worker']);
    await waitFor('six tickers running', async () => running(await tasksOf('ticker')).length === 6);
    const w3 = (await nodeByName('w3'))!;
    expect(running(await tasksOf('ticker')).some((t) => t.NodeID === w3.ID)).toBe(true);
    expect((await docker(['node', 'update', '--availability', 'drain', 'w3'])).code).toBe(0);
    await waitFor('tickers off w3 and six running elsewhere', async () => {
      const ts = running(await tasksOf('ticker'));
      return ts.length === 6 && ts.every((t) => t.NodeID !== w3.ID);
    });
    await waitFor('w3 runs no process', () => taskGroups(w3.ID).size === 0, { timeoutMs: 20_000 });
    expect((await docker(['node', 'update', '--availability', 'active', 'w3'])).code).toBe(0);
    expect((await docker(['service', 'rm', 'ticker'])).code).toBe(0);
  }, 90_000);

  it('does not declare a node DOWN when its agent stops for less than the grace period', async () => {
    const w2 = agents.get('w2')!;
    const states = new Set<string>();
    let watching = true;
    const watch = (async () => {
      while (watching) {
        states.add((await nodeByName('w2'))!.Status.State);
        await new Promise((res) => setTimeout(res, 100));
      }
    })();
    w2.kill('SIGSTOP');
    await new Promise((res) => setTimeout(res, HEARTBEAT_MS));
    w2.kill('SIGCONT');
    // watch past the point where a missed heartbeat would have expired
    await new Promise((res) => setTimeout(res, GRACE_MS + 1_000));
    watching = false;
    await watch;
    expect([...states]).toEqual(['ready']);
  }, 30_000);

  it('restarts an agent under its running tasks: the same processes carry on, nothing doubled or lost', async () => {
    await createService('steady', ['--replicas', '3', '--constraint', 'node.hostname==w2']);
    await waitFor('three steady tasks running', async () => running(await tasksOf('steady')).length === 3);
    const w2id = (await nodeByName('w2'))!.ID;
    const before = taskGroups(w2id);
    const ids = running(await tasksOf('steady'))
      .map((t) => t.ID)
      .sort();
    for (const id of ids) expect(before.get(id)?.size).toBe(1);

    for (const how of ['SIGKILL', 'SIGTERM'] as const) {
      const old = agents.get('w2')!;
      old.kill(how);
      await old.exited();
      // no token this time: the agent holds its node key
      const again = await startAgent({ ...old.opts, token: '' });
      agents.set('w2', again);
      await waitFor('w2 ready again', async () => (await nodeByName('w2'))!.Status.State === 'ready');
      // give a double start (or a lost task's replacement) time to show
      await new Promise((res) => setTimeout(res, 2_000));
      const tasks = await tasksOf('steady');
      expect(tasks.map((t) => t.ID).sort(), `after ${how}`).toEqual(ids);
      expect(running(tasks)).toHaveLength(3);
      const after = taskGroups(w2id);
      for (const id of ids) expect(after.get(id), `${id} after ${how}`).toEqual(before.get(id));
    }
    expect((await docker(['service', 'rm', 'steady'])).code).toBe(0);
    await waitFor('steady processes gone', () => taskGroups(w2id).size === 0, { timeoutMs: 20_000 });
  }, 90_000);

  it('kill -9 of an agent: its node goes DOWN within the grace period and its tasks run elsewhere', async () => {
    await createService('spread', ['--replicas', '6', '--constraint', 'node.role==worker']);
    await waitFor('six spread tasks running', async () => running(await tasksOf('spread')).length === 6);
    const w1 = (await nodeByName('w1'))!;
    const onW1 = running(await tasksOf('spread')).filter((t) => t.NodeID === w1.ID);
    expect(onW1.length).toBeGreaterThan(0);

    const killedAt = Date.now();
    agents.get('w1')!.kill('SIGKILL');
    await waitFor('w1 DOWN', async () => (await nodeByName('w1'))!.Status.State === 'down', {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    const downAfter = Date.now() - killedAt;
    // the last heartbeat came at most one period before the kill
    expect(downAfter).toBeLessThanOrEqual(GRACE_MS + 1_000);
    await waitFor(
      'six spread tasks running off w1',
      async () => {
        const ts = running(await tasksOf('spread'));
        return ts.length === 6 && ts.every((t) => t.NodeID !== w1.ID);
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    const ls = await docker(['node', 'ls', '--format', '{{.Hostname}} {{.Status}}']);
    expect(ls.stdout).toMatch(/^w1 Down$/m);
  }, 60_000);

  it('an agent whose node is removed says so and does not come back', async () => {
    const w3 = agents.get('w3')!;
    const rm = await docker(['node', 'rm', '--force', 'w3']);
    expect(rm.code, rm.stderr).toBe(0);
    await waitFor('the agent to say its node was removed', () => w3.output().includes('removed from the swarm'), {
      timeoutMs: 20_000,
      intervalMs: 200,
    });
    expect(await nodeByName('w3')).toBeUndefined();
  }, 30_000);
});
