// What the console says about control-loop faults (server/manager/fault-policy.ts
// writes them): which loop, what it could not do, and a one-line summary.

import type { ControlFault, ControlLoop } from '@/server/api/types';

/** What each loop could not do, said of a service (nodes: only the scheduler marks them). */
export const LOOP_FAILED: Record<ControlLoop, string> = {
  orchestrator: 'The orchestrator cannot reconcile this service',
  restart: 'The restart supervisor cannot restart one of its tasks',
  updater: 'The updater cannot roll out this spec',
  scheduler: 'The scheduler cannot place its tasks',
  allocator: 'The allocator cannot allocate one of its tasks',
  reaper: 'The task reaper cannot prune one of its slots',
};

export const NODE_FAILED = 'The scheduler cannot check this node: it is left out of placement';

/** "orchestrator: Replicas …; scheduler: …" for a tooltip or an aria-label. */
export function faultSummary(faults: readonly ControlFault[] | undefined): string {
  return (faults ?? []).map((f) => `${f.Loop}: ${f.Message}`).join('; ');
}

/** Faults in a stable order: the ones that stop the whole service first. */
export function sortedFaults(faults: readonly ControlFault[] | undefined): ControlFault[] {
  const rank = (l: ControlLoop) =>
    ['orchestrator', 'updater', 'scheduler', 'allocator', 'restart', 'reaper'].indexOf(l);
  return [...(faults ?? [])].sort((a, b) => rank(a.Loop) - rank(b.Loop));
}
