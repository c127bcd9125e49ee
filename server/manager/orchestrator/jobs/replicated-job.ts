import type { Service, Task } from '../../../api/types';
import { sv } from '../task-factory';
import { inIteration, jobCounts, jobIteration, placeState, type PlaceState } from './job-tasks';

export interface ReplicatedJobPlan {
  /** Slot numbers (0 … TotalCompletions−1) that get a new task of the current iteration. */
  create: number[];
  /** Tasks of earlier iterations that have not finished: desired REMOVE (finished ones stay as history). */
  remove: Task[];
}

/**
 * swarmkit's replicated-job reconciler over plain data. Each slot of the
 * current iteration is complete, active (a task runs or is staged there),
 * given up, or open. New tasks go to the lowest open slots, as many as
 * MaxConcurrent leaves room for next to the active ones and no more than the
 * slots that are still open: the job runs in waves of at most MaxConcurrent
 * until TotalCompletions slots are complete. Failed tasks are the restart
 * supervisor's (task-level, per the restart policy), not this plan's.
 */
export function planReplicatedJob(
  service: Service,
  tasks: Task[],
  shouldRestart: (t: Task) => boolean,
): ReplicatedJobPlan {
  const { maxConcurrent, total } = jobCounts(service);
  const iteration = jobIteration(service);
  const plan: ReplicatedJobPlan = { create: [], remove: [] };
  const bySlot = new Map<number, Task[]>();
  for (const t of tasks) {
    if (!t.JobIteration) continue;
    if (!inIteration(t, iteration)) {
      if (sv(t.Status.State) <= sv('running') && t.DesiredState !== 'remove') plan.remove.push(t);
      continue;
    }
    let s = bySlot.get(t.Slot);
    if (!s) bySlot.set(t.Slot, (s = []));
    s.push(t);
  }
  const states = new Map<number, PlaceState>();
  for (const [slot, ts] of bySlot) states.set(slot, placeState(ts, shouldRestart));
  let active = 0;
  for (const st of states.values()) if (st === 'active') active++;
  let room = maxConcurrent - active;
  for (let slot = 0; slot < total && room > 0; slot++) {
    if ((states.get(slot) ?? 'open') !== 'open') continue;
    plan.create.push(slot);
    room--;
  }
  return plan;
}
