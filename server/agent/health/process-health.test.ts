import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HealthConfig, Task, TaskStatus } from '../../api/types';
import { systemClock } from '../../util/clock';
import { ProcessExecutor } from '../executor/process';
import { TaskController } from '../task-controller';

// Health checks end to end on real processes: ProcessExecutor runs the task and its probes.
const node = { ID: 'node9', Description: { Hostname: 'worker-1', Platform: { OS: 'linux', Architecture: 'x86_64' } } };
let root: string;
let seq = 0;
const controllers: TaskController[] = [];
const executors: ProcessExecutor[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'swarmdeck-health-test-'));
});
afterEach(async () => {
  for (const c of controllers.splice(0)) await c.close({ remove: true });
  for (const ex of executors.splice(0)) await ex.shutdownAll(0);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function makeTask(Healthcheck: HealthConfig, Dir?: string): Task {
  return {
    ID: `htask${++seq}`,
    Version: { Index: 1 },
    CreatedAt: '',
    UpdatedAt: '',
    Labels: {},
    Spec: {
      ContainerSpec: { Image: 'ubuntu:22.04', Args: ['sleep', '60'], Dir, Healthcheck, StopGracePeriod: 2e9 },
      ForceUpdate: 0,
    },
    ServiceID: 'svc1',
    Slot: 1,
    NodeID: 'node9',
    Status: { Timestamp: '', State: 'assigned', Message: '' },
    DesiredState: 'running',
    ServiceAnnotations: { Name: 'web', Labels: {} },
  };
}

function drive(task: Task) {
  const ex = new ProcessExecutor({ node, workRoot: join(root, 'work'), ports: 'ephemeral' });
  executors.push(ex);
  const reports: TaskStatus[] = [];
  const ctl = new TaskController(task, ex, (_id, s) => reports.push(s), systemClock);
  controllers.push(ctl);
  ctl.kick();
  return { ex, ctl, reports };
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

describe('health checks on real processes', () => {
  it('keeps the task STARTING until its check passes, then RUNNING', { timeout: 15_000 }, async () => {
    const dir = await mkdtemp(join(root, 'dir-'));
    // Runs in the task's directory and environment; failures in the start period do not count.
    const task = makeTask({ Interval: 1e8, Timeout: 2e9, Retries: 2, StartPeriod: 60e9, StartInterval: 1e8 }, dir);
    task.Spec.ContainerSpec.Healthcheck!.Test = [
      'CMD-SHELL',
      `test -f ready && test "$SWARMDECK_TASK_ID" = ${task.ID}`,
    ];
    const { ctl, reports } = drive(task);
    await until(() => reports.some((r) => r.ContainerStatus?.Health === 'starting'), 5_000, 'health starting');
    await new Promise((r) => setTimeout(r, 600)); // several failing probes
    expect(ctl.state).toBe('starting');
    await writeFile(join(dir, 'ready'), '');
    await until(() => ctl.state === 'running', 5_000, 'running');
    expect(reports.at(-1)).toMatchObject({
      State: 'running',
      Message: 'started',
      ContainerStatus: { Health: 'healthy' },
    });
  });

  it('fails a RUNNING task once its check keeps failing', { timeout: 15_000 }, async () => {
    const dir = await mkdtemp(join(root, 'dir-'));
    await writeFile(join(dir, 'ready'), '');
    const { ctl, reports } = drive(makeTask({ Test: ['CMD', 'test', '-f', 'ready'], Interval: 1e8, Retries: 2 }, dir));
    await until(() => ctl.state === 'running', 5_000, 'running');
    await rm(join(dir, 'ready'));
    await until(() => ctl.state === 'failed', 5_000, 'failed');
    expect(reports.slice(-2).map((r) => [r.State, r.ContainerStatus?.Health, r.Err])).toEqual([
      ['running', 'unhealthy', undefined],
      ['failed', 'unhealthy', 'task: non-zero exit (143): dockerexec: unhealthy container'],
    ]);
    expect(alive(reports.at(-1)!.ContainerStatus!.PID!)).toBe(false);
  });

  it(
    'fails a task whose check never passes with the unhealthy error, and its process is gone',
    { timeout: 15_000 },
    async () => {
      const { ctl, reports } = drive(makeTask({ Test: ['CMD', 'false'], Interval: 1e8, Timeout: 1e9, Retries: 2 }));
      await until(() => ctl.state === 'failed', 8_000, 'failed');
      const last = reports.at(-1)!;
      expect(last).toMatchObject({
        State: 'failed',
        Message: 'starting',
        Err: 'task: non-zero exit (143): dockerexec: unhealthy container',
        ContainerStatus: { ExitCode: 143, Health: 'unhealthy' },
      });
      expect(reports.some((r) => r.State === 'running')).toBe(false);
      const pid = last.ContainerStatus!.PID!;
      expect(pid).toBeGreaterThan(1);
      expect(alive(pid)).toBe(false);
    },
  );
});
