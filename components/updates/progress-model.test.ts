import { describe, expect, it } from 'vitest';
import type { Service, Task, TaskState, UpdateEvent } from '@/server/api/types';
import { fixtureService, fixtureTask } from '../cluster/test-fixtures';
import { onTargetSpec, ProgressMemo, progressModel } from './progress-model';

// a 6-slot service moving from nginx:1.26 (SpecVersion 5) to nginx:1.27 (SpecVersion 9)
const T = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();
const NOW = Date.UTC(2026, 0, 1, 12, 1, 0);
const oldSpec = { ContainerSpec: { Image: 'nginx:1.26' }, ForceUpdate: 0 };
const newSpec = { ContainerSpec: { Image: 'nginx:1.27' }, ForceUpdate: 0 };

function service(over: Partial<Service> = {}): Service {
  const base = fixtureService({ ID: 'svc' });
  return {
    ...base,
    Spec: {
      ...base.Spec,
      TaskTemplate: newSpec,
      Mode: { Replicated: { Replicas: 6 } },
      UpdateConfig: { Parallelism: 2, Delay: 10e9, Monitor: 5e9 },
    },
    SpecVersion: { Index: 9 },
    PreviousSpec: { ...base.Spec, TaskTemplate: oldSpec },
    PreviousSpecVersion: { Index: 5 },
    UpdateStatus: { State: 'updating', Message: 'update in progress', StartedAt: T(0) },
    ...over,
  };
}

let seq = 0;
function task(
  svc: Service,
  slot: number,
  spec: 'old' | 'new',
  state: TaskState,
  over: Partial<Task> & { at?: number } = {},
): Task {
  const { at, ...rest } = over;
  const created = spec === 'old' ? T(-600) : T(at ?? 1);
  return fixtureTask(svc, {
    ID: `t${++seq}`,
    Slot: slot,
    NodeID: `n${slot % 3}`,
    Spec: spec === 'old' ? oldSpec : newSpec,
    SpecVersion: { Index: spec === 'old' ? 5 : 9 },
    CreatedAt: created,
    DesiredState: 'running',
    Status: { Timestamp: created, State: state, Message: state },
    ...rest,
  });
}

const oldRunning = (svc: Service, slot: number) => task(svc, slot, 'old', 'running');
const oldStopped = (svc: Service, slot: number) =>
  task(svc, slot, 'old', 'shutdown', {
    DesiredState: 'shutdown',
    Status: { Timestamp: T(2), State: 'shutdown', Message: 'shutdown' },
  });

