import { describe, expect, it } from 'vitest';
import type { Service, Task, UpdateConfig } from '../../api/types';
import { makeNode, makeService, makeServiceSpec, makeTask } from '../../store/test-support';
import {
  NO_PREVIOUS_SPEC,
  autoRollback,
  completedStatus,
  dirtySlots,
  failureVerdict,
  finalMonitorMs,
  isUpdateFailure,
  planSlot,
  updateSettings,
  workerCount,
} from './update-policy';

const S = 1e9;

function svcWith(over: Partial<Service['Spec']> = {}, status?: Service['UpdateStatus']): Service {
  return makeService({ Spec: makeServiceSpec(over), SpecVersion: { Index: 7 }, UpdateStatus: status });
}

describe('updateSettings', () => {
  it('applies swarmkit defaults: parallelism 1, no delay, pause, monitor 5s, ratio 0, stop-first', () => {
    expect(updateSettings(svcWith())).toMatchObject({
      rollingBack: false,
      parallelism: 1,
      delayMs: 0,
      failureAction: 'pause',
      monitorMs: 5_000,
      maxFailureRatio: 0,
      order: 'stop-first',
    });
  });

  it('reads the Engine API fields (ns durations); a nil Monitor is 5s, an explicit 0 is 0', () => {
    const cfg: UpdateConfig = {
      Parallelism: 3,
      Delay: 2 * S,
      FailureAction: 'rollback',
      Monitor: 7 * S,
      MaxFailureRatio: 0.25,
      Order: 'start-first',
    };
    expect(updateSettings(svcWith({ UpdateConfig: cfg }))).toMatchObject({
      parallelism: 3,
      delayMs: 2_000,
      failureAction: 'rollback',
      monitorMs: 7_000,
      maxFailureRatio: 0.25,
      order: 'start-first',
    });
    expect(updateSettings(svcWith({ UpdateConfig: { Parallelism: 1 } })).monitorMs).toBe(5_000);
    expect(updateSettings(svcWith({ UpdateConfig: { Parallelism: 1, Monitor: 0 } })).monitorMs).toBe(0);
    // a config without Parallelism is Go's zero value: all at once
    expect(updateSettings(svcWith({ UpdateConfig: { Delay: S } })).parallelism).toBe(0);
  });

  it('uses RollbackConfig while the state is rollback_started', () => {
    const over = {
      UpdateConfig: { Parallelism: 5 },
      RollbackConfig: { Parallelism: 2, FailureAction: 'continue' as const },
    };
    expect(updateSettings(svcWith(over, { State: 'updating', Message: '' })).parallelism).toBe(5);
    const rb = updateSettings(svcWith(over, { State: 'rollback_started', Message: '' }));
    expect(rb).toMatchObject({ rollingBack: true, parallelism: 2, failureAction: 'continue' });
    // no RollbackConfig: the defaults, not the update config
    expect(
      updateSettings(svcWith({ UpdateConfig: { Parallelism: 5 } }, { State: 'rollback_started', Message: '' })),
    ).toMatchObject({ parallelism: 1, rollingBack: true });
  });

  it('counts workers (0 = one per dirty slot) and the final monitor window (Delay ≥ Monitor → Delay + 1s)', () => {
    expect(workerCount(0, 7)).toBe(7);
    expect(workerCount(2, 7)).toBe(2);
    expect(workerCount(10, 3)).toBe(3);
    expect(finalMonitorMs({ delayMs: 0, monitorMs: 5_000 })).toBe(5_000);
    expect(finalMonitorMs({ delayMs: 4_999, monitorMs: 5_000 })).toBe(5_000);
    expect(finalMonitorMs({ delayMs: 5_000, monitorMs: 5_000 })).toBe(6_000);
    expect(finalMonitorMs({ delayMs: 10_000, monitorMs: 2_000 })).toBe(11_000);
  });
});

