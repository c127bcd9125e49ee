// Pure decisions of the updater (§5): which slots to roll, the settings in
// force, what a failure means, and the UpdateStatus transitions. The loop
// shell in updater.ts does the store and timer work around them.

import type { Node, Service, Task, TaskState, UpdateConfig, UpdateState, UpdateStatus } from '../../api/types';
import { nsToMs } from '../../util/clock';
import { isTaskDirty, sv } from './task-factory';

export const DEFAULT_MONITOR_MS = 5_000;
export const NO_PREVIOUS_SPEC = 'cannot roll back service because no previous spec is available';

export type FailureAction = NonNullable<UpdateConfig['FailureAction']>;
export type UpdateOrder = NonNullable<UpdateConfig['Order']>;

/** The update settings in force (§5.1), defaults applied; the rollback config while rolling back. */
export interface UpdateSettings {
  rollingBack: boolean;
  /** As configured: 0 means every dirty slot at once. */
  parallelism: number;
  delayMs: number;
  monitorMs: number;
  failureAction: FailureAction;
  maxFailureRatio: number;
  order: UpdateOrder;
  cfg: UpdateConfig;
}

export function updateSettings(service: Service): UpdateSettings {
  const rollingBack = service.UpdateStatus?.State === 'rollback_started';
  const given = rollingBack ? service.Spec.RollbackConfig : service.Spec.UpdateConfig;
  const cfg = given ?? {};
  return {
    rollingBack,
    // no config at all means the defaults (parallelism 1); a config without Parallelism
    // decodes to Go's zero value in the Engine API, which means "all at once"
    parallelism: Math.max(0, cfg.Parallelism ?? (given ? 0 : 1)),
    delayMs: Math.max(0, nsToMs(cfg.Delay ?? undefined, 0)),
    // nil Monitor means 5 s; an explicit 0 means no monitoring window
    monitorMs: Math.max(0, nsToMs(cfg.Monitor ?? undefined, DEFAULT_MONITOR_MS)),
    // stack deploy sends empty strings for the enums
    failureAction: cfg.FailureAction || 'pause',
    maxFailureRatio: cfg.MaxFailureRatio ?? 0,
    order: cfg.Order || 'stop-first',
    cfg,
  };
}

/** How many workers run: Parallelism, or one per dirty slot when it is 0. */
export function workerCount(parallelism: number, dirty: number): number {
  return parallelism <= 0 ? dirty : Math.min(parallelism, dirty);
}

/** The watch after the last slot (§5.3 step 8): Monitor, or Delay + 1 s when Delay ≥ Monitor. */
export function finalMonitorMs(s: Pick<UpdateSettings, 'delayMs' | 'monitorMs'>): number {
  return s.delayMs >= s.monitorMs ? s.delayMs + 1_000 : s.monitorMs;
}

/** A slot needs updating when it holds several tasks or its one task is dirty (§5.3 step 2). */
export function dirtySlots(service: Service, slots: Task[][], nodeOf: (id: string) => Node | undefined): Task[][] {
  return slots.filter(
    (slot) => slot.length > 1 || (slot.length === 1 && isTaskDirty(service, slot[0]!, nodeOf(slot[0]!.NodeID))),
  );
}

/** What one worker does with a slot (§5.3 step 6), given the slot's runnable tasks as they are now. */
export type SlotStep =
  /** Nothing left in the slot (scaled down meanwhile). */
  | { kind: 'gone' }
  /** Keep an up-to-date task: shut the others down; start it if it is still staged (desired < RUNNING). */
  | { kind: 'keep'; task: Task; others: Task[]; start: boolean }
  /** Create a new task; `olds` are shut down first (stop-first) or once it runs (start-first). */
  | { kind: 'replace'; olds: Task[] };

