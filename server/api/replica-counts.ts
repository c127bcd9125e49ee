// A service's REPLICAS as `docker service ls` shows them, from its tasks: shared by the console,
// which counts the tasks it holds, and the gateway, which counts for pages that hold none.

import type { Service, Task } from './types';

export const isRunning = (t: Task): boolean => t.Status.State === 'running' && t.DesiredState === 'running';

export interface ReplicaCounts {
  running: number;
  desired: number;
}

/**
 * Running tasks over desired. Global services want one task per eligible node: the tasks whose
 * desired state is running. A job counts its current iteration: running over MaxConcurrent
 * (replicated job) or over the tasks still to complete (global job), as swarmkit does.
 */
export function replicaCounts(s: Service, tasks: Iterable<Task>): ReplicaCounts {
  if (s.JobStatus) {
    const iteration = s.JobStatus.JobIteration.Index;
    let running = 0;
    let toComplete = 0;
    for (const t of tasks) {
      if (t.JobIteration?.Index !== iteration) continue;
      if (t.Status.State === 'running') running++;
      if (t.DesiredState === 'complete' && t.Status.State !== 'complete') toComplete++;
    }
    return {
      running,
      desired: s.Spec.Mode.ReplicatedJob ? (s.Spec.Mode.ReplicatedJob.MaxConcurrent ?? 1) : toComplete,
    };
  }
  let running = 0;
  let wanted = 0;
  for (const t of tasks) {
    if (isRunning(t)) running++;
    if (t.DesiredState === 'running') wanted++;
  }
  const desired = s.Spec.Mode.Replicated ? (s.Spec.Mode.Replicated.Replicas ?? 1) : wanted;
  return { running, desired };
}
