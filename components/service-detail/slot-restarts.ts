// A crash-looping slot in one line: how often it was restarted and why, read
// from its superseded tasks so nobody has to expand the history to see it.

import type { Task } from '@/server/api/types';
import type { SlotGroup } from '../cluster/derive';

export interface SlotRestarts {
  /** Superseded tasks of the slot that failed or were rejected: each one was replaced by a restart. */
  restarts: number;
  /** The newest error in the slot (the current task's own first), and the task that had it. */
  lastError?: { err: string; taskID: string; at: string; current: boolean };
}

const failedOnItsOwn = (t: Task): boolean => t.Status.State === 'failed' || t.Status.State === 'rejected';

export function slotRestarts(group: Pick<SlotGroup, 'current' | 'history'>): SlotRestarts {
  const restarts = group.history.filter(failedOnItsOwn).length;
  const withErr = [group.current, ...group.history].find((t) => t.Status.Err);
  return {
    restarts,
    lastError: withErr
      ? {
          err: withErr.Status.Err!,
          taskID: withErr.ID,
          at: withErr.Status.Timestamp,
          current: withErr === group.current,
        }
      : undefined,
  };
}
