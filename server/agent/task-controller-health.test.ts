import { describe, expect, it } from 'vitest';
import type { ContainerStatus, HealthConfig, Task, TaskState, TaskStatus } from '../api/types';
import { ManualClock } from '../util/clock';
import type { ExecResult, Executor } from './executor/executor';
import { SimExecutor } from './executor/sim';
import { TaskController } from './task-controller';

const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
};

/** A container whose probes answer from a script and whose exit the test decides. */
class FakeExecutor implements Executor {
  probes: { at: number; argv: string[]; timeoutMs: number }[] = [];
  shutdowns = 0;
  answers: number[] = [];
  private resolveExit?: (code: number) => void;
  private readonly exited = new Promise<number>((r) => (this.resolveExit = r));
  constructor(
    private readonly clock: ManualClock,
    readonly withExec = true,
  ) {
    if (!withExec) this.exec = undefined;
  }
  async prepare(): Promise<ContainerStatus> {
    return { ContainerID: 'c1' };
  }
  async start(): Promise<ContainerStatus> {
    return { ContainerID: 'c1', PID: 42, ExitCode: 0 };
  }
  wait(): Promise<number> {
    return this.exited;
  }
  async shutdown(): Promise<void> {
    this.shutdowns++;
    this.exit(143);
  }
  async remove(): Promise<void> {}
  exec? = async (_task: Task, argv: string[], opts: { timeoutMs: number }): Promise<ExecResult> => {
    this.probes.push({ at: this.clock.now(), argv, timeoutMs: opts.timeoutMs });
    return { exitCode: this.answers.shift() ?? 1, output: '' };
  };
  exit(code: number): void {
    this.resolveExit?.(code);
  }
}

function makeTask(hc: HealthConfig | undefined, over: { Labels?: Record<string, string> } = {}): Task {
  return {
    ID: 't1',
    NodeID: 'n1',
    DesiredState: 'running',
    Spec: { ContainerSpec: { Image: 'nginx', Healthcheck: hc, ...over }, ForceUpdate: 0 },
    Status: { State: 'assigned', Message: 'scheduler assigned task to node', Timestamp: '' },
  } as unknown as Task;
}

// --health-cmd "check" --health-interval 1s --health-timeout 1s --health-retries 2
const HC: HealthConfig = { Test: ['CMD-SHELL', 'check'], Interval: 1e9, Timeout: 1e9, Retries: 2 };

function setup(executor: (clock: ManualClock) => Executor, task: Task) {
  const clock = new ManualClock();
  const ex = executor(clock);
  const reports: TaskStatus[] = [];
  const ctl = new TaskController(task, ex, (_id, s) => reports.push(s), clock);
  const step = async (ms: number) => {
    await settle();
    clock.advance(ms);
    await settle();
  };
  const seen = () => reports.map((r) => [r.State, r.ContainerStatus?.Health]);
  return { clock, ex, reports, ctl, step, seen };
}

const upTo = (states: [TaskState, string | undefined][]) => [
  ['accepted', undefined],
  ['preparing', undefined],
  ['ready', undefined],
  ['starting', undefined],
  ...states,
];

