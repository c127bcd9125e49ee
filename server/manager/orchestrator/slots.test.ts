import { describe, expect, it } from 'vitest';
import type { Task, TaskState } from '../../api/types';
import { makeService, makeTask } from '../../store/test-support';
import { planReplicatedSlots, sortForScaleDown, updatableTasksInSlot } from './slots';
import { shouldRestart } from './restart';

const svc = makeService();
let tick = 0;
function task(slot: number, state: TaskState, over: Partial<Task> = {}): Task {
  const ts = new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)).toISOString();
  return makeTask(svc, { Slot: slot, Status: { State: state, Message: state, Timestamp: ts }, ...over });
}
const always = () => true;
const slotsOf = (ts: Task[][]) => ts.map((s) => s[0]!.Slot);

describe('planReplicatedSlots', () => {
  it('scales up into the lowest free slot numbers, filling gaps first', () => {
    const plan = planReplicatedSlots([task(1, 'running'), task(3, 'running'), task(6, 'running')], 6, always);
    expect(plan.create).toEqual([2, 4, 5]);
    expect(slotsOf(plan.keep)).toEqual([1, 3, 6]);
    expect(plan.remove).toEqual([]);
  });

  it('creates from slot 1 for a new service', () => {
    expect(planReplicatedSlots([], 3, always).create).toEqual([1, 2, 3]);
  });

  it('scales down keeping running and low slots, removing from the node with most copies', () => {
    const tasks = [
      task(1, 'running', { NodeID: 'A' }),
      task(2, 'running', { NodeID: 'A' }),
      task(3, 'running', { NodeID: 'B' }),
      task(4, 'pending'),
    ];
    const plan = planReplicatedSlots(tasks, 2, always);
    expect(slotsOf(plan.keep)).toEqual([1, 3]);
    expect(plan.remove.map((t) => t.Slot).sort()).toEqual([2, 4]);
    expect(plan.create).toEqual([]);
  });

  it('marks every task of a removed slot, its superseded history too, for removal', () => {
    const old = task(2, 'shutdown', { NodeID: 'B', DesiredState: 'shutdown' });
    const tasks = [task(1, 'running', { NodeID: 'A' }), old, task(2, 'running', { NodeID: 'B' })];
    const plan = planReplicatedSlots(tasks, 1, always);
    expect(slotsOf(plan.keep)).toEqual([1]);
    expect(plan.remove.map((t) => t.ID)).toContain(old.ID);
    expect(plan.remove).toHaveLength(2);
  });

  it('prefers to remove a non-running slot over a running one among equals', () => {
    const plan = planReplicatedSlots(
      [task(1, 'starting', { NodeID: 'A' }), task(2, 'running', { NodeID: 'B' })],
      1,
      always,
    );
    expect(slotsOf(plan.keep)).toEqual([2]);
    expect(plan.remove.map((t) => t.Slot)).toEqual([1]);
  });

  it('counts a dead slot whose newest task must not restart as satisfied (restart-condition none)', () => {
    const none = { ContainerSpec: { Image: 'x' }, ForceUpdate: 0, RestartPolicy: { Condition: 'none' as const } };
    const exited = task(1, 'complete', { DesiredState: 'shutdown', Spec: none });
    const plan = planReplicatedSlots([exited], 1, (t) => shouldRestart(t, undefined));
    expect(plan.create).toEqual([]);
    expect(plan.keep).toEqual([[exited]]);
    expect(plan.delete).toEqual([]);
  });

  it('counts a slot with exhausted MaxAttempts as satisfied', () => {
    const spec = { ContainerSpec: { Image: 'x' }, ForceUpdate: 0, RestartPolicy: { MaxAttempts: 2 } };
    const failed = task(1, 'failed', { DesiredState: 'shutdown', Spec: spec, SpecVersion: { Index: 0 } });
    const exhausted = { specVersion: 0, total: 2, times: [] };
    expect(planReplicatedSlots([failed], 1, (t) => shouldRestart(t, exhausted)).create).toEqual([]);
    const fresh = { specVersion: 0, total: 1, times: [] };
    expect(planReplicatedSlots([failed], 1, (t) => shouldRestart(t, fresh)).create).toEqual([1]);
  });

  it('reuses a dead slot number keeping its history, and deletes other dead slots', () => {
    const dead1 = task(1, 'failed', { DesiredState: 'shutdown' });
    const dead5 = task(5, 'failed', { DesiredState: 'shutdown' });
    const plan = planReplicatedSlots([dead1, task(2, 'running'), dead5], 2, always);
    expect(plan.create).toEqual([1]);
    expect(plan.delete).toEqual([dead5]);
  });

  it('deletes dead slots at equal count and on scale-down', () => {
    const dead = task(7, 'failed', { DesiredState: 'shutdown' });
    expect(planReplicatedSlots([task(1, 'running'), dead], 1, always).delete).toEqual([dead]);
    expect(planReplicatedSlots([task(1, 'running'), task(2, 'running'), dead], 1, always).delete).toEqual([dead]);
  });
});

describe('updatableTasksInSlot', () => {
  it('returns the runnable tasks, else the newest if it must not restart, else dead', () => {
    const old = task(1, 'failed', { DesiredState: 'shutdown' });
    const cur = task(1, 'ready', { DesiredState: 'ready' });
    expect(updatableTasksInSlot([old, cur], always)).toEqual([cur]);
    const newer = task(1, 'complete', { DesiredState: 'shutdown' });
    expect(updatableTasksInSlot([old, newer], () => false)).toEqual([newer]);
    expect(updatableTasksInSlot([old, newer], always)).toBeUndefined();
    expect(updatableTasksInSlot([old, newer], () => false, true)).toBeUndefined(); // rollback converges all
  });
});

describe('sortForScaleDown', () => {
  it('puts multi-task and unassigned slots last', () => {
    const a = task(1, 'running', { NodeID: 'A' });
    const b1 = task(2, 'running', { NodeID: 'B' });
    const b2 = task(2, 'ready', { NodeID: 'C' });
    const u = task(3, 'running');
    const order = sortForScaleDown([
      [2, [b1, b2]],
      [3, [u]],
      [1, [a]],
    ]);
    expect(order.map((s) => s[0]!.Slot)).toEqual([1, 2, 3]);
  });
});
