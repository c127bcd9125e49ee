import type { Task } from '../../api/types';
import { TASK_STATE_VALUE } from '../../api/types';

/** A node is told about its tasks once they are assigned (observed ≥ ASSIGNED). */
export function isAssignment(task: Task, nodeID: string): boolean {
  return task.NodeID === nodeID && TASK_STATE_VALUE[task.Status.State] >= TASK_STATE_VALUE.assigned;
}

/** What the agent last saw of a task: the fields it acts on. */
export interface SentTask {
  desired: Task['DesiredState'];
  spec: Task['Spec'];
}

/**
 * Whether a changed task must be pushed again. Tasks up to ASSIGNED are always
 * re-sent; after that only a change the agent acts on (desired state or spec)
 * is pushed, so an agent's own status reports are not echoed back to it.
 */
export function needsPush(prev: SentTask | undefined, task: Task): boolean {
  if (!prev) return true;
  if (TASK_STATE_VALUE[task.Status.State] <= TASK_STATE_VALUE.assigned) return true;
  return prev.desired !== task.DesiredState || prev.spec !== task.Spec;
}

/** Split changes into messages of at most `max` entries. */
export function chunk<T>(items: T[], max: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += max) out.push(items.slice(i, i + max));
  return out;
}
