import type { Service, Task } from '../../api/types';
import { isRunnable, sv, taskTimeMs } from './task-factory';
import { MAX_REPLICAS_SETTING } from '../../api/cluster-settings';

/**
 * The updatable tasks of one slot (swarmkit `UpdatableTasksInSlot`):
 * the tasks meant to run; or, when none is, the newest task if the restart
 * policy says it must not be restarted (the replica is "satisfied" though
 * dead). `undefined` means the slot is dead.
 */
export function updatableTasksInSlot(
  slot: Task[],
  shouldRestart: (t: Task) => boolean,
  rollbackStarted = false,
): Task[] | undefined {
  const runnable = slot.filter(isRunnable);
  if (runnable.length > 0) return runnable;
  if (rollbackStarted || slot.length === 0) return undefined;
  const newest = newestTask(slot);
  return shouldRestart(newest) ? undefined : [newest];
}

export function newestTask(tasks: Task[]): Task {
  let best = tasks[0]!;
  for (const t of tasks) if (taskTimeMs(t) > taskTimeMs(best)) best = t;
  return best;
}

export interface SlotPlan {
  /** Surviving updatable slots, each its updatable tasks: handed to the updater. */
  keep: Task[][];
  /** Slot numbers that get a new task with desired RUNNING. */
  create: number[];
  /** Tasks to set to desired REMOVE (scale-down). */
  remove: Task[];
  /** Tasks of dead slots to delete from the store. */
  delete: Task[];
}

/**
 * Slot reconciliation for a replicated service (§2.3), over plain data.
 * `tasks` are all the service's tasks; `shouldRestart` is the restart
 * policy's verdict for a stopped task.
 */
export function planReplicatedSlots(
  tasks: Task[],
  replicas: number,
  shouldRestart: (t: Task) => boolean,
  rollbackStarted = false,
): SlotPlan {
  const bySlot = new Map<number, Task[]>();
  for (const t of tasks) {
    let s = bySlot.get(t.Slot);
    if (!s) bySlot.set(t.Slot, (s = []));
    s.push(t);
  }
  const updatable = new Map<number, Task[]>();
  const dead = new Map<number, Task[]>();
  for (const [slot, ts] of bySlot) {
    const u = updatableTasksInSlot(ts, shouldRestart, rollbackStarted);
    if (u) updatable.set(slot, u);
    else dead.set(slot, ts);
  }
  const plan: SlotPlan = { keep: [], create: [], remove: [], delete: [] };
  const n = updatable.size;

  if (replicas > n) {
    plan.keep = [...updatable.entries()].sort((a, b) => a[0] - b[0]).map(([, ts]) => ts);
    // smallest positive slot numbers not held by an updatable slot
    for (let slot = 1; plan.create.length < replicas - n; slot++) {
      if (updatable.has(slot)) continue;
      plan.create.push(slot);
      dead.delete(slot); // a reused dead slot keeps its tasks as history
    }
  } else if (replicas < n) {
    const sorted = sortForScaleDown([...updatable.entries()]);
    plan.keep = sorted.slice(0, replicas);
    // every task of a removed slot, history included, so the whole slot goes
    // once stopped (swarmkit sets REMOVE on all of the slot's tasks)
    for (const ts of sorted.slice(replicas)) plan.remove.push(...(bySlot.get(ts[0]!.Slot) ?? ts));
  } else {
    plan.keep = [...updatable.entries()].sort((a, b) => a[0] - b[0]).map(([, ts]) => ts);
  }
  for (const ts of dead.values()) plan.delete.push(...ts);
  return plan;
}

/**
 * Order slots best-to-keep first: running slots and low slot numbers first,
 * then by "k-th copy on its node" so nodes with the most copies lose first.
 * Slots with several tasks or an unassigned task sort last. Stable sorts.
 */
export function sortForScaleDown(slots: [number, Task[]][]): Task[][] {
  const running = (ts: Task[]) => ts.some((t) => t.Status.State === 'running');
  const byRun = [...slots].sort((a, b) => {
    const ra = running(a[1]) ? 0 : 1;
    const rb = running(b[1]) ? 0 : 1;
    return ra - rb || a[0] - b[0];
  });
  const perNode = new Map<string, number>();
  const indexed = byRun.map(([, ts]) => {
    const only = ts.length === 1 ? ts[0]! : undefined;
    if (!only || !only.NodeID) return { ts, index: -1 };
    const k = (perNode.get(only.NodeID) ?? 0) + 1;
    perNode.set(only.NodeID, k);
    return { ts, index: k };
  });
  const key = (i: number) => (i === -1 ? Number.MAX_SAFE_INTEGER : i);
  indexed.sort((a, b) => key(a.index) - key(b.index));
  return indexed.map((x) => x.ts);
}

/** Never lower a desired state ("time travel is not allowed"). */
export function raisesDesired(t: Task, to: Task['DesiredState']): boolean {
  return sv(t.DesiredState) < sv(to);
}

/**
 * The most replicas the orchestrator creates for one service: the ceiling of
 * the swarm's replica-limit setting. The API refuses more than the setting
 * itself; this guards the loop against what was committed before (or around)
 * that check, so one entry cannot make a leader create tasks until it runs out
 * of memory, while a limit raised by the operator still works.
 */
export const MAX_REPLICAS = MAX_REPLICAS_SETTING.max;

/** A replicated service's replica count (swarm's default 1); throws, naming the field, when it is unusable. */
export function desiredReplicas(service: Service, limit = MAX_REPLICAS): number {
  const n = service.Spec.Mode.Replicated?.Replicas ?? 1;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
    throw new Error(`Mode.Replicated.Replicas: ${JSON.stringify(n) ?? String(n)} is not a non-negative integer`);
  if (n > limit) throw new Error(`Mode.Replicated.Replicas: ${n} is more than the limit of ${limit} replicas`);
  return n;
}