describe('failure detection', () => {
  it('counts a task of this run that ends before RUNNING or within Monitor of it, once', () => {
    expect(isUpdateFailure(undefined, 'failed', 0, 5_000)).toBe(false); // not created by this run
    expect(isUpdateFailure({ slot: 1 }, 'rejected', 100, 5_000)).toBe(true); // never reached RUNNING
    expect(isUpdateFailure({ slot: 1 }, 'running', 100, 5_000)).toBe(false);
    expect(isUpdateFailure({ slot: 1, runningAt: 1_000 }, 'complete', 6_000, 5_000)).toBe(true); // early termination
    expect(isUpdateFailure({ slot: 1, runningAt: 1_000 }, 'shutdown', 6_001, 5_000)).toBe(false); // after the window
    expect(isUpdateFailure({ slot: 1, ended: true }, 'failed', 100, 5_000)).toBe(false); // already counted
  });

  const settings = (over: Partial<UpdateConfig>, rollingBack = false) =>
    updateSettings(
      svcWith(
        { UpdateConfig: { Parallelism: 1, ...over }, RollbackConfig: { Parallelism: 1, ...over } },
        rollingBack ? { State: 'rollback_started', Message: '' } : undefined,
      ),
    );

  it('compares failures / dirty slots with MaxFailureRatio: 0.5 of 4 slots tolerates 2, not 3', () => {
    const s = settings({ MaxFailureRatio: 0.5 });
    expect(failureVerdict(1, 4, s, 't1')).toEqual({ action: 'none' });
    expect(failureVerdict(2, 4, s, 't2')).toEqual({ action: 'none' });
    expect(failureVerdict(3, 4, s, 't3')).toEqual({
      action: 'pause',
      state: 'paused',
      message: 'update paused due to failure or early termination of task t3',
    });
    // the default ratio 0: the first failure triggers the action
    expect(failureVerdict(1, 100, settings({}), 'x').action).toBe('pause');
    // float32 like swarmkit: exactly at the ratio is not over it
    expect(failureVerdict(1, 10, settings({ MaxFailureRatio: 0.1 }), 'x').action).toBe('none');
    expect(failureVerdict(3, 10, settings({ MaxFailureRatio: 0.3 }), 'x').action).toBe('none');
    expect(failureVerdict(4, 10, settings({ MaxFailureRatio: 0.3 }), 'x').action).toBe('pause');
  });

  it('applies pause, rollback and continue; a rollback is never rolled back', () => {
    expect(failureVerdict(1, 1, settings({ FailureAction: 'continue' }), 'a')).toEqual({ action: 'none' });
    expect(failureVerdict(1, 1, settings({ FailureAction: 'rollback' }), 'a')).toEqual({
      action: 'rollback',
      message: 'update rolled back due to failure or early termination of task a',
    });
    expect(failureVerdict(1, 1, settings({ FailureAction: 'rollback' }, true), 'a')).toEqual({
      action: 'pause',
      state: 'rollback_paused',
      message: 'rollback paused due to failure or early termination of task a',
    });
    expect(failureVerdict(1, 1, settings({ FailureAction: 'pause' }, true), 'a')).toEqual({
      action: 'pause',
      state: 'rollback_paused',
      message: 'update paused due to failure or early termination of task a',
    });
  });
});