describe('progressModel', () => {
  it('gives each slot its state: updated, monitored, draining, starting, untouched', () => {
    const svc = service();
    const tasks = [
      // slot 1: replaced long ago, out of the monitor window
      oldStopped(svc, 1),
      task(svc, 1, 'new', 'running', { at: 5, Status: { Timestamp: T(8), State: 'running', Message: 'started' } }),
      // slot 2: new task running for 2 s: a failure would still count
      oldStopped(svc, 2),
      task(svc, 2, 'new', 'running', { at: 40, Status: { Timestamp: T(58), State: 'running', Message: 'started' } }),
      // slot 3: stop-first, old task told to stop but still running, new one waiting
      task(svc, 3, 'old', 'running', { DesiredState: 'shutdown' }),
      task(svc, 3, 'new', 'pending', { at: 59, DesiredState: 'ready' }),
      // slot 4: old one gone, new one preparing
      oldStopped(svc, 4),
      task(svc, 4, 'new', 'preparing', { at: 59 }),
      // slots 5 and 6 not reached yet
      oldRunning(svc, 5),
      oldRunning(svc, 6),
    ];
    const m = progressModel(svc, tasks, [], NOW);
    expect(m.cells.map((c) => [c.label, c.state, c.monitoring])).toEqual([
      ['1', 'running', false],
      ['2', 'running', true],
      ['3', 'stopping', false],
      ['4', 'starting', false],
      ['5', 'old', false],
      ['6', 'old', false],
    ]);
    expect(m).toMatchObject({ phase: 'updating', active: true, total: 6, done: 2 });
    expect(m.inFlight.map((c) => c.label)).toEqual(['3', '4']);
    expect(m.counts).toMatchObject({ running: 2, stopping: 1, starting: 1, old: 2, failed: 0 });
    expect(m.config).toMatchObject({ Parallelism: 2, FailureAction: 'pause', Order: 'stop-first' });
    expect(m.elapsedMs).toBe(60_000);
  });

  it('counts a running task with a health check as updated only once healthy', () => {
    const svc = service();
    const health = (h: 'starting' | 'healthy') => ({
      Timestamp: T(30),
      State: 'running' as const,
      Message: 'started',
      ContainerStatus: { Health: h },
    });
    const m = progressModel(
      svc,
      [
        task(svc, 1, 'new', 'running', { Status: health('starting') }),
        task(svc, 2, 'new', 'running', { Status: health('healthy') }),
      ],
      [],
      NOW,
    );
    expect(m.cells.map((c) => [c.state, c.health])).toEqual([
      ['starting', 'starting'],
      ['running', 'healthy'],
    ]);
  });

  it('counts down the delay from the last delay event, else from the last slot that came up', () => {
    const svc = service();
    const tasks = [
      oldStopped(svc, 1),
      task(svc, 1, 'new', 'running', { Status: { Timestamp: T(52), State: 'running', Message: '' } }),
      oldRunning(svc, 2),
    ];
    const fromTasks = progressModel(svc, tasks, [], NOW);
    expect(fromTasks.delay).toEqual({ totalMs: 10_000, remainingMs: 2_000, endsAt: NOW + 2_000 });
    const events: UpdateEvent[] = [
      { At: T(0), Kind: 'started', Message: 'update started' },
      { At: T(55), Kind: 'delay', Message: 'waiting 10s before the next slot' },
    ];
    expect(progressModel(svc, tasks, events, NOW).delay?.remainingMs).toBe(5_000);
    // over: no countdown
    expect(progressModel(svc, tasks, events, NOW + 6_000).delay).toBeUndefined();
    // no delay configured: none
    const noDelay = service({ Spec: { ...svc.Spec, UpdateConfig: { Parallelism: 1 } } });
    expect(progressModel(noDelay, tasks, events, NOW).delay).toBeUndefined();
  });

  it('shows the final monitor window once every slot is on the new spec', () => {
    const svc = service({ Spec: { ...service().Spec, UpdateConfig: { Delay: 0, Monitor: 8e9 } } });
    const tasks = [
      oldStopped(svc, 1),
      task(svc, 1, 'new', 'running', { Status: { Timestamp: T(50), State: 'running', Message: '' } }),
      task(svc, 2, 'new', 'running', { Status: { Timestamp: T(55), State: 'running', Message: '' } }),
    ];
    const m = progressModel(svc, tasks, [], NOW);
    expect(m.done).toBe(2);
    expect(m.monitor).toEqual({ totalMs: 8_000, remainingMs: 3_000, endsAt: NOW + 3_000 });
    expect(m.delay).toBeUndefined();
    // the updater's own event wins; Delay ≥ Monitor stretches the window to Delay + 1 s
    const slow = service({ Spec: { ...svc.Spec, UpdateConfig: { Delay: 10e9, Monitor: 5e9 } } });
    const ev: UpdateEvent[] = [{ At: T(58), Kind: 'monitor', Message: 'monitoring' }];
    expect(progressModel(slow, tasks, ev, NOW).monitor).toEqual({
      totalMs: 11_000,
      remainingMs: 9_000,
      endsAt: NOW + 9_000,
    });
  });

  it('when paused names the slot, node and error of the failed task, and weighs failures against the ratio', () => {
    const failedID = 'deadbeefcafe0001';
    const svc = service({
      UpdateStatus: {
        State: 'paused',
        Message: `update paused due to failure or early termination of task ${failedID}`,
        StartedAt: T(0),
      },
      Spec: { ...service().Spec, UpdateConfig: { Parallelism: 1, MaxFailureRatio: 0.2 } },
    });
    const tasks = [
      oldStopped(svc, 1),
      task(svc, 1, 'new', 'running', { Status: { Timestamp: T(5), State: 'running', Message: '' } }),
      oldStopped(svc, 2),
      task(svc, 2, 'new', 'failed', {
        ID: failedID,
        NodeID: 'node-b',
        Status: { Timestamp: T(20), State: 'failed', Message: 'started', Err: 'task: non-zero exit (1)' },
      }),
      ...[3, 4, 5, 6].map((s) => oldRunning(svc, s)),
      // slot 7 was on the new spec before this run began: not dirty
      task(svc, 7, 'new', 'running', { CreatedAt: T(-100) }),
      // slot 2's restart after the pause failed again: the updater no longer counts it
      task(svc, 2, 'new', 'failed', {
        at: 25,
        Status: { Timestamp: T(28), State: 'failed', Message: 'started', Err: 'task: non-zero exit (1)' },
        DesiredState: 'shutdown',
      }),
    ];
    const events: UpdateEvent[] = [
      { At: T(20), Kind: 'task-failed', Slot: 2, TaskID: failedID, Message: 'task: non-zero exit (1)' },
      { At: T(20), Kind: 'paused', Message: 'update paused' },
    ];
    const m = progressModel(svc, tasks, events, NOW);
    expect(m.phase).toBe('paused');
    expect(m.active).toBe(false);
    expect(m.cells.find((c) => c.label === '2')).toMatchObject({ state: 'failed', err: 'task: non-zero exit (1)' });
    expect(m.blocker).toEqual({
      taskID: failedID,
      label: '2',
      nodeID: 'node-b',
      err: 'task: non-zero exit (1)',
      state: 'failed',
    });
    // one failed task (seen in the tasks and in the log: counted once) out of 6 dirty slots; 0.2 × 6 → 1 allowed
    expect(m.failures).toEqual({ count: 1, dirty: 6, allowed: 1, watched: true, exceeded: false });
    expect(m.delay).toBeUndefined();
    // the clock stops at the pause
    expect(m.pausedAt).toBe(Date.parse(T(20)));
    expect(m.elapsedMs).toBe(20_000);
    expect(m.message).toBe(`update paused due to failure or early termination of task ${failedID}`);
  });

  it("keeps a slot failed while the restart policy's retry of its failed task has not run yet", () => {
    const svc = service({
      UpdateStatus: {
        State: 'paused',
        Message: 'update paused due to failure or early termination of task x1',
        StartedAt: T(0),
      },
    });
    const tasks = [
      oldStopped(svc, 1),
      task(svc, 1, 'new', 'failed', {
        ID: 'x1',
        DesiredState: 'shutdown',
        Status: { Timestamp: T(4), State: 'failed', Message: 'started', Err: 'task: non-zero exit (1)' },
      }),
      // the retry, staged at desired READY for the restart delay
      task(svc, 1, 'new', 'ready', { at: 5, DesiredState: 'ready' }),
      ...[2, 3].map((s) => oldRunning(svc, s)),
    ];
    const cell = progressModel(svc, tasks, [], NOW).cells.find((c) => c.label === '1');
    expect(cell).toMatchObject({ state: 'failed', taskID: 'x1', err: 'task: non-zero exit (1)' });
    // once the retry runs, the slot is updated
    const ran = tasks.map((t) =>
      t.Status.State === 'ready'
        ? { ...t, DesiredState: 'running' as const, Status: { ...t.Status, State: 'running' as const } }
        : t,
    );
    expect(progressModel(svc, ran, [], NOW).cells.find((c) => c.label === '1')!.state).toBe('running');
  });

  it('marks slots put back during a rollback, and the rest as still on the abandoned spec', () => {
    // after a rollback the service's spec is the old one again
    const base = service();
    const svc: Service = {
      ...base,
      Spec: base.PreviousSpec!,
      SpecVersion: { Index: 5 },
      PreviousSpec: base.Spec,
      PreviousSpecVersion: { Index: 9 },
      UpdateStatus: { State: 'rollback_started', Message: 'manually requested rollback', StartedAt: T(30) },
    };
    const tasks = [
      // slot 1: was updated, now rolled back to the old spec by this rollback
      task(svc, 1, 'new', 'shutdown', {
        DesiredState: 'shutdown',
        Status: { Timestamp: T(40), State: 'shutdown', Message: '' },
      }),
      task(svc, 1, 'old', 'running', { CreatedAt: T(40), Status: { Timestamp: T(41), State: 'running', Message: '' } }),
      // slot 2: still on the new spec
      task(svc, 2, 'new', 'running'),
      // slot 3: never updated: on the old spec all along
      oldRunning(svc, 3),
    ];
    const m = progressModel(svc, tasks, [], NOW);
    expect(m.rollingBack).toBe(true);
    expect(m.cells.map((c) => c.state)).toEqual(['rolled-back', 'old', 'running']);
    expect(m.done).toBe(2);
    expect(m.failures.dirty).toBe(2);
  });

  it('leaves out slots that are going away, and labels a global service by node', () => {
    const svc = service({ Spec: { ...service().Spec, Mode: { Global: {} } } });
    const tasks = [
      task(svc, 0, 'new', 'running', { NodeID: 'n-b' }),
      task(svc, 0, 'old', 'running', { NodeID: 'n-a' }),
      task(svc, 0, 'old', 'shutdown', { NodeID: 'n-gone', DesiredState: 'remove' }),
    ];
    const m = progressModel(svc, tasks, [], NOW, (id) => ({ 'n-a': 'alpha', 'n-b': 'bravo' })[id] ?? id);
    expect(m.cells.map((c) => [c.key, c.label, c.state])).toEqual([
      ['node:n-a', 'alpha', 'old'],
      ['node:n-b', 'bravo', 'running'],
    ]);
  });

  it('is idle with nothing to count when no update ever ran', () => {
    const svc = service({ UpdateStatus: undefined });
    const m = progressModel(svc, [task(svc, 1, 'new', 'running')], [], NOW);
    expect(m).toMatchObject({ phase: 'idle', active: false, done: 1, total: 1, message: '' });
    expect(m.failures.dirty).toBe(0);
    expect(m.cells[0]!.monitoring).toBe(false);
  });

  it('treats a resumed rollout (same spec, new SpecVersion) as already updated where tasks match', () => {
    const svc = service({ SpecVersion: { Index: 12 } });
    const m = progressModel(svc, [task(svc, 1, 'new', 'running'), oldRunning(svc, 2)], [], NOW);
    expect(m.cells.map((c) => c.state)).toEqual(['running', 'old']);
  });
});

