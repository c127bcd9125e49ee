import { describe, expect, it } from 'vitest';
import type { Task, TaskState } from '@/server/api/types';
import { fixtureService as makeService, fixtureTask as makeTask } from './test-fixtures';
import { groupSlots, naturalCompare, replicaCounts } from './derive';

const svc = makeService({ ID: 'svc' });
const task = (id: string, slot: number, created: string, state: TaskState = 'running', over: Partial<Task> = {}) =>
  makeTask(svc, {
    ID: id,
    Slot: slot,
    CreatedAt: `2026-01-01T00:00:${created}Z`,
    Status: { Timestamp: '2026-01-01T00:00:00Z', State: state, Message: '' },
    DesiredState: state === 'shutdown' ? 'shutdown' : 'running',
    ...over,
  });

describe('groupSlots', () => {
  it('groups by slot in natural order with the newest task on top', () => {
    const groups = groupSlots(
      [
        task('a1', 1, '01', 'shutdown'),
        task('a10', 10, '02'),
        task('a2', 2, '03'),
        task('b1', 1, '05'),
        task('c1', 1, '04', 'shutdown'),
      ],
      'web',
    );
    expect(groups.map((g) => g.name)).toEqual(['web.1', 'web.2', 'web.10']);
    expect(groups[0]!.current.ID).toBe('b1');
    expect(groups[0]!.history.map((t) => t.ID)).toEqual(['c1', 'a1']);
    expect(groups[1]!.history).toEqual([]);
  });

  it('puts a new pending replacement on top of its running predecessor, as the CLI does', () => {
    const [g] = groupSlots([task('old', 1, '01'), task('new', 1, '09', 'pending')], 'web');
    expect(g!.current.ID).toBe('new');
    expect(g!.history.map((t) => t.ID)).toEqual(['old']);
  });

  it('keys global tasks by node and orders them by hostname', () => {
    const hosts: Record<string, string> = { n1: 'worker-10', n2: 'worker-2' };
    const groups = groupSlots(
      [task('x', 0, '01', 'running', { NodeID: 'n1' }), task('y', 0, '02', 'running', { NodeID: 'n2' })],
      'agent',
      (id) => hosts[id]!,
    );
    expect(groups.map((g) => [g.key, g.name])).toEqual([
      ['node:n2', 'agent.n2'],
      ['node:n1', 'agent.n1'],
    ]);
  });
});

describe('replicaCounts', () => {
  it('counts running tasks against the desired replicas', () => {
    const s = makeService({ Spec: { ...svc.Spec, Mode: { Replicated: { Replicas: 3 } } } });
    expect(
      replicaCounts(s, [task('a', 1, '01'), task('b', 2, '01', 'starting'), task('c', 3, '01', 'shutdown')]),
    ).toEqual({
      running: 1,
      desired: 3,
    });
  });

  it('counts a job’s current iteration: running over MaxConcurrent, or over what a global job has left', () => {
    const job = (Mode: object) =>
      makeService({ Spec: { ...svc.Spec, Mode }, JobStatus: { JobIteration: { Index: 1 } } });
    const jt = (id: string, state: TaskState, iteration: number) =>
      task(id, 0, '01', state, { DesiredState: 'complete', JobIteration: { Index: iteration } });
    const tasks = [jt('a', 'running', 1), jt('b', 'complete', 1), jt('c', 'pending', 1), jt('d', 'running', 0)];
    expect(replicaCounts(job({ ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 4 } }), tasks)).toEqual({
      running: 1,
      desired: 2,
    });
    expect(replicaCounts(job({ GlobalJob: {} }), tasks)).toEqual({ running: 1, desired: 2 });
  });
});

it('naturalCompare', () => {
  expect(['web.10', 'web.2', 'web.1'].sort(naturalCompare)).toEqual(['web.1', 'web.2', 'web.10']);
});
