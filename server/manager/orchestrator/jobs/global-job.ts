import type { Node, Service, Task } from '../../../api/types';
import { invalidNode, nodeMatchesConstraints, sv } from '../task-factory';
import { inIteration, isLiveJobTask, jobIteration, placeState } from './job-tasks';

export interface GlobalJobPlan {
  /** Nodes that get a task of the current iteration (pre-assigned, Slot 0). */
  create: string[];
  /** Unfinished tasks on nodes that went down or were drained: desired SHUTDOWN, not restarted there. */
  shutdown: Task[];
  /** Tasks of earlier iterations that have not finished: desired REMOVE (finished ones stay as history). */
  remove: Task[];
}

/**
 * swarmkit's global-job reconciler over plain data: one task of the current
 * iteration per node that matches the constraints and is READY and ACTIVE
 * now. A node that has completed, runs, or gave up (the restart policy
 * allows no more attempts) gets nothing new; a node that is down or drained
 * has its unfinished task shut down.
 */
export function planGlobalJob(
  service: Service,
  tasks: Task[],
  nodes: Node[],
  shouldRestart: (t: Task) => boolean,
): GlobalJobPlan {
  const iteration = jobIteration(service);
  const plan: GlobalJobPlan = { create: [], shutdown: [], remove: [] };
  const byNode = new Map<string, Task[]>();
  for (const t of tasks) {
    if (!t.JobIteration) continue;
    if (!inIteration(t, iteration)) {
      if (sv(t.Status.State) <= sv('running') && t.DesiredState !== 'remove') plan.remove.push(t);
      continue;
    }
    let s = byNode.get(t.NodeID);
    if (!s) byNode.set(t.NodeID, (s = []));
    s.push(t);
  }
  const constraints = service.Spec.TaskTemplate.Placement?.Constraints;
  for (const node of nodes) {
    if (!nodeMatchesConstraints(constraints, node)) continue;
    const ts = byNode.get(node.ID) ?? [];
    if (invalidNode(node)) {
      for (const t of ts) if (isLiveJobTask(t) && sv(t.Status.State) <= sv('running')) plan.shutdown.push(t);
      continue;
    }
    if (node.Spec.Availability !== 'active' || node.Status.State !== 'ready') continue;
    if (placeState(ts, shouldRestart) === 'open') plan.create.push(node.ID);
  }
  return plan;
}