describe('progressModel with a memo', () => {
  // a rollout under way: what a fresh model says is what a memo says, call after call
  function rollout() {
    const svc = service();
    const tasks = [
      oldStopped(svc, 1),
      task(svc, 1, 'new', 'running', { at: 40, Status: { Timestamp: T(57), State: 'running', Message: '' } }),
      task(svc, 2, 'old', 'running', { DesiredState: 'shutdown' }),
      task(svc, 2, 'new', 'pending', { at: 59, DesiredState: 'ready' }),
      oldRunning(svc, 3),
      oldRunning(svc, 4),
    ];
    return { svc, tasks };
  }

  it('keeps the cells of slots whose tasks did not change, and works out the ones that did', () => {
    const { svc, tasks } = rollout();
    const memo = new ProgressMemo();
    const first = progressModel(svc, tasks, [], NOW, undefined, memo);
    // slot 2's old task stopped: only its cell is new
    const moved = tasks.map((t) =>
      t.Slot === 2 && t.SpecVersion?.Index === 5
        ? { ...t, Status: { ...t.Status, State: 'shutdown' as const, Timestamp: T(59) } }
        : t,
    );
    const next = progressModel(svc, moved, [], NOW, undefined, memo);
    expect(next).toEqual(progressModel(svc, moved, [], NOW));
    expect(next.cells.map((c, i) => c === first.cells[i])).toEqual([true, false, true, true]);
    expect(next.cells[1]!.state).toBe('starting');
  });

  it('follows the clock alone out of the monitor window, and a slot going away or a new one', () => {
    const { svc, tasks } = rollout();
    const memo = new ProgressMemo();
    expect(progressModel(svc, tasks, [], NOW, undefined, memo).cells[0]!.monitoring).toBe(true);
    // 5 s monitor from T(57): over 3 s after NOW (T(60)), with the same task objects
    const later = progressModel(svc, tasks, [], NOW + 3_000, undefined, memo);
    expect(later.cells[0]!.monitoring).toBe(false);
    expect(later).toEqual(progressModel(svc, tasks, [], NOW + 3_000));
    // slot 4 removed (scale down), slot 5 added
    const scaled = [...tasks.filter((t) => t.Slot !== 4), oldRunning(svc, 5)];
    const m = progressModel(svc, scaled, [], NOW + 3_000, undefined, memo);
    expect(m.cells.map((c) => c.label)).toEqual(['1', '2', '3', '5']);
    expect(m).toEqual(progressModel(svc, scaled, [], NOW + 3_000));
  });

  it('works a slot out again when the rollout moves on (paused, then resumed as a new version)', () => {
    const { svc, tasks } = rollout();
    const memo = new ProgressMemo();
    progressModel(svc, tasks, [], NOW, undefined, memo);
    const paused = service({ UpdateStatus: { State: 'paused', Message: 'update paused', StartedAt: T(0) } });
    const p = progressModel(paused, tasks, [], NOW, undefined, memo);
    expect(p).toEqual(progressModel(paused, tasks, [], NOW));
    // a paused rollout monitors nothing
    expect(p.cells[0]!.monitoring).toBe(false);
    const resumed = service({ SpecVersion: { Index: 12 } });
    expect(progressModel(resumed, tasks, [], NOW, undefined, memo)).toEqual(progressModel(resumed, tasks, [], NOW));
  });

  it("labels a global service's cell again when its node is renamed", () => {
    const svc = service({ Spec: { ...service().Spec, Mode: { Global: {} } } });
    const tasks = [task(svc, 0, 'new', 'running', { NodeID: 'n-a' })];
    const memo = new ProgressMemo();
    expect(progressModel(svc, tasks, [], NOW, () => 'alpha', memo).cells[0]!.label).toBe('alpha');
    expect(progressModel(svc, tasks, [], NOW, () => 'apex', memo).cells[0]!.label).toBe('apex');
  });
});

describe('onTargetSpec', () => {
  it('answers anew for the same task object once the service moves to another spec version', () => {
    // the answer is kept per task object and spec version: a kept answer must not outlive the version
    const svc = service();
    const t = task(svc, 1, 'new', 'running', { SpecVersion: { Index: 7 } }); // same template, older version
    expect(onTargetSpec(t, svc)).toBe(true);
    const next = service({
      Spec: { ...svc.Spec, TaskTemplate: { ContainerSpec: { Image: 'nginx:1.28' }, ForceUpdate: 0 } },
      SpecVersion: { Index: 12 },
    });
    expect(onTargetSpec(t, next)).toBe(false);
    expect(onTargetSpec(t, svc)).toBe(true);
    // another service at the same version index is another spec
    expect(onTargetSpec(t, { ...next, ID: 'other', SpecVersion: { Index: 9 } })).toBe(false);
  });
});
