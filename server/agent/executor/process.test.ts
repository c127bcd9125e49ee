import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerSpec, PortConfig, Task, TaskStatus } from '../../api/types';
import { ManualClock, systemClock } from '../../util/clock';
import { TaskController } from '../task-controller';
import { ProcessExecutor, type ProcessExecutorOptions } from './process';
import { groupMembers, until } from './process-test-support';

const node = { ID: 'node9', Description: { Hostname: 'worker-1', Platform: { OS: 'linux', Architecture: 'x86_64' } } };
let seq = 0;
let root: string;
const executors: ProcessExecutor[] = [];
const started: { ex: ProcessExecutor; task: Task }[] = [];

function makeTask(cs: Partial<ContainerSpec>, over: { Slot?: number; Ports?: PortConfig[] } = {}): Task {
  const ports = over.Ports;
  return {
    ID: `ptask${++seq}`,
    Version: { Index: 1 },
    CreatedAt: '',
    UpdatedAt: '',
    Labels: {},
    Spec: { ContainerSpec: { Image: 'ubuntu:14.04', ...cs }, ForceUpdate: 0 },
    ServiceID: 'svc1',
    Slot: over.Slot ?? 2,
    NodeID: 'node9',
    Status: { Timestamp: '', State: 'assigned', Message: '' },
    DesiredState: 'running',
    ServiceAnnotations: { Name: 'web', Labels: {} },
    ...(ports ? { Endpoint: { Spec: { Ports: ports } } } : {}),
  };
}

function executor(opts: Partial<ProcessExecutorOptions> = {}): ProcessExecutor {
  const ex = new ProcessExecutor({ node, workRoot: join(root, 'work'), ports: 'ephemeral', ...opts });
  executors.push(ex);
  return ex;
}

async function run(ex: ProcessExecutor, task: Task): Promise<number> {
  await ex.prepare(task);
  const st = await ex.start(task);
  started.push({ ex, task });
  return st.PID!;
}

const lines = (ex: ProcessExecutor, t: Task) => ex.logs(t.ID).map((e) => e.line);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'swarmdeck-process-test-'));
});

