// The scheduler's decisions, pure over a node set: which pending task goes
// where, which stay pending and why, and which groups' placement threw (their
// tasks say so; the runner in scheduler.ts marks their services).

import type { PortConfig, SchedulingExplain, Task } from '../../api/types';
import { TASK_STATE_VALUE } from '../../api/types';
import { faultMessage, taskWithError } from '../fault-policy';
import type { FilterFailure } from './filters';
import type { NodeSet } from './placement';
import { noSuitableNode, placeGroup, validatePreassigned, type GroupResult, type PreassignedResult } from './placement';

export const ASSIGNED_MESSAGE = 'scheduler assigned task to node';
export const PREASSIGNED_MESSAGE = 'scheduler confirmed task can run on preassigned node';

export interface Decision {
  id: string;
  /** the Version.Index the decision was made on */
  version: number;
  next: Task;
}

export interface PassStats {
  assigned: number;
  unschedulable: number;
  written: number;
}

function withoutScheduling(t: Task): Task {
  const { Scheduling: _drop, ...rest } = t;
  return rest;
}

function sameExplain(t: Task, err: string, failures: FilterFailure[], total: number): boolean {
  const s = t.Scheduling;
  if (t.Status.Err !== err || !s || s.TotalNodes !== total || s.Filters.length !== failures.length) return false;
  return s.Filters.every((f, i) => f.Name === failures[i]!.Name && f.Nodes === failures[i]!.Nodes);
}

/** Faults one pass met: per service its first fault (undefined: seen, no fault); per node why a filter threw. */
export interface PassFaults {
  services: Map<string, string | undefined>;
  nodes: Map<string, string>;
  /** A group's filters ran over the nodes (so a node without an error is known to be fine). */
  checkedNodes: boolean;
}

/**
 * Pending tasks in parts of at most `max`, in the order they are decided
 * (pre-assigned first, then by service, spec version and slot), so a part
 * holds whole groups where it can and a big group is split into runs.
 */
export function splitPending(tasks: readonly Task[], max: number): Task[][] {
  const key = (t: Task) => `${t.NodeID ? 0 : 1}/${t.ServiceID}/${t.SpecVersion?.Index ?? -1}`;
  const sorted = [...tasks].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : a.Slot - b.Slot;
  });
  const out: Task[][] = [];
  for (let i = 0; i < sorted.length; i += max) out.push(sorted.slice(i, i + max));
  return out;
}

/**
 * The decisions of one pass (or part of one), pure over the node set (which
 * it updates as it places tasks). A group (or a pre-assigned task) whose
 * placement throws is not placed: its tasks say why in Status.Err and its
 * service is reported in `faults`; every other group is placed as usual.
 * Exported for the benchmark and tests.
 */
export function decide(
  set: NodeSet,
  pendingTasks: readonly Task[],
  portsOf: (t: Task) => readonly PortConfig[] | undefined,
  now: string,
): { decisions: Decision[]; stats: PassStats; faults: PassFaults } {
  const decisions: Decision[] = [];
  const stats: PassStats = { assigned: 0, unschedulable: 0, written: 0 };
  const faults: PassFaults = { services: new Map(), nodes: new Map(), checkedNodes: false };
  const push = (t: Task, next: Task) => decisions.push({ id: t.ID, version: t.Version.Index, next });
  const seen = (serviceID: string) => {
    if (!faults.services.has(serviceID)) faults.services.set(serviceID, undefined);
  };
  const nodeErrors = (errors: Map<string, string>) => {
    for (const [id, m] of errors) if (!faults.nodes.has(id)) faults.nodes.set(id, m);
  };
  const failed = (tasks: readonly Task[], err: unknown) => {
    const message = faultMessage(err);
    for (const t of tasks) {
      if (faults.services.get(t.ServiceID) === undefined) faults.services.set(t.ServiceID, message);
      stats.unschedulable++;
      try {
        const next = taskWithError(t, 'scheduler', message, now);
        if (next) push(t, next);
      } catch {
        // a task that cannot even be copied keeps its status; its service's mark says why
      }
    }
  };

  const stillPending = (t: Task, err: string, failures: FilterFailure[]) => {
    stats.unschedulable++;
    if (sameExplain(t, err, failures, set.size)) return; // nothing new to say: no write
    const Scheduling: SchedulingExplain = { Filters: failures, TotalNodes: set.size, At: now };
    push(t, { ...t, Status: { ...t.Status, Err: err, Timestamp: now }, Scheduling });
  };

  const preassigned: Task[] = [];
  const groups = new Map<string, Task[]>();
  for (const t of pendingTasks) {
    if (TASK_STATE_VALUE[t.DesiredState] >= TASK_STATE_VALUE.shutdown) {
      // told to stop before it ever ran: nothing to place (swarmkit §6.6)
      const { Err: _err, ...status } = t.Status;
      push(
        t,
        withoutScheduling({ ...t, Status: { ...status, State: 'shutdown', Message: 'shutdown', Timestamp: now } }),
      );
      continue;
    }
    if (t.NodeID) {
      preassigned.push(t);
      continue;
    }
    // tasks without a spec version are placed one by one
    const key = t.SpecVersion ? `${t.ServiceID}/${t.SpecVersion.Index}` : `${t.ServiceID}/#${t.ID}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(t);
  }

  // 1. pre-assigned (global) tasks: validate against their own node
  preassigned.sort(byServiceSlot);
  for (const t of preassigned) {
    let res: PreassignedResult;
    try {
      res = validatePreassigned(set, t, portsOf(t));
    } catch (err) {
      failed([t], err);
      continue;
    }
    if (!res) continue; // node gone: the global orchestrator deals with it
    seen(t.ServiceID);
    if (res.ok) {
      stats.assigned++;
      push(t, withoutScheduling({ ...t, Status: { Timestamp: now, State: 'assigned', Message: PREASSIGNED_MESSAGE } }));
    } else {
      nodeErrors(res.nodeErrors);
      stillPending(t, res.explain, res.failures);
    }
  }

  // 2. unassigned tasks, one group per (service, spec version)
  for (const key of [...groups.keys()].sort()) {
    const tasks = groups.get(key)!.sort(byServiceSlot);
    let res: GroupResult;
    try {
      res = placeGroup(set, tasks, portsOf(tasks[0]!));
    } catch (err) {
      failed(tasks, err);
      continue;
    }
    seen(tasks[0]!.ServiceID);
    faults.checkedNodes = true;
    nodeErrors(res.nodeErrors);
    for (const a of res.assigned) {
      stats.assigned++;
      push(
        a.task,
        withoutScheduling({
          ...a.task,
          NodeID: a.nodeID,
          Status: { Timestamp: now, State: 'assigned', Message: ASSIGNED_MESSAGE },
        }),
      );
    }
    if (res.unplaced.length) {
      const err = noSuitableNode(res.explain);
      for (const t of res.unplaced) stillPending(t, err, res.failures);
    }
  }
  return { decisions, stats, faults };
}

function byServiceSlot(a: Task, b: Task): number {
  if (a.ServiceID !== b.ServiceID) return a.ServiceID < b.ServiceID ? -1 : 1;
  return a.Slot - b.Slot || (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0);
}
