// "Tasks running" against "tasks desired", added up as the console's overview
// headline and `docker service ls` do: per long-running service, against its
// desired replicas (a global service: its tasks meant to run), so a task the
// scheduler could not place still counts as wanted. Jobs run to completion and
// are left out.

import type { Service } from '../api/types';
import type { MemoryStore } from '../store/memory-store';

export interface ServiceTaskCounts {
  /** Running tasks, at most each service's desired count (an update's extra task is no credit). */
  running: number;
  desired: number;
}

const isJob = (s: Service): boolean => !!(s.Spec.Mode.ReplicatedJob || s.Spec.Mode.GlobalJob);

export function serviceTaskCounts(view: MemoryStore): ServiceTaskCounts {
  let running = 0;
  let desired = 0;
  for (const s of view.list('service')) {
    if (isJob(s)) continue;
    let up = 0;
    let wanted = 0;
    for (const t of view.tasksByService(s.ID)) {
      if (t.DesiredState !== 'running') continue;
      wanted++;
      if (t.Status.State === 'running') up++;
    }
    const want = s.Spec.Mode.Replicated ? (s.Spec.Mode.Replicated.Replicas ?? 1) : wanted;
    running += Math.min(up, want);
    desired += want;
  }
  return { running, desired };
}
