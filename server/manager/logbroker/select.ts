// Which tasks a log subscription covers, and on which nodes (pure).

import type { LogSelector, LogMessage, LogOptions } from '../../api/logs';
import { TASK_STATE_VALUE, type Task } from '../../api/types';

/** Per node: the selected tasks (task ID → service ID). */
export type Selection = Map<string, Map<string, string>>;

/**
 * A task has output to read once its node prepared it (READY or later,
 * including the end states it reached from there); earlier its executor
 * holds nothing, and a follow subscription picks it up when it gets there.
 */
export function taskHasLogs(t: Task): boolean {
  return !!t.NodeID && TASK_STATE_VALUE[t.Status.State] >= TASK_STATE_VALUE.ready;
}

export interface TaskSource {
  get(kind: 'task', id: string): Task | undefined;
  tasksByService(serviceID: string): Task[];
}

/** The selector's tasks that have logs, grouped by node. */
export function selectTasks(view: TaskSource, selector: LogSelector): Selection {
  const out: Selection = new Map();
  const add = (t: Task | undefined) => {
    if (!t || !taskHasLogs(t)) return;
    let m = out.get(t.NodeID);
    if (!m) out.set(t.NodeID, (m = new Map()));
    m.set(t.ID, t.ServiceID);
  };
  for (const sid of selector.serviceIDs ?? []) for (const t of view.tasksByService(sid)) add(t);
  for (const id of selector.taskIDs ?? []) add(view.get('task', id));
  return out;
}

/** Whether a line passes the subscription's own filters (streams; since is the node's job but is checked again). */
export function wanted(m: Pick<LogMessage, 'stream' | 'time'>, options: LogOptions): boolean {
  if (options.streams && !options.streams.includes(m.stream)) return false;
  if (options.since !== undefined && Date.parse(m.time) < options.since) return false;
  return true;
}
