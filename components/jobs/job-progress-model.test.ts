import { describe, expect, it } from 'vitest';
import type { Service, Task, TaskState } from '@/server/api/types';
import { fixtureService, fixtureTask } from '../cluster/test-fixtures';
import { jobProgress } from './job-progress-model';

function replicatedJob(maxConcurrent: number, total: number, iteration = 0): Service {
  const base = fixtureService();
  return fixtureService({
    Spec: { ...base.Spec, Mode: { ReplicatedJob: { MaxConcurrent: maxConcurrent, TotalCompletions: total } } },
    JobStatus: { JobIteration: { Index: iteration }, LastExecution: '2026-01-01T00:00:10.000Z' },
  });
}

let n = 0;
function task(
  s: Service,
  place: { slot?: number; node?: string },
  state: TaskState,
  desired: TaskState = 'complete',
  iteration = 0,
  err?: string,
): Task {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 1, n++)).toISOString();
  return fixtureTask(s, {
    ID: `t${n}`,
    Slot: place.slot ?? 0,
    NodeID: place.node ?? '',
    CreatedAt: at,
    DesiredState: desired,
    JobIteration: { Index: iteration },
    Status: { State: state, Message: state, Timestamp: at, Err: err },
  });
}

describe('jobProgress', () => {
  it('counts a replicated job mid-run: completed of total, running now, places free', () => {
    const s = replicatedJob(2, 6);
    const tasks = [
      task(s, { slot: 0 }, 'complete'),
      task(s, { slot: 1 }, 'complete'),
      task(s, { slot: 2 }, 'running'),
      task(s, { slot: 3 }, 'pending'),
    ];
    const p = jobProgress(s, tasks);
    expect(p).toMatchObject({
      kind: 'replicated',
      iteration: 0,
      total: 6,
      completed: 2,
      running: 1,
      active: 2,
      concurrency: 2,
      failedAttempts: 0,
      phase: 'running',
      startedAt: Date.parse('2026-01-01T00:00:10.000Z'),
    });
    expect(p.cells.map((c) => `${c.label}:${c.state}`)).toEqual([
      '1:complete',
      '2:complete',
      '3:running',
      '4:starting',
      '5:waiting',
      '6:waiting',
    ]);
  });

  it('shows retries and a slot that gave up, and stops once nothing is left to run', () => {
    const s = replicatedJob(2, 2);
    const exit = 'task: non-zero exit (3)';
    const retrying = [
      task(s, { slot: 0 }, 'failed', 'shutdown', 0, exit),
      task(s, { slot: 0 }, 'new', 'ready'),
      task(s, { slot: 1 }, 'complete'),
    ];
    const p = jobProgress(s, retrying);
    expect(p.cells[0]).toMatchObject({ state: 'retrying', attempts: 2, err: exit });
    expect(p).toMatchObject({ failedAttempts: 1, phase: 'running', concurrency: 1 });

    const gaveUp = [
      task(s, { slot: 0 }, 'failed', 'shutdown', 0, exit),
      task(s, { slot: 0 }, 'failed', 'shutdown', 0, exit),
      task(s, { slot: 0 }, 'failed', 'shutdown', 0, exit),
      task(s, { slot: 1 }, 'complete'),
    ];
    const q = jobProgress(s, gaveUp);
    expect(q.cells[0]).toMatchObject({ state: 'given-up', attempts: 3, err: exit });
    expect(q).toMatchObject({ completed: 1, givenUp: 1, failedAttempts: 3, phase: 'stopped', concurrency: 0 });
    // a failure the orchestrator has not handled yet (still desired COMPLETE) is a retry, not the end
    expect(jobProgress(s, [task(s, { slot: 0 }, 'failed'), task(s, { slot: 1 }, 'complete')]).phase).toBe('running');
  });

  it('counts only the current iteration, keeping earlier ones as history', () => {
    const s = replicatedJob(1, 1, 2);
    const tasks = [task(s, { slot: 0 }, 'complete', 'complete', 1), task(s, { slot: 0 }, 'running', 'complete', 2)];
    expect(jobProgress(s, tasks)).toMatchObject({ iteration: 2, completed: 0, running: 1, earlierTasks: 1 });
    expect(jobProgress(s, []).phase).toBe('waiting');
  });

  it('shows a global job per node, named, complete when every node completed', () => {
    const base = fixtureService();
    const s = fixtureService({
      Spec: { ...base.Spec, Mode: { GlobalJob: {} } },
      JobStatus: { JobIteration: { Index: 0 } },
    });
    const names: Record<string, string> = { n1: 'edge-1', n2: 'edge-2' };
    const host = (id: string) => names[id] ?? id;
    const running = jobProgress(s, [task(s, { node: 'n2' }, 'running'), task(s, { node: 'n1' }, 'complete')], host);
    expect(running.cells.map((c) => `${c.label}:${c.state}`)).toEqual(['edge-1:complete', 'edge-2:running']);
    expect(running).toMatchObject({ kind: 'global', total: 2, completed: 1, phase: 'running' });
    const done = jobProgress(s, [task(s, { node: 'n2' }, 'complete'), task(s, { node: 'n1' }, 'complete')], host);
    expect(done.phase).toBe('complete');
  });
});
