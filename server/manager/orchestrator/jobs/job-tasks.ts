import type { Service, Task } from '../../../api/types';
import { isTerminal } from '../../../api/types';
import { newestTask, MAX_REPLICAS } from '../slots';
import { newTask, sv, type TaskPlace } from '../task-factory';

// What every job decision shares: which iteration is current, which tasks
// belong to it, and when a slot (or a node) has nothing more to run.

export function isJob(s: Service | undefined): s is Service {
  return !!(s?.Spec.Mode.ReplicatedJob || s?.Spec.Mode.GlobalJob);
}
export function isReplicatedJob(s: Service | undefined): s is Service {
  return !!s?.Spec.Mode.ReplicatedJob;
}
export function isGlobalJob(s: Service | undefined): s is Service {
  return !!s?.Spec.Mode.GlobalJob;
}

/** The service's current iteration; a job written without a JobStatus (seeds, tests) is at 0. */
export function jobIteration(s: Service): number {
  return s.JobStatus?.JobIteration.Index ?? 0;
}

/** A task of the job's current run (tasks of earlier runs are history or to be removed). */
export function inIteration(t: Task, iteration: number): boolean {
  return t.JobIteration?.Index === iteration;
}

/** Desired ≤ COMPLETE: a job task that is meant to run (or is staged to) and has not been stopped. */
export function isLiveJobTask(t: Task): boolean {
  return sv(t.DesiredState) <= sv('complete');
}

/** A live job task that has not finished yet: it holds one of the MaxConcurrent places. */
export function isActiveJobTask(t: Task): boolean {
  return isLiveJobTask(t) && t.Status.State !== 'complete';
}

/** A job task that ended without completing (failed, rejected, shut down, orphaned). */
export function endedBadly(t: Task): boolean {
  return isTerminal(t.Status.State) && t.Status.State !== 'complete';
}

/**
 * Where one slot (replicated job) or node (global job) of the current
 * iteration stands. `open`: nothing runs there and it may get a new task.
 * `given-up`: its newest task failed and the restart policy allows no more
 * attempts, so the job stops retrying there (swarmkit would start a fresh
 * task in the slot at once, retrying forever regardless of MaxAttempts).
 */
export type PlaceState = 'complete' | 'active' | 'given-up' | 'open';

export function placeState(tasks: Task[], shouldRestart: (t: Task) => boolean): PlaceState {
  if (tasks.some((t) => t.Status.State === 'complete')) return 'complete';
  if (tasks.some(isActiveJobTask)) return 'active';
  if (tasks.length === 0) return 'open';
  const newest = newestTask(tasks);
  return endedBadly(newest) && !shouldRestart(newest) ? 'given-up' : 'open';
}

/** A fresh job task: desired COMPLETE (it runs to its end), stamped with the current iteration. */
export function newJobTask(service: Service, place: TaskPlace, now: string): Task {
  const t = newTask(service, place, 'complete', now);
  t.JobIteration = { Index: jobIteration(service) };
  return t;
}

/** A replicated job's counts (defaults as moby fills them); throws, naming the field, when unusable. */
export function jobCounts(service: Service, limit = MAX_REPLICAS): { maxConcurrent: number; total: number } {
  const j = service.Spec.Mode.ReplicatedJob ?? {};
  const maxConcurrent = j.MaxConcurrent ?? 1;
  const total = j.TotalCompletions ?? maxConcurrent;
  for (const [field, n] of [
    ['MaxConcurrent', maxConcurrent],
    ['TotalCompletions', total],
  ] as const) {
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
      throw new Error(`Mode.ReplicatedJob.${field}: ${JSON.stringify(n) ?? String(n)} is not a non-negative integer`);
  }
  if (total > limit)
    throw new Error(`Mode.ReplicatedJob.TotalCompletions: ${total} is more than the limit of ${limit} replicas`);
  return { maxConcurrent, total };
}