afterEach(async () => {
  // Never leave processes behind, whatever the test did.
  for (const { task, ex } of started.splice(0)) {
    const pid = ex.status(task.ID)?.PID;
    if (pid !== undefined) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  for (const ex of executors.splice(0)) await ex.shutdownAll(0);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('ProcessExecutor', () => {
  it('runs ubuntu with a shell loop, captures its lines and stops the whole group on SIGTERM', async () => {
    const ex = executor();
    const t = makeTask({ Args: ['/bin/sh', '-c', 'while true; do echo hello world; sleep 1; done'] });
    const prepared = await ex.prepare(t);
    expect(prepared.ContainerID).toMatch(/^[0-9a-f]{64}$/);
    const pid = await run(ex, t);
    expect(pid).toBeGreaterThan(1);
    expect(ex.status(t.ID)).toEqual({ ContainerID: prepared.ContainerID, PID: pid, ExitCode: undefined });

    const followed: string[] = [];
    const unsubscribe = ex.subscribeLogs(t.ID, (e) => followed.push(e.line));
    await until(() => lines(ex, t).length >= 2, 5_000, 'two log lines');
    const first = ex.logs(t.ID)[0]!;
    expect(first).toMatchObject({ stream: 'stdout', line: 'hello world' });
    expect(Number.isNaN(Date.parse(first.time))).toBe(false);
    expect(groupMembers(pid).length).toBeGreaterThanOrEqual(1);
    await until(() => followed.length >= 1, 3_000, 'a followed line');
    unsubscribe();

    const exit = ex.wait(t);
    const t0 = Date.now();
    await ex.shutdown(t);
    expect(Date.now() - t0).toBeLessThan(3_000); // SIGTERM honoured, no 10 s grace spent
    expect(await exit).toBe(143);
    expect(groupMembers(pid)).toEqual([]);
    await ex.shutdown(t); // idempotent
    expect(ex.status(t.ID)?.ExitCode).toBe(143);
    expect(lines(ex, t).length).toBeGreaterThanOrEqual(2); // logs outlive the process until remove
  });

  it('SIGKILLs a group that ignores SIGTERM once StopGracePeriod has passed', async () => {
    const clock = new ManualClock();
    const ex = executor({ clock });
    const t = makeTask({
      Args: ['/bin/sh', '-c', "trap '' TERM; echo ready; sleep 60"],
      StopGracePeriod: 2_000_000_000, // 2 s in ns, on the manual clock
    });
    const pid = await run(ex, t);
    await until(() => lines(ex, t).includes('ready'), 5_000, 'ready');
    let stopped = false;
    const stopping = ex.shutdown(t).then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(stopped).toBe(false);
    expect(groupMembers(pid).length).toBeGreaterThanOrEqual(1); // SIGTERM ignored
    clock.advance(1_999);
    await new Promise((r) => setTimeout(r, 100));
    expect(stopped).toBe(false);
    clock.advance(1);
    await stopping;
    expect(await ex.wait(t)).toBe(137);
    expect(groupMembers(pid)).toEqual([]);
  });

  it('uses a real short grace period with the system clock', async () => {
    const ex = executor({ clock: systemClock });
    const t = makeTask({ Args: ['/bin/sh', '-c', "trap '' TERM; echo ready; sleep 60"], StopGracePeriod: 300e6 });
    const pid = await run(ex, t);
    await until(() => lines(ex, t).includes('ready'), 5_000, 'ready');
    const t0 = Date.now();
    await ex.shutdown(t);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(await ex.wait(t)).toBe(137);
    expect(groupMembers(pid)).toEqual([]);
  });

  it('resolves wait with the exit code', async () => {
    const ex = executor();
    const ok = makeTask({ Image: 'alpine', Command: ['/bin/sh', '-c'], Args: ['exit 0'] });
    const bad = makeTask({ Image: 'busybox:latest', Args: ['/bin/sh', '-c', 'echo oops >&2; exit 3'] });
    await run(ex, ok);
    await run(ex, bad);
    expect(await ex.wait(ok)).toBe(0);
    expect(await ex.wait(bad)).toBe(3);
    // The exit is reported once the pipes are drained: the output is complete by then.
    expect(ex.logs(bad.ID)).toMatchObject([{ stream: 'stderr', line: 'oops' }]);
  });

  it('applies Env (templated), Dir, Hostname and the identity variables', async () => {
    const ex = executor();
    const dir = await mkdtemp(join(root, 'dir-'));
    const t = makeTask({
      Args: ['/bin/sh', '-c', 'echo "$FOO|$SLOT|$NAME|$HOSTNAME|$(pwd)|$SWARMDECK_TASK_ID|$SWARMDECK_NODE_HOSTNAME"'],
      Env: ['FOO=bar baz', 'SLOT={{.Task.Slot}}', 'NAME={{.Service.Name}}-{{.Node.Hostname}}'],
      Hostname: '{{.Service.Name}}-{{.Task.Slot}}',
      Dir: dir,
    });
    await run(ex, t);
    expect(await ex.wait(t)).toBe(0);
    await until(() => lines(ex, t).length > 0, 2_000, 'output');
    expect(lines(ex, t)).toEqual([`bar baz|2|web-worker-1|web-2|${dir}|${t.ID}|worker-1`]);

    const global = makeTask({ Args: ['/bin/sh', '-c', 'echo "$SLOT"'], Env: ['SLOT={{.Task.Slot}}'] }, { Slot: 0 });
    await run(ex, global);
    expect(await ex.wait(global)).toBe(0);
    await until(() => lines(ex, global).length > 0, 2_000, 'output');
    expect(lines(ex, global)).toEqual(['node9']);
  });

  it('rejects at prepare: unknown template field, missing Dir, unknown image without command, bad catalog file', async () => {
    const ex = executor();
    await expect(ex.prepare(makeTask({ Args: ['true'], Env: ['X={{.Task.Nope}}'] }))).rejects.toThrow(
      /can't evaluate field Nope/,
    );
    await expect(ex.prepare(makeTask({ Args: ['true'], Dir: join(root, 'absent') }))).rejects.toThrow(
      /working directory ".*absent" does not exist on this host/,
    );
    await expect(ex.prepare(makeTask({ Image: 'foo:1' }))).rejects.toThrow(
      'image "foo:1" has no command and is not in the image catalog',
    );
    const badFile = join(root, 'bad-catalog.json');
    await writeFile(badFile, '{"images": [{"match": "x"}]}');
    await expect(executor({ catalogFile: badFile }).prepare(makeTask({ Args: ['true'] }))).rejects.toThrow(
      /bad-catalog\.json: entry 0: "command" must be/,
    );
  });

  it('fails start when the command does not exist', async () => {
    const ex = executor();
    const t = makeTask({ Image: 'acme/tool', Command: ['/no/such/binary-xyz'] });
    await ex.prepare(t);
    await expect(ex.start(t)).rejects.toThrow(/executable file not found/);
  });

  it('maps outcomes to task states through the TaskController', async () => {
    const ex = executor();
    const drive = async (t: Task) => {
      const reports: TaskStatus[] = [];
      const ctl = new TaskController(t, ex, (_id, s) => reports.push(s), systemClock);
      ctl.kick();
      await until(() => ['complete', 'failed', 'rejected'].includes(ctl.state), 5_000, 'terminal state');
      const pid = ex.status(t.ID)?.PID;
      if (pid) started.push({ ex, task: t });
      return reports.at(-1)!;
    };
    expect(await drive(makeTask({ Args: ['/bin/sh', '-c', 'exit 0'] }))).toMatchObject({
      State: 'complete',
      Message: 'finished',
      ContainerStatus: { ExitCode: 0 },
    });
    expect(await drive(makeTask({ Args: ['/bin/sh', '-c', 'exit 3'] }))).toMatchObject({
      State: 'failed',
      Err: 'task: non-zero exit (3)',
      ContainerStatus: { ExitCode: 3 },
    });
    const rejected = await drive(makeTask({ Image: 'foo:1' }));
    expect(rejected.State).toBe('rejected');
    expect(rejected.Err).toMatch(/^image "foo:1" has no command and is not in the image catalog/);
  });

  it('serves the task identity from the built-in HTTP server for nginx', async () => {
    const ex = executor();
    const t = makeTask(
      { Image: 'nginx:latest' },
      { Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080 }] },
    );
    t.ServiceAnnotations = { Name: 'frontend', Labels: {} };
    await run(ex, t);
    const [port] = ex.ports(t.ID);
    expect(port).toMatchObject({ Protocol: 'tcp', TargetPort: 80 });
    expect(port!.HostPort).not.toBe(80); // ephemeral policy
    const url = `http://127.0.0.1:${port!.HostPort}/hello`;
    const text = await until(
      async () => {
        try {
          return await (await fetch(url)).text();
        } catch {
          return undefined;
        }
      },
      5_000,
      'HTTP answer',
    );
    expect(text).toContain('service: frontend');
    expect(text).toContain('slot: 2');
    expect(text).toContain(`task: ${t.ID}`);
    expect(text).toContain('node: worker-1');
    const json = (await (await fetch(url, { headers: { accept: 'application/json' } })).json()) as Record<
      string,
      unknown
    >;
    expect(json).toMatchObject({ service: 'frontend', slot: '2', task: t.ID, node: 'worker-1', port: port!.HostPort });
    await until(() => lines(ex, t).some((l) => l.includes('GET /hello')), 2_000, 'access log');
    await ex.shutdown(t);
    expect(await ex.wait(t)).toBe(0);
  });

  it('prefers the target port and gives a clashing replica another one', async () => {
    const ex = executor({ ports: 'prefer-target' });
    // A port that is free on this host, to use as the target.
    const free = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const ports = [{ Protocol: 'tcp' as const, TargetPort: free }];
    const a = makeTask({ Args: ['true'], Env: ['PORT=1'] }, { Ports: ports });
    const b = makeTask({ Args: ['true'] }, { Ports: ports });
    await ex.prepare(a);
    await ex.prepare(b);
    expect(ex.ports(a.ID)).toEqual([{ Protocol: 'tcp', TargetPort: free, HostPort: free }]);
    expect(ex.ports(b.ID)[0]!.HostPort).not.toBe(free);
    // The executor's PORT wins over the spec's.
    await run(ex, a);
    await ex.wait(a);
    const env = makeTask({ Args: ['/bin/sh', '-c', `echo "$PORT $SWARMDECK_PORT_${free}_TCP"`] }, { Ports: ports });
    await run(ex, env);
    await ex.wait(env);
    await until(() => lines(ex, env).length > 0, 2_000, 'output');
    expect(lines(ex, env)).toEqual([`${free} ${free}`]); // a's port was released when it exited
  });

  it('maps images through a catalog file', async () => {
    const file = join(root, 'catalog.json');
    await writeFile(file, JSON.stringify([{ match: 'redis*', command: ['/bin/sh', '-c', 'echo redis-ready'] }]));
    const ex = executor({ catalogFile: file });
    const t = makeTask({ Image: 'redis:7-alpine' });
    await run(ex, t);
    expect(await ex.wait(t)).toBe(0);
    await until(() => lines(ex, t).length > 0, 2_000, 'output');
    expect(lines(ex, t)).toEqual(['redis-ready']);
  });

  it('removes the scratch directory and forgets the task, idempotently', async () => {
    const ex = executor();
    const t = makeTask({ Args: ['/bin/sh', '-c', 'pwd; sleep 30'] });
    const pid = await run(ex, t);
    await until(() => lines(ex, t).length > 0, 2_000, 'pwd');
    const scratch = lines(ex, t)[0]!;
    expect(scratch.startsWith(join(root, 'work'))).toBe(true);
    expect(existsSync(scratch)).toBe(true);
    await ex.remove(t);
    expect(groupMembers(pid)).toEqual([]);
    expect(existsSync(scratch)).toBe(false);
    expect(ex.logs(t.ID)).toEqual([]);
    expect(ex.status(t.ID)).toBeUndefined();
    await ex.remove(t);
    await ex.shutdown(t);
    await expect(ex.wait(t)).rejects.toThrow(/no process for task/);
  });
});