describe('TaskController with a health check', () => {
  it('stays STARTING until the first healthy probe, then RUNNING; keeps probing after', async () => {
    const { ex, ctl, step, seen, reports } = setup((c) => new FakeExecutor(c), makeTask(HC));
    const fake = ex as FakeExecutor;
    fake.answers = [1, 0, 0];
    ctl.kick();
    await settle();
    expect(ctl.state).toBe('starting');
    expect(seen()).toEqual(upTo([['starting', 'starting']]));
    await step(1000); // first probe fails: 1 of 2 retries
    expect(ctl.state).toBe('starting');
    await step(1000);
    expect(ctl.state).toBe('running');
    expect(reports.at(-1)).toMatchObject({
      State: 'running',
      Message: 'started',
      ContainerStatus: { ContainerID: 'c1', PID: 42, Health: 'healthy' },
    });
    expect(fake.probes[0]).toMatchObject({ argv: ['/bin/sh', '-c', 'check'], timeoutMs: 1000 });
    await step(1000);
    expect(fake.probes).toHaveLength(3);
    expect(reports).toHaveLength(6); // staying healthy reports nothing
    await ctl.close({ remove: true });
    await step(5000);
    expect(fake.probes).toHaveLength(3);
  });

  it('stops a task that never becomes healthy and fails it with the unhealthy cause', async () => {
    const { ex, ctl, step, seen, reports } = setup((c) => new FakeExecutor(c), makeTask(HC));
    ctl.kick();
    await step(1000);
    expect(ctl.state).toBe('starting');
    await step(1000);
    expect((ex as FakeExecutor).shutdowns).toBe(1);
    expect(ctl.state).toBe('failed');
    expect(seen()).toEqual(
      upTo([
        ['starting', 'starting'],
        ['starting', 'unhealthy'],
        ['failed', 'unhealthy'],
      ]),
    );
    expect(reports.at(-1)).toMatchObject({
      State: 'failed',
      Message: 'starting',
      Err: 'task: non-zero exit (143): dockerexec: unhealthy container',
      ContainerStatus: { ExitCode: 143 },
    });
    await step(10_000);
    expect((ex as FakeExecutor).probes).toHaveLength(2);
  });

  it('lets the process exit decide while STARTING: non-zero fails, 0 completes', async () => {
    const a = setup((c) => new FakeExecutor(c), makeTask(HC));
    a.ctl.kick();
    await settle();
    (a.ex as FakeExecutor).exit(2);
    await settle();
    expect(a.reports.at(-1)).toMatchObject({ State: 'failed', Err: 'task: non-zero exit (2)' });
    await a.step(5000);
    expect((a.ex as FakeExecutor).probes).toHaveLength(0);

    const b = setup((c) => new FakeExecutor(c), makeTask(HC));
    b.ctl.kick();
    await settle();
    (b.ex as FakeExecutor).exit(0);
    await settle();
    expect(b.reports.slice(-2).map((r) => [r.State, r.Message])).toEqual([
      ['running', 'started'],
      ['complete', 'finished'],
    ]);
  });

  it('after RUNNING, unhealthy reports the health, stops the task and fails it with the cause', async () => {
    const { ex, ctl, step, seen, reports } = setup((c) => new FakeExecutor(c), makeTask(HC));
    (ex as FakeExecutor).answers = [0, 1];
    ctl.kick();
    await step(1000);
    expect(ctl.state).toBe('running');
    await step(1000); // one failure of two: still healthy
    expect(ctl.state).toBe('running');
    await step(1000);
    expect(seen().slice(-3)).toEqual([
      ['running', 'healthy'],
      ['running', 'unhealthy'],
      ['failed', 'unhealthy'],
    ]);
    expect(reports.at(-1)).toMatchObject({
      Message: 'started',
      Err: 'task: non-zero exit (143): dockerexec: unhealthy container',
    });
  });

  it('goes straight to RUNNING without a check, with NONE, or when the executor cannot exec', async () => {
    const cases: [HealthConfig | undefined, boolean][] = [
      [undefined, true],
      [{ Test: ['NONE'] }, true],
      [{ Test: [] }, true],
      [HC, false],
    ];
    for (const [hc, withExec] of cases) {
      const { ctl, seen } = setup((c) => new FakeExecutor(c, withExec), makeTask(hc));
      ctl.kick();
      await settle();
      expect(seen()).toEqual(upTo([['running', undefined]]));
    }
  });

  it('stops probing when the task is shut down while STARTING', async () => {
    const task = makeTask(HC);
    const { ex, ctl, step, reports } = setup((c) => new FakeExecutor(c), task);
    ctl.kick();
    await step(1000);
    ctl.update({ ...task, DesiredState: 'shutdown' });
    await settle();
    expect(reports.at(-1)).toMatchObject({ State: 'shutdown', Message: 'shutdown' });
    await step(10_000);
    expect((ex as FakeExecutor).probes).toHaveLength(1);
  });

  it('with the sim executor: healthy by default, failed when labelled unhealthy', async () => {
    const healthy = setup((clock) => new SimExecutor({ clock, speed: 0 }), makeTask(HC));
    healthy.ctl.kick();
    await settle();
    expect(healthy.ctl.state).toBe('starting');
    await healthy.step(1000);
    expect(healthy.ctl.state).toBe('running');
    await healthy.ctl.close({ remove: true });

    const sick = setup(
      (clock) => new SimExecutor({ clock, speed: 0 }),
      makeTask(HC, { Labels: { 'swarmdeck.sim.unhealthy': '2500ms' } }),
    );
    sick.ctl.kick();
    await sick.step(1000);
    expect(sick.ctl.state).toBe('running');
    await sick.step(1000); // passes
    await sick.step(1000); // fails: 1 of 2
    expect(sick.ctl.state).toBe('running');
    await sick.step(1000);
    expect(sick.reports.at(-1)).toMatchObject({
      State: 'failed',
      Err: 'task: non-zero exit (143): dockerexec: unhealthy container',
      ContainerStatus: { Health: 'unhealthy' },
    });
  });
});
