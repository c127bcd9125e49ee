import { describe, expect, it } from 'vitest';
import type { Task, TaskState } from '@/server/api/types';
import { fixtureService, fixtureTask } from '../cluster/test-fixtures';
import { groupSlots } from '../cluster/derive';
import { slotRestarts } from './slot-restarts';

const svc = fixtureService();
const task = (id: string, created: string, state: TaskState, err?: string): Task =>
  fixtureTask(svc, {
    ID: id,
    CreatedAt: created,
    DesiredState: state === 'running' || state === 'starting' ? 'running' : 'shutdown',
    Status: { Timestamp: created, State: state, Message: state, ...(err ? { Err: err } : {}) },
  });

describe('slotRestarts', () => {
  it('counts the failed tasks a slot left behind and shows the newest error while the new task starts', () => {
    const [g] = groupSlots(
      [
        task('t1', '2026-01-01T00:00:01Z', 'failed', 'task: non-zero exit (1)'),
        task('t2', '2026-01-01T00:00:05Z', 'failed', 'task: non-zero exit (2)'),
        task('t3', '2026-01-01T00:00:09Z', 'rejected', 'No such image: nope'),
        task('t4', '2026-01-01T00:00:12Z', 'starting'),
      ],
      'web',
    );
    expect(slotRestarts(g!)).toEqual({
      restarts: 3,
      lastError: { err: 'No such image: nope', taskID: 't3', at: '2026-01-01T00:00:09Z', current: false },
    });
  });

  it("prefers the current task's own error, and does not count tasks an update shut down", () => {
    const [g] = groupSlots(
      [
        task('old', '2026-01-01T00:00:01Z', 'shutdown'),
        task('now', '2026-01-01T00:00:05Z', 'failed', 'task: non-zero exit (3)'),
      ],
      'web',
    );
    expect(slotRestarts(g!)).toMatchObject({ restarts: 0, lastError: { taskID: 'now', current: true } });
  });

  it('is quiet for a healthy slot', () => {
    const [g] = groupSlots([task('a', '2026-01-01T00:00:01Z', 'running')], 'web');
    expect(slotRestarts(g!)).toEqual({ restarts: 0, lastError: undefined });
  });
});