export function planSlot(tasks: Task[], service: Service, nodeOf: (id: string) => Node | undefined): SlotStep {
  if (tasks.length === 0) return { kind: 'gone' };
  const clean = tasks.filter((t) => sv(t.DesiredState) <= sv('running') && !isTaskDirty(service, t, nodeOf(t.NodeID)));
  // a clean task meant to run wins; else a clean staged one (swarmkit keeps the last it saw)
  const keep = clean.find((t) => t.DesiredState === 'running') ?? clean.at(-1);
  if (keep) {
    return {
      kind: 'keep',
      task: keep,
      others: tasks.filter((t) => t !== keep),
      start: keep.DesiredState !== 'running',
    };
  }
  return { kind: 'replace', olds: tasks };
}

/** What the updater knows of a task it created: when (manager clock) it saw it RUNNING, and if it ended. */
export interface CreatedTask {
  slot: number;
  runningAt?: number;
  ended?: boolean;
}

/**
 * §5.3 step 7: a task this run created that moved past RUNNING before
 * reaching it, or no more than Monitor after the updater saw it running.
 */
export function isUpdateFailure(
  created: CreatedTask | undefined,
  state: TaskState,
  nowMs: number,
  monitorMs: number,
): boolean {
  if (!created || created.ended || sv(state) <= sv('running')) return false;
  return created.runningAt === undefined || nowMs - created.runningAt <= monitorMs;
}

export type FailureVerdict =
  | { action: 'none' }
  | { action: 'pause'; state: UpdateState; message: string }
  | { action: 'rollback'; message: string };

/**
 * The failure action once `failures` of `dirty` slots failed (§5.3 step 7).
 * Compared in float32 like swarmkit, so a ratio of 0.1 with 1 of 10 is not over.
 */
export function failureVerdict(failures: number, dirty: number, s: UpdateSettings, taskID: string): FailureVerdict {
  if (s.failureAction === 'continue' || dirty <= 0) return { action: 'none' };
  if (Math.fround(failures / dirty) <= Math.fround(s.maxFailureRatio)) return { action: 'none' };
  if (s.failureAction === 'pause') {
    return {
      action: 'pause',
      state: s.rollingBack ? 'rollback_paused' : 'paused',
      message: `update paused due to failure or early termination of task ${taskID}`,
    };
  }
  // never roll back a rollback
  if (s.rollingBack) {
    return {
      action: 'pause',
      state: 'rollback_paused',
      message: `rollback paused due to failure or early termination of task ${taskID}`,
    };
  }
  return { action: 'rollback', message: `update rolled back due to failure or early termination of task ${taskID}` };
}

export function startedStatus(now: string): UpdateStatus {
  return { State: 'updating', Message: 'update in progress', StartedAt: now };
}

/** The finished status, or undefined when the run is not (or no longer) in progress. */
export function completedStatus(st: UpdateStatus | undefined, now: string): UpdateStatus | undefined {
  if (st?.State === 'rollback_started') {
    return { ...st, State: 'rollback_completed', Message: 'rollback completed', CompletedAt: now };
  }
  if (st?.State === 'updating') return { ...st, State: 'completed', Message: 'update completed', CompletedAt: now };
  return undefined;
}

/**
 * swarmkit `rollbackUpdate`: the previous spec becomes current and is
 * cleared, the status says why. Throws when there is nothing to go back to.
 */
export function autoRollback(service: Service, message: string): Service {
  if (!service.PreviousSpec) throw new Error(NO_PREVIOUS_SPEC);
  const { PreviousSpec, PreviousSpecVersion, ...rest } = service;
  return {
    ...rest,
    Spec: PreviousSpec,
    SpecVersion: PreviousSpecVersion ?? { Index: 0 },
    UpdateStatus: { ...(service.UpdateStatus ?? {}), State: 'rollback_started', Message: message },
    // the allocator reconciles ports/VIPs against the restored endpoint spec
    Endpoint: { ...service.Endpoint, Spec: PreviousSpec.EndpointSpec ?? { Mode: 'vip' } },
  };
}
