// Where a job stands in its current iteration: a pure function of the service
// and its tasks, so the service page's panel and the services list's cell can
// be unit-tested without a browser. It counts what swarmkit's jobs
// orchestrator counts: only tasks of the service's current JobIteration.

import type { Service, Task, TaskState } from '@/server/api/types';
import { TASK_STATE_VALUE } from '@/server/api/types';

/**
 * - waiting: no task of this iteration yet (it waits for a free place, MaxConcurrent)
 * - starting: a task is on its way (new … starting)
 * - running: a task runs now
 * - retrying: an attempt failed and the next one is staged or on its way (restart delay, policy)
 * - complete: a task completed; nothing runs here again in this iteration
 * - given-up: the last attempt failed and the restart policy allows no more
 */
export type JobCellState = 'waiting' | 'starting' | 'running' | 'retrying' | 'complete' | 'given-up';
export const JOB_CELL_STATES: readonly JobCellState[] = [
  'waiting',
  'starting',
  'running',
  'retrying',
  'complete',
  'given-up',
];

export interface JobCell {
  /** `slot:0` (replicated job) or `node:<id>` (global job) */
  key: string;
  /** `1` … `N` as the CLI's progress bars count slots, or the node's name */
  label: string;
  state: JobCellState;
  /** Attempts in this iteration (1 when the first one is running or done). */
  attempts: number;
  taskID?: string;
  taskState?: TaskState;
  err?: string;
}

/** running: tasks are on their way; complete: all done; stopped: nothing runs and some places gave up. */
export type JobPhase = 'waiting' | 'running' | 'complete' | 'stopped';

export interface JobProgress {
  kind: 'replicated' | 'global';
  iteration: number;
  /** When this iteration started (ms), if known. */
  startedAt?: number;
  /** TotalCompletions, or for a global job the nodes this iteration runs on. */
  total: number;
  completed: number;
  /** Tasks observed RUNNING now. */
  running: number;
  /** Tasks that hold a place: not complete and still meant to run (staged retries too). */
  active: number;
  /** Places that may run at once now: MaxConcurrent, or fewer when fewer are left (the CLI's "active tasks"). */
  concurrency: number;
  /** Attempts of this iteration that ended without completing (failed, rejected, shut down). */
  failedAttempts: number;
  givenUp: number;
  phase: JobPhase;
  cells: JobCell[];
  /** Tasks of earlier iterations still stored (history). */
  earlierTasks: number;
}

const sv = (s: TaskState) => TASK_STATE_VALUE[s];
const endedBadly = (t: Task) => sv(t.Status.State) > sv('running') && t.Status.State !== 'complete';
const live = (t: Task) => sv(t.DesiredState) <= sv('complete');
const newestFirst = (a: Task, b: Task) => b.CreatedAt.localeCompare(a.CreatedAt) || b.Version.Index - a.Version.Index;

export function isJobService(s: Service): boolean {
  return !!(s.Spec.Mode.ReplicatedJob || s.Spec.Mode.GlobalJob);
}

function cellOf(key: string, label: string, tasks: Task[]): JobCell {
  const sorted = [...tasks].sort(newestFirst);
  const failed = sorted.filter(endedBadly).length;
  const done = sorted.find((t) => t.Status.State === 'complete');
  const cur = done ?? sorted.find((t) => live(t) && !endedBadly(t)) ?? sorted[0];
  const base = { key, label, attempts: sorted.length, taskID: cur?.ID, taskState: cur?.Status.State };
  if (!cur) return { key, label, attempts: 0, state: 'waiting' };
  if (done) return { ...base, state: 'complete' };
  const err = sorted.find(endedBadly)?.Status.Err || undefined;
  if (cur.Status.State === 'running') return { ...base, state: 'running', err };
  if (!endedBadly(cur)) return { ...base, state: failed > 0 ? 'retrying' : 'starting', err };
  // the newest attempt ended badly: still meant to run means the orchestrator is about to retry it
  return { ...base, state: live(cur) ? 'retrying' : 'given-up', err: cur.Status.Err || err };
}

export function jobProgress(
  service: Service,
  tasks: readonly Task[],
  hostname: (nodeID: string) => string = (id) => id.slice(0, 12),
): JobProgress {
  const iteration = service.JobStatus?.JobIteration.Index ?? 0;
  const mine = tasks.filter((t) => t.JobIteration?.Index === iteration);
  const replicated = service.Spec.Mode.ReplicatedJob;
  const groups = new Map<string, Task[]>();
  for (const t of mine) {
    const key = replicated ? `slot:${t.Slot}` : `node:${t.NodeID}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(t);
  }
  let cells: JobCell[];
  let total: number;
  let maxConcurrent: number;
  if (replicated) {
    maxConcurrent = replicated.MaxConcurrent ?? 1;
    total = replicated.TotalCompletions ?? maxConcurrent;
    cells = Array.from({ length: total }, (_, slot) =>
      cellOf(`slot:${slot}`, String(slot + 1), groups.get(`slot:${slot}`) ?? []),
    );
  } else {
    cells = [...groups.entries()]
      .map(([key, ts]) => cellOf(key, hostname(key.slice('node:'.length)), ts))
      .sort((a, b) => a.label.localeCompare(b.label));
    total = cells.length;
    maxConcurrent = total;
  }
  const count = (s: JobCellState) => cells.filter((c) => c.state === s).length;
  const completed = count('complete');
  const givenUp = count('given-up');
  const active = mine.filter((t) => live(t) && t.Status.State !== 'complete' && !endedBadly(t)).length;
  // stopped: every place completed or gave up, and at least one gave up
  const settled = completed + givenUp === total && active === 0;
  const phase: JobPhase =
    mine.length === 0
      ? 'waiting'
      : total > 0 && completed === total
        ? 'complete'
        : settled && givenUp > 0
          ? 'stopped'
          : 'running';
  const started = Date.parse(service.JobStatus?.LastExecution ?? '');
  return {
    kind: replicated ? 'replicated' : 'global',
    iteration,
    startedAt: Number.isNaN(started) ? undefined : started,
    total,
    completed,
    running: mine.filter((t) => t.Status.State === 'running').length,
    active,
    concurrency: Math.max(0, Math.min(maxConcurrent, total - completed - givenUp)),
    failedAttempts: mine.filter(endedBadly).length,
    givenUp,
    phase,
    cells,
    earlierTasks: tasks.length - mine.length,
  };
}
