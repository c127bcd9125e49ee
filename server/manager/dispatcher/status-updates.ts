import type { Task, TaskStatus } from '../../api/types';
import { TASK_STATE_VALUE, stateAfter } from '../../api/types';

/** A same-state report whose news is the container's health (Swarmdeck addition, see §14). */
function isHealthNews(current: TaskStatus, next: TaskStatus): boolean {
  const health = next.ContainerStatus?.Health;
  return next.State === current.State && health !== undefined && health !== current.ContainerStatus?.Health;
}

/**
 * Task state is a Lamport clock: only a strictly later state is news.
 * Identical and backwards reports are dropped (swarmkit processUpdates),
 * except a same-state report that changes the health.
 */
export function isForward(current: TaskStatus, next: TaskStatus): boolean {
  return stateAfter(next.State, current.State) || isHealthNews(current, next);
}

/**
 * The task with the reported status applied, or undefined when the report must be dropped.
 * Health news keeps the stored status (its time, message, AppliedAt) and takes the new ContainerStatus.
 */
export function applyStatus(task: Task, status: TaskStatus): Task | undefined {
  if (stateAfter(status.State, task.Status.State)) return { ...task, Status: status };
  if (!isHealthNews(task.Status, status)) return undefined;
  return { ...task, Status: { ...task.Status, ContainerStatus: status.ContainerStatus } };
}

/** Of two queued reports for the same task, keep the later state (the first on a tie, with the second's health news). */
export function laterStatus(a: TaskStatus | undefined, b: TaskStatus): TaskStatus {
  if (!a) return b;
  if (TASK_STATE_VALUE[b.State] > TASK_STATE_VALUE[a.State]) return b;
  return isHealthNews(a, b) ? { ...a, ContainerStatus: b.ContainerStatus } : a;
}
