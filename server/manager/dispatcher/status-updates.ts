import type { Task, TaskStatus } from '../../api/types';
import { TASK_STATE_VALUE, stateAfter } from '../../api/types';

/**
 * Task state is a Lamport clock: only a strictly later state is news.
 * Identical and backwards reports are dropped (swarmkit processUpdates).
 */
export function isForward(current: TaskStatus, next: TaskStatus): boolean {
  return stateAfter(next.State, current.State);
}

/** The task with the reported status applied, or undefined when the report must be dropped. */
export function applyStatus(task: Task, status: TaskStatus): Task | undefined {
  if (!isForward(task.Status, status)) return undefined;
  return { ...task, Status: status };
}

/** Of two queued reports for the same task, keep the later state (the first on a tie). */
export function laterStatus(a: TaskStatus | undefined, b: TaskStatus): TaskStatus {
  if (!a) return b;
  return TASK_STATE_VALUE[b.State] > TASK_STATE_VALUE[a.State] ? b : a;
}
