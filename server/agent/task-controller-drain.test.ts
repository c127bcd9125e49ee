// Brief §3.6's shutdown order in the task controller: drain (the mesh refuses
// new connections at once, the manager is told), wait the drain delay, then
// stop the process. Runs on the simulated executor with a manual clock.
import { describe, expect, it } from 'vitest';
import type { Task, TaskStatus } from '../api/types';
import { ManualClock } from '../util/clock';
import { SimExecutor } from './executor/sim';
import { DrainSet } from './mesh/drain';
import { TaskController } from './task-controller';

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

function task(over: Partial<Task> = {}): Task {
  return {
    ID: 't1',
    NodeID: 'n1',
    ServiceID: 's1',
    DesiredState: 'running',
    Spec: { ContainerSpec: { Image: 'nginx' }, ForceUpdate: 0 },
    Endpoint: { Spec: { Ports: [{ TargetPort: 80, PublishedPort: 18080 }] } },
    Status: { State: 'assigned', Message: 'scheduler assigned task to node', Timestamp: '' },
    ...over,
  } as unknown as Task;
}

async function runningController(t: Task, drain: DrainSet) {
  const clock = new ManualClock();
  const executor = new SimExecutor({ clock });
  const reports: TaskStatus[] = [];
  let shutdowns = 0;
  const shutdown = executor.shutdown.bind(executor);
  executor.shutdown = (x: Task) => {
    shutdowns++;
    return shutdown(x);
  };
  const ctl = new TaskController(t, executor, (_id, s) => reports.push(s), clock, drain);
  ctl.kick();
  for (let i = 0; i < 50 && ctl.state !== 'running'; i++) {
    clock.advance(100);
    await settle();
  }
  expect(ctl.state).toBe('running');
  return { ctl, clock, reports, shutdowns: () => shutdowns };
}

describe('draining before SIGTERM', () => {
  it('marks the task draining and reports it, and stops it only after the drain delay', async () => {
    const drain = new DrainSet(1_000);
    const t = task();
    const { ctl, clock, reports, shutdowns } = await runningController(t, drain);
    ctl.update({ ...t, DesiredState: 'shutdown', Status: { ...t.Status, State: 'running' } });
    await settle();
    expect(drain.isDraining('t1')).toBe(true);
    expect(reports.at(-1)).toMatchObject({ State: 'running', Message: 'draining' });
    expect(shutdowns()).toBe(0);
    clock.advance(999);
    await settle();
    expect(shutdowns()).toBe(0);
    clock.advance(1);
    await settle();
    expect(shutdowns()).toBe(1);
    for (let i = 0; i < 20 && ctl.state !== 'shutdown'; i++) {
      clock.advance(100);
      await settle();
    }
    expect(ctl.state).toBe('shutdown');
  });

  it('stops a task the mesh cannot route to (no ports, no networks) at once', async () => {
    const drain = new DrainSet(1_000);
    const t = task({ Endpoint: undefined });
    const { ctl, reports, shutdowns } = await runningController(t, drain);
    ctl.update({ ...t, DesiredState: 'shutdown', Status: { ...t.Status, State: 'running' } });
    await settle();
    expect(shutdowns()).toBe(1);
    expect(drain.isDraining('t1')).toBe(false);
    expect(reports.some((r) => r.Message === 'draining')).toBe(false);
  });
});
