import { DRAINING_MESSAGE } from '../../api/network-view';
import type { Task, TaskStatus } from '../../api/types';
import { TASK_STATE_VALUE, stateAfter } from '../../api/types';

/** A same-state report whose news is the container's health (Swarmdeck addition, see §14). */
function isHealthNews(current: TaskStatus, next: TaskStatus): boolean {
  const health = next.ContainerStatus?.Health;
  return next.State === current.State && health !== undefined && health !== current.ContainerStatus?.Health;
}

/** A same-state RUNNING report that the owning agent drains the task (the mesh stops routing to it). */
function isDrainNews(current: TaskStatus, next: TaskStatus): boolean {
  return (
    next.State === 'running' &&
    current.State === 'running' &&
    next.Message === DRAINING_MESSAGE &&
    current.Message !== DRAINING_MESSAGE
  );
}

/**
 * Task state is a Lamport clock: only a strictly later state is news.
 * Identical and backwards reports are dropped (swarmkit processUpdates),
 * except a same-state report that changes the health or says the task drains.
 */
export function isForward(current: TaskStatus, next: TaskStatus): boolean {
  return stateAfter(next.State, current.State) || isHealthNews(current, next) || isDrainNews(current, next);
}

/**
 * The task with the reported status applied, or undefined when the report must be dropped.
 * Health news keeps the stored status (its time, message, AppliedAt) and takes the new ContainerStatus.
 */
export function applyStatus(task: Task, status: TaskStatus): Task | undefined {
  if (stateAfter(status.State, task.Status.State)) return { ...task, Status: status };
  if (isDrainNews(task.Status, status)) return { ...task, Status: { ...task.Status, Message: DRAINING_MESSAGE } };
  if (!isHealthNews(task.Status, status)) return undefined;
  return { ...task, Status: { ...task.Status, ContainerStatus: status.ContainerStatus } };
}

/** Of two queued reports for the same task, keep the later state (the first on a tie, with the second's health news). */
export function laterStatus(a: TaskStatus | undefined, b: TaskStatus): TaskStatus {
  if (!a) return b;
  if (TASK_STATE_VALUE[b.State] > TASK_STATE_VALUE[a.State]) return b;
  if (isDrainNews(a, b)) return { ...a, Message: DRAINING_MESSAGE };
  return isHealthNews(a, b) ? { ...a, ContainerStatus: b.ContainerStatus } : a;
}