describe('UpdateStatus transitions', () => {
  it('completes updating and rollback_started, keeping StartedAt; nothing else', () => {
    const started = { State: 'updating' as const, Message: 'update in progress', StartedAt: 'T0' };
    expect(completedStatus(started, 'T1')).toEqual({
      State: 'completed',
      Message: 'update completed',
      StartedAt: 'T0',
      CompletedAt: 'T1',
    });
    expect(completedStatus({ State: 'rollback_started', Message: 'manually requested rollback' }, 'T1')).toEqual({
      State: 'rollback_completed',
      Message: 'rollback completed',
      CompletedAt: 'T1',
    });
    expect(completedStatus({ State: 'paused', Message: 'x' }, 'T1')).toBeUndefined();
    expect(completedStatus(undefined, 'T1')).toBeUndefined();
  });

  it('rolls back automatically to PreviousSpec and clears it; fails without one', () => {
    const prev = makeServiceSpec({ TaskTemplate: { ContainerSpec: { Image: 'nginx:1' }, ForceUpdate: 0 } });
    const svc: Service = {
      ...svcWith({}, { State: 'updating', Message: 'update in progress', StartedAt: 'T0' }),
      PreviousSpec: prev,
      PreviousSpecVersion: { Index: 3 },
    };
    const next = autoRollback(svc, 'why');
    expect(next.Spec).toBe(prev);
    expect(next.SpecVersion).toEqual({ Index: 3 });
    expect(next.PreviousSpec).toBeUndefined();
    expect(next.PreviousSpecVersion).toBeUndefined();
    expect(next.UpdateStatus).toEqual({ State: 'rollback_started', Message: 'why', StartedAt: 'T0' });
    expect(() => autoRollback(svcWith(), 'why')).toThrow(NO_PREVIOUS_SPEC);
  });
});

describe('dirtiness and slot plans', () => {
  const node = makeNode({ Spec: { Labels: { zone: 'a' }, Role: 'worker', Availability: 'active' } });
  const nodeOf = (id: string) => (id === node.ID ? node : undefined);
  const base = svcWith();
  const running = (svc: Service, over: Partial<Task> = {}) =>
    makeTask(svc, {
      NodeID: node.ID,
      DesiredState: 'running',
      Status: { State: 'running', Message: 'started', Timestamp: 'T' },
      ...over,
    });
  const respec = (svc: Service, tt: Partial<Service['Spec']['TaskTemplate']>, over: Partial<Service['Spec']> = {}) => ({
    ...svc,
    Spec: { ...svc.Spec, ...over, TaskTemplate: { ...svc.Spec.TaskTemplate, ...tt } },
    SpecVersion: { Index: svc.SpecVersion.Index + 1 },
  });

  it('rolls only TaskSpec/EndpointSpec changes and ForceUpdate; a constraint still met keeps the task', () => {
    const slots = [[running(base)]];
    expect(dirtySlots(respec(base, { Placement: { Constraints: ['node.labels.zone==a'] } }), slots, nodeOf)).toEqual(
      [],
    );
    expect(dirtySlots(respec(base, { Placement: { Constraints: ['node.labels.zone==b'] } }), slots, nodeOf)).toEqual(
      slots,
    );
    expect(
      dirtySlots(respec(base, {}, { Labels: { x: '1' }, Mode: { Replicated: { Replicas: 9 } } }), slots, nodeOf),
    ).toEqual([]);
    expect(dirtySlots(respec(base, {}, { UpdateConfig: { Parallelism: 4 } }), slots, nodeOf)).toEqual([]);
    expect(dirtySlots(respec(base, { ForceUpdate: 1 }), slots, nodeOf)).toEqual(slots);
    expect(dirtySlots(respec(base, { ContainerSpec: { Image: 'nginx:2' } }), slots, nodeOf)).toEqual(slots);
    // a slot holding two tasks is dirty even when both are clean
    const two = [[running(base), running(base)]];
    expect(dirtySlots(base, two, nodeOf)).toEqual(two);
  });

  it('keeps a clean task (running first, else staged) and replaces otherwise', () => {
    const next = respec(base, { ContainerSpec: { Image: 'nginx:2' } });
    const old = running(base);
    const fresh = running(next, { DesiredState: 'running' });
    const staged = running(next, { DesiredState: 'ready', Status: { State: 'ready', Message: '', Timestamp: 'T' } });
    expect(planSlot([], next, nodeOf)).toEqual({ kind: 'gone' });
    expect(planSlot([old], next, nodeOf)).toEqual({ kind: 'replace', olds: [old] });
    expect(planSlot([old, staged, fresh], next, nodeOf)).toEqual({
      kind: 'keep',
      task: fresh,
      others: [old, staged],
      start: false,
    });
    expect(planSlot([old, staged], next, nodeOf)).toEqual({ kind: 'keep', task: staged, others: [old], start: true });
  });
});
