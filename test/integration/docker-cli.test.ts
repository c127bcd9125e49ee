// The issue's scenario, end to end: the real swarmdeck server process driven
// by the unmodified docker CLI (28.2.2) over DOCKER_HOST.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dockerBinary,
  dockerCli,
  freePorts,
  startServer,
  tempDir,
  waitFor,
  type DockerResult,
  type RunningServer,
  type ServerPorts,
} from './harness';

const bin = dockerBinary();
const CONVERGE_MS = 90_000;

interface PsRow {
  id: string;
  name: string;
  image: string;
  node: string;
  desired: string;
  current: string;
}

// The real docker CLI is part of the test: a machine without it must fail here, not skip.
if (!bin) throw new Error('the docker CLI is required for the Engine API tests (.ci/run installs it)');

describe('docker CLI against swarmdeck', () => {
  const data = tempDir('swarmdeck-cli-data-');
  const config = tempDir('swarmdeck-cli-config-');
  let ports: ServerPorts;
  let server: RunningServer | undefined;
  let docker: ReturnType<typeof dockerCli>;

  const ok = async (args: string[], timeoutMs?: number): Promise<DockerResult> => {
    const r = await docker(args, timeoutMs);
    if (r.code !== 0)
      throw new Error(
        `docker ${args.join(' ')} → ${r.timedOut ? 'timed out' : `exit ${r.code}`}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nserver:\n${server?.output().slice(-3000)}`,
      );
    return r;
  };

  const ps = async (service: string, extra: string[] = []): Promise<PsRow[]> => {
    const fmt = '{{.ID}}|{{.Name}}|{{.Image}}|{{.Node}}|{{.DesiredState}}|{{.CurrentState}}';
    const r = await ok(['service', 'ps', '--no-trunc', ...extra, '--format', fmt, service]);
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [id, name, image, node, desired, current] = l.split('|') as string[];
        return { id: id!, name: name!, image: image!, node: node!, desired: desired!, current: current! };
      });
  };
  const running = async (service: string) =>
    (await ps(service, ['--filter', 'desired-state=running'])).filter((r) => r.current.startsWith('Running'));

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${ports.engine}${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      contentType: res.headers.get('content-type'),
      json: text ? JSON.parse(text) : undefined,
    };
  };

  beforeAll(async () => {
    ports = await freePorts();
    docker = dockerCli(ports.engine, config.path, bin);
    server = await startServer({ dataDir: data.path, ports, simWorkers: 3 });
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
    data.remove();
    config.remove();
  }, 30_000);

  it('node ls shows the manager as Leader and three ready workers', async () => {
    const rows = await waitFor('all four nodes ready', async () => {
      const r = await ok(['node', 'ls', '--format', '{{.Self}}|{{.Hostname}}|{{.Status}}|{{.ManagerStatus}}']);
      const lines = r.stdout.split('\n').filter(Boolean);
      return lines.length === 4 && lines.every((l) => l.split('|')[2] === 'Ready') ? lines : undefined;
    });
    const leader = rows.filter((l) => l.endsWith('|Leader'));
    expect(leader).toHaveLength(1);
    expect(leader[0]!.startsWith('true|')).toBe(true);
    expect(rows.filter((l) => l.split('|')[1]!.startsWith('sim-worker-'))).toHaveLength(3);
    const table = await ok(['node', 'ls']);
    expect(table.stdout).toMatch(/ \*\s+\S+\s+Ready\s+Active\s+Leader/);
  }, 60_000);

  it(
    'service create --replicas 6 blocks until converged; service ps shows web.1…web.6 running',
    async () => {
      const r = await ok(['service', 'create', '--name', 'web', '--replicas', '6', 'nginx:alpine'], CONVERGE_MS);
      expect(r.stdout).toMatch(/verify: Service \S+ converged/);
      const rows = await running('web');
      expect(rows.map((x) => x.name).sort()).toEqual(['web.1', 'web.2', 'web.3', 'web.4', 'web.5', 'web.6']);
      expect(rows.every((x) => x.image === 'nginx:alpine')).toBe(true);
      const ls = await ok(['service', 'ls', '--format', '{{.Name}} {{.Mode}} {{.Replicas}} {{.Image}}']);
      expect(ls.stdout.trim()).toBe('web replicated 6/6 nginx:alpine');
    },
    CONVERGE_MS + 10_000,
  );

  it(
    'service update --image rolls every slot; service ps shows six \\_ history rows',
    async () => {
      await ok(['service', 'update', '--image', 'nginx:1.27', 'web'], CONVERGE_MS);
      const rows = await running('web');
      expect(rows.map((x) => x.name).sort()).toEqual(['web.1', 'web.2', 'web.3', 'web.4', 'web.5', 'web.6']);
      expect(rows.every((x) => x.image === 'nginx:1.27')).toBe(true);
      const table = await ok(['service', 'ps', 'web']);
      const history = table.stdout.split('\n').filter((l) => l.includes(' \\_ web.'));
      expect(history).toHaveLength(6);
      expect(history.every((l) => /nginx:alpine\s+\S+\s+Shutdown/.test(l))).toBe(true);
      const inspect = JSON.parse((await ok(['service', 'inspect', 'web'])).stdout) as {
        UpdateStatus?: { State: string };
        PreviousSpec?: { TaskTemplate: { ContainerSpec: { Image: string } } };
      }[];
      expect(inspect[0]!.UpdateStatus?.State).toBe('completed');
      expect(inspect[0]!.PreviousSpec?.TaskTemplate.ContainerSpec.Image).toBe('nginx:alpine');
    },
    CONVERGE_MS + 10_000,
  );

  it(
    'service scale web=3 removes slots 4–6 once reaped',
    async () => {
      const r = await ok(['service', 'scale', 'web=3'], CONVERGE_MS);
      expect(r.stdout).toContain('web scaled to 3');
      const extra = new Set(['web.4', 'web.5', 'web.6']);
      // Scale-down sets every task of slots 4–6 (history included) to desired Remove; the reaper deletes
      // them once shut down, so the slots vanish from `service ps`.
      const rows = await waitFor(
        'slots 4–6 to be gone',
        async () => {
          const all = await ps('web');
          return all.some((x) => extra.has(x.name)) ? undefined : all;
        },
        { timeoutMs: 45_000 },
      );
      // slots 1–3 keep their superseded history from the image update
      expect(rows.filter((x) => x.desired === 'Shutdown').length).toBeGreaterThanOrEqual(3);
      expect(new Set(rows.map((x) => x.name))).toEqual(new Set(['web.1', 'web.2', 'web.3']));
      expect((await running('web')).map((x) => x.name).sort()).toEqual(['web.1', 'web.2', 'web.3']);
      const ls = await ok(['service', 'ls', '--format', '{{.Replicas}}']);
      expect(ls.stdout.trim()).toBe('3/3');
    },
    CONVERGE_MS + 60_000,
  );

  it('a restart on the same data dir keeps services, tasks and nodes', async () => {
    const snapshot = async () => ({
      services: (await ok(['service', 'ls', '--format', '{{.ID}} {{.Name}} {{.Mode}} {{.Replicas}} {{.Image}}']))
        .stdout,
      tasks: (await running('web')).map((x) => `${x.id} ${x.name} ${x.image} ${x.node}`).sort(),
      nodes: (await ok(['node', 'ls', '--format', '{{.ID}} {{.Hostname}} {{.Availability}} {{.ManagerStatus}}'])).stdout
        .split('\n')
        .sort(),
    });
    const before = await snapshot();
    await server!.stop();
    server = await startServer({ dataDir: data.path, ports, simWorkers: 3 });
    const after = await waitFor(
      'the same state after restart',
      async () => {
        const s = await snapshot();
        return JSON.stringify(s) === JSON.stringify(before) ? s : undefined;
      },
      { timeoutMs: 45_000 },
    ).catch(async (err: Error) => {
      // show the difference rather than only the timeout
      expect(await snapshot()).toEqual(before);
      throw err;
    });
    expect(after).toEqual(before);
  }, 150_000);

  it('node update --availability drain moves the tasks off that worker', async () => {
    const rows = await running('web');
    const worker = rows.map((x) => x.node).find((n) => n.startsWith('sim-worker-'));
    expect(worker).toBeTruthy();
    expect((await ok(['node', 'update', '--availability', 'drain', worker!])).stdout.trim()).toBe(worker);
    const moved = await waitFor(
      `web tasks off ${worker}`,
      async () => {
        const r = await running('web');
        return r.length === 3 && r.every((x) => x.node !== worker) ? r : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(moved.map((x) => x.name).sort()).toEqual(['web.1', 'web.2', 'web.3']);
    const node = JSON.parse((await ok(['node', 'inspect', worker!])).stdout) as { Spec: { Availability: string } }[];
    expect(node[0]!.Spec.Availability).toBe('drain');
  }, 90_000);

  it(
    'service create --mode global with env, constraint, reservations and restart condition',
    async () => {
      await ok(
        [
          'service',
          'create',
          '--name',
          'agent',
          '--mode',
          'global',
          '--env',
          'FOO=bar',
          '--constraint',
          'node.role==worker',
          '--reserve-cpu',
          '0.1',
          '--reserve-memory',
          '64M',
          '--restart-condition',
          'on-failure',
          'busybox:1.36',
        ],
        CONVERGE_MS,
      );
      const [svc] = JSON.parse((await ok(['service', 'inspect', 'agent'])).stdout) as {
        Spec: {
          Mode: object;
          TaskTemplate: {
            ContainerSpec: { Env: string[] };
            Placement: { Constraints: string[] };
            Resources: { Reservations: { NanoCPUs: number; MemoryBytes: number } };
            RestartPolicy: { Condition: string };
          };
        };
      }[];
      expect(svc!.Spec.Mode).toEqual({ Global: {} });
      expect(svc!.Spec.TaskTemplate.ContainerSpec.Env).toEqual(['FOO=bar']);
      expect(svc!.Spec.TaskTemplate.Placement.Constraints).toEqual(['node.role==worker']);
      expect(svc!.Spec.TaskTemplate.Resources.Reservations).toEqual({
        NanoCPUs: 100_000_000,
        MemoryBytes: 64 * 1024 * 1024,
      });
      expect(svc!.Spec.TaskTemplate.RestartPolicy.Condition).toBe('on-failure');
      // one task per active worker: the drained one gets none, the manager is excluded by the constraint
      const rows = await running('agent');
      expect(rows).toHaveLength(2);
      expect(rows.every((x) => x.node.startsWith('sim-worker-'))).toBe(true);
      const pretty = await ok(['service', 'inspect', '--pretty', 'agent']);
      expect(pretty.stdout).toContain('Service Mode:\tGlobal');
    },
    CONVERGE_MS + 10_000,
  );

  it('service rm removes the service and its tasks', async () => {
    expect((await ok(['service', 'rm', 'agent'])).stdout.trim()).toBe('agent');
    const ls = await ok(['service', 'ls', '--format', '{{.Name}}']);
    expect(ls.stdout.trim()).toBe('web');
    await waitFor(
      'agent tasks to go',
      async () => {
        const r = await docker(['service', 'ps', 'agent']);
        return r.code === 1 && r.stderr.includes('no such service: agent');
      },
      { timeoutMs: 30_000 },
    );
  }, 60_000);

  it('node update --label-add shows in node inspect', async () => {
    await ok(['node', 'update', '--label-add', 'zone=z', '--label-add', 'ssd', 'sim-worker-2']);
    const [node] = JSON.parse((await ok(['node', 'inspect', 'sim-worker-2'])).stdout) as {
      Spec: { Labels: Record<string, string>; Role: string };
      Description: { Hostname: string };
    }[];
    expect(node!.Spec.Labels).toMatchObject({ zone: 'z', ssd: '' });
    expect(node!.Spec.Role).toBe('worker');
    expect(node!.Description.Hostname).toBe('sim-worker-2');
    const pretty = await ok(['node', 'inspect', '--pretty', 'self']);
    expect(pretty.stdout).toMatch(/Manager Status:[\s\S]*Leader:\s+Yes/);
  }, 30_000);

  it('errors reach the CLI as the real daemon words them', async () => {
    const nosuch = await docker(['service', 'inspect', 'nosuch']);
    expect(nosuch.code).toBe(1);
    expect(nosuch.stderr).toContain('no such service: nosuch');

    const dup = await docker(['service', 'create', '--detach', '--name', 'web', 'nginx:alpine']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain(
      'Error response from daemon: rpc error: code = AlreadyExists desc = name conflicts with an existing object: service web already exists',
    );

    const rm = await docker(['node', 'rm', 'sim-worker-3']);
    expect(rm.code).toBe(1);
    expect(rm.stderr).toMatch(/rpc error: code = FailedPrecondition desc = node \S+ is not down and can't be removed/);

    const self = (await ok(['info', '--format', '{{.Swarm.NodeID}}'])).stdout.trim();
    const demote = await docker(['node', 'demote', self]);
    expect(demote.code).toBe(1);
    expect(demote.stderr).toContain('attempting to demote the last manager of the swarm');

    const init = await docker(['swarm', 'init']);
    expect(init.code).toBe(1);
    expect(init.stderr).toContain('This node is already part of a swarm');

    // a stale version=: the second update with the same version is refused
    const got = await api('GET', '/v1.50/services/web');
    const version = (got.json as { Version: { Index: number } }).Version.Index;
    const spec = (got.json as { Spec: unknown }).Spec;
    expect((await api('POST', `/v1.50/services/web/update?version=${version}`, spec)).status).toBe(200);
    const stale = await api('POST', `/v1.50/services/web/update?version=${version}`, spec);
    // dockerd's text; a 409 here (dockerd: 500), since a refused input is never a 5xx
    expect(stale.status).toBe(409);
    expect(stale.contentType).toBe('application/json');
    expect(stale.json).toEqual({ message: 'rpc error: code = Unknown desc = update out of sequence' });
  }, 60_000);
});
