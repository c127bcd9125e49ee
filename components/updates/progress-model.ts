// Where a rolling update stands, slot by slot: a pure function of the service,
// its tasks, the current version's rollout events and the wall clock, so the
// strip, the counters and the countdowns can be unit-tested without a browser.

import type { Service, Task, TaskState, UpdateConfig, UpdateEvent, UpdateStatus } from '@/server/api/types';
import { TASK_STATE_VALUE } from '@/server/api/types';
import { deepEqual } from './spec-diff';

/**
 * - old: still on a spec the rollout is moving away from, not touched yet
 * - stopping: its old task was told to shut down and has not stopped yet (draining)
 * - starting: a task of the target spec exists and is not running (or not healthy) yet
 * - running: a task of the target spec runs (healthy, when it has a health check)
 * - failed: the slot's newest task ended on its own (failed, rejected, exited)
 * - rolled-back: rolling back, and this slot is back on the previous spec
 */
export type CellState = 'old' | 'stopping' | 'starting' | 'running' | 'failed' | 'rolled-back';
export const CELL_STATES: readonly CellState[] = ['old', 'stopping', 'starting', 'running', 'rolled-back', 'failed'];

export interface SlotCell {
  /** `slot:3` or `node:<id>`, as the task table keys slots */
  key: string;
  /** `3`, or the node's name for a global service */
  label: string;
  state: CellState;
  /** The task that decides the cell (the target one when there is one). */
  taskID?: string;
  nodeID?: string;
  taskState?: TaskState;
  /** Health-check verdict of that task, when it has a check. */
  health?: 'starting' | 'healthy' | 'unhealthy';
  /** Running, but a failure would still count against this rollout (inside the monitor window). */
  monitoring: boolean;
  err?: string;
}

export type Phase = 'idle' | 'updating' | 'paused' | 'completed' | 'rolling-back' | 'rollback-paused' | 'rolled-back';

export interface Countdown {
  totalMs: number;
  remainingMs: number;
  endsAt: number;
}

export interface ProgressModel {
  phase: Phase;
  /** updating or rolling back right now */
  active: boolean;
  rollingBack: boolean;
  status?: UpdateStatus;
  /** UpdateStatus.Message, in full */
  message: string;
  cells: SlotCell[];
  total: number;
  /** Slots running the target spec ("N of M updated" / rolled back). */
  done: number;
  counts: Record<CellState, number>;
  /** The current batch: slots being replaced right now. */
  inFlight: SlotCell[];
  config: Required<UpdateConfig>;
  /** Time until the next slot is taken (UpdateConfig.Delay after a slot finished). */
  delay?: Countdown;
  /** The final monitor window: the rollout completes when it ends without a failure. */
  monitor?: Countdown;
  failures: {
    count: number;
    /** Slots this rollout has to replace. */
    dirty: number;
    /** Failures tolerated: MaxFailureRatio × dirty (the action fires above it). */
    allowed: number;
    /** Whether failures stop anything at all (FailureAction continue: they do not). */
    watched: boolean;
    exceeded: boolean;
  };
  /** When paused: the task whose failure paused it. */
  blocker?: { taskID: string; label?: string; nodeID?: string; err?: string; state?: TaskState };
  startedAt?: number;
  completedAt?: number;
  /** When it paused (from the updater's log), if it did. */
  pausedAt?: number;
  /** Start to completion, to the pause, or to now. */
  elapsedMs?: number;
}

export const DEFAULT_UPDATE_CONFIG: Required<UpdateConfig> = {
  Parallelism: 1,
  Delay: 0,
  FailureAction: 'pause',
  Monitor: 5_000_000_000,
  MaxFailureRatio: 0,
  Order: 'stop-first',
};

const RUNNING = TASK_STATE_VALUE.running;
const sv = (s: TaskState) => TASK_STATE_VALUE[s];
const nsToMs = (ns: number) => ns / 1e6;
const ms = (iso: string | undefined): number | undefined => {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) || t <= 0 ? undefined : t;
};

// RFC 3339 strings in code-point order: the same order as localeCompare gives them, without ICU collation
// (the model sorts the history of every slot, tens of thousands of tasks on a wall)
const newestFirst = (a: Task, b: Task): number =>
  a.CreatedAt < b.CreatedAt ? 1 : a.CreatedAt > b.CreatedAt ? -1 : b.Version.Index - a.Version.Index;

const PHASE: Record<UpdateStatus['State'], Phase> = {
  updating: 'updating',
  paused: 'paused',
  completed: 'completed',
  rollback_started: 'rolling-back',
  rollback_paused: 'rollback-paused',
  rollback_completed: 'rolled-back',
};

/** The settings in force: the rollback config while rolling back, each field defaulted. */
export function effectiveConfig(service: Service): Required<UpdateConfig> {
  const st = service.UpdateStatus?.State;
  const rollingBack = st === 'rollback_started' || st === 'rollback_paused' || st === 'rollback_completed';
  const cfg = (rollingBack ? service.Spec.RollbackConfig : service.Spec.UpdateConfig) ?? {};
  const out = { ...DEFAULT_UPDATE_CONFIG };
  for (const k of Object.keys(out) as (keyof UpdateConfig)[]) {
    if (cfg[k] !== undefined) (out as Record<string, unknown>)[k] = cfg[k];
  }
  return out;
}

/**
 * Is the task on the spec the service wants? Same SpecVersion, or the same
 * TaskTemplate (a resume re-applies an unchanged spec under a new version; a
 * placement-only change does not replace tasks, as swarm's IsTaskDirty).
 */
export function onTargetSpec(task: Task, service: Service): boolean {
  if (task.SpecVersion && task.SpecVersion.Index === service.SpecVersion.Index) return true;
  // a spec version names one spec, and a stored spec is replaced, never changed: the answer for this spec
  // object and this version holds until either moves. Tasks of one version share their spec object (the
  // console's store interns them), so a new version compares each old spec once, not each old task.
  const key = `${service.ID}@${service.SpecVersion.Index}`;
  const known = targetSpecSeen.get(task.Spec);
  if (known?.key === key) return known.on;
  const { Placement: _a, ...want } = service.Spec.TaskTemplate;
  const { Placement: _b, ...have } = task.Spec;
  const on = deepEqual(have, want);
  targetSpecSeen.set(task.Spec, { key, on });
  return on;
}
/** onTargetSpec's answers: an old spec of a rollout is compared with the service's on every redraw otherwise. */
const targetSpecSeen = new WeakMap<object, { key: string; on: boolean }>();

/** Ended on its own: failed/rejected, or exited while still wanted. */
function endedOnItsOwn(t: Task): boolean {
  const s = t.Status.State;
  if (s === 'failed' || s === 'rejected') return true;
  return sv(s) > RUNNING && sv(t.DesiredState) <= RUNNING;
}

const stillWanted = (t: Task) => sv(t.DesiredState) <= RUNNING;
/** Told to stop but not stopped yet. */
const draining = (t: Task) => sv(t.DesiredState) > RUNNING && sv(t.Status.State) <= RUNNING;

/**
 * A slot's cell, from its tasks (newest first). `monitoring` is left false: it moves with the clock alone,
 * so the caller sets it from `monitorSince`, and a slot whose tasks did not change is not worked out again.
 */
function slotCell(
  key: string,
  label: string,
  tasks: readonly Task[],
  service: Service,
  ctx: { rollingBack: boolean; active: boolean; startedAt?: number },
): { cell: SlotCell; monitorSince?: number } {
  const newest = tasks[0]!;
  const base = { key, label, monitoring: false };
  // the newest task failed, or it is the restart policy's retry of one that failed and has not run yet:
  // either way the slot's last attempt at this spec failed
  const prev = tasks[1];
  const failed = endedOnItsOwn(newest)
    ? newest
    : prev &&
        endedOnItsOwn(prev) &&
        onTargetSpec(prev, service) &&
        onTargetSpec(newest, service) &&
        sv(newest.Status.State) < RUNNING
      ? prev
      : undefined;
  if (failed) {
    return {
      cell: {
        ...base,
        state: 'failed',
        taskID: failed.ID,
        nodeID: failed.NodeID || undefined,
        taskState: failed.Status.State,
        health: failed.Status.ContainerStatus?.Health,
        err: failed.Status.Err ?? failed.Status.Message,
      },
    };
  }
  const target = tasks.find((t) => onTargetSpec(t, service) && (stillWanted(t) || sv(t.Status.State) <= RUNNING));
  if (!target) {
    const t = tasks.find(stillWanted) ?? newest;
    const state: CellState =
      tasks.some(draining) && !tasks.some((x) => stillWanted(x) && !draining(x)) ? 'stopping' : 'old';
    return { cell: { ...base, state, taskID: t.ID, nodeID: t.NodeID || undefined, taskState: t.Status.State } };
  }
  const health = target.Status.ContainerStatus?.Health;
  const common = {
    ...base,
    taskID: target.ID,
    nodeID: target.NodeID || undefined,
    taskState: target.Status.State,
    health,
  };
  if (target.Status.State === 'running' && health !== 'starting' && health !== 'unhealthy') {
    const created = ms(target.CreatedAt) ?? 0;
    const thisRun = ctx.startedAt !== undefined && created >= ctx.startedAt;
    return {
      cell: { ...common, state: ctx.rollingBack && thisRun ? 'rolled-back' : 'running' },
      monitorSince: ctx.active && thisRun ? (ms(target.Status.Timestamp) ?? created) : undefined,
    };
  }
  // stop-first: the new task waits until the old one has stopped
  const oldDraining = tasks.some((t) => t !== target && draining(t));
  return { cell: { ...common, state: oldDraining && sv(target.Status.State) < RUNNING ? 'stopping' : 'starting' } };
}

/** What one slot's tasks say about the rollout; a ProgressMemo keeps it while they stay the same objects. */
interface SlotFacts {
  /** The slot's tasks as grouped (table order): compared by identity on the next call. */
  tasks: readonly Task[];
  /** The rollout the facts were worked out for (service version, phase, start, pause). */
  rollout: string;
  label: string;
  /** Going away (scale-down, removal): not part of the rollout. */
  leaving: boolean;
  cell: SlotCell;
  monitorSince?: number;
  order: number | string;
  createdThisRun: boolean;
  /** Tasks this run created that ended on their own (up to the pause). */
  failed: readonly string[];
  /** When the newest task of this run on the target spec started running. */
  lastRunning?: number;
}

/**
 * Slot facts kept between calls for one service's strip. A redraw of a rollout of thousands of slots (the
 * wall works one out every second, over every task of the cluster) then works out only the slots whose
 * tasks changed: tasks are replaced, never changed, so the same objects say the same things.
 */
export class ProgressMemo {
  readonly slots = new Map<number | string, SlotFacts>();
}

const sameTasks = (a: readonly Task[], b: readonly Task[]) => a.length === b.length && a.every((t, i) => t === b[i]);

function slotFacts(
  list: Task[],
  label: string,
  rollout: string,
  service: Service,
  ctx: { rollingBack: boolean; active: boolean; startedAt?: number; pausedAt?: number },
): SlotFacts {
  const tasks = [...list];
  list.sort(newestFirst);
  const newest = list[0]!;
  const { startedAt, pausedAt } = ctx;
  const createdThisRun = startedAt !== undefined && (ms(newest.CreatedAt) ?? 0) >= startedAt;
  const key = newest.Slot !== 0 ? `slot:${newest.Slot}` : `node:${newest.NodeID}`;
  const { cell, monitorSince } = slotCell(key, label, list, service, ctx);
  const failed: string[] = [];
  let lastRunning: number | undefined;
  if (startedAt !== undefined) {
    for (const t of list) {
      if ((ms(t.CreatedAt) ?? 0) < startedAt || !onTargetSpec(t, service)) continue;
      if (endedOnItsOwn(t) && !(pausedAt !== undefined && (ms(t.Status.Timestamp) ?? 0) > pausedAt)) failed.push(t.ID);
      if (t.Status.State !== 'running') continue;
      const at = ms(t.Status.Timestamp);
      if (at !== undefined && (lastRunning === undefined || at > lastRunning)) lastRunning = at;
    }
  }
  return {
    tasks,
    rollout,
    label,
    leaving: !list.some(stillWanted) && !(createdThisRun && endedOnItsOwn(newest)),
    cell,
    monitorSince,
    order: newest.Slot !== 0 ? newest.Slot : label,
    createdThisRun,
    failed,
    lastRunning,
  };
}

function lastEvent(events: readonly UpdateEvent[], kind: string, after?: number): UpdateEvent | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (after !== undefined && (ms(e.At) ?? 0) < after) return undefined;
    if (e.Kind === kind) return e;
  }
  return undefined;
}

function countdown(start: number | undefined, totalMs: number, now: number): Countdown | undefined {
  if (start === undefined || totalMs <= 0) return undefined;
  const endsAt = start + totalMs;
  if (endsAt <= now) return undefined;
  return { totalMs, endsAt, remainingMs: endsAt - now };
}

const TASK_IN_MESSAGE = /task ([0-9a-z]{6,})/i;

/**
 * The progress model. `events` are the current version's rollout events
 * (oldest first; may be empty or lag the tasks: everything falls back to
 * what the tasks show). `nodeName` labels a global service's cells.
 */
export function progressModel(
  service: Service,
  tasks: readonly Task[],
  events: readonly UpdateEvent[],
  now: number,
  nodeName: (nodeID: string) => string = (id) => id.slice(0, 12),
  memo: ProgressMemo = new ProgressMemo(),
): ProgressModel {
  const status = service.UpdateStatus;
  const phase: Phase = status ? PHASE[status.State] : 'idle';
  const rollingBack = phase === 'rolling-back' || phase === 'rollback-paused' || phase === 'rolled-back';
  const active = phase === 'updating' || phase === 'rolling-back';
  const config = effectiveConfig(service);
  const delayMs = nsToMs(config.Delay);
  const monitorMs = nsToMs(config.Monitor);
  const startedAt =
    ms(status?.StartedAt) ??
    ms((rollingBack ? lastEvent(events, 'rollback-started') : lastEvent(events, 'started'))?.At);
  const completedAt = ms(status?.CompletedAt);

  // failures count up to the pause: after it the updater no longer counts (restarts failing again are the
  // restart policy's business)
  const pausedAt =
    phase === 'paused' || phase === 'rollback-paused' ? ms(lastEvent(events, 'paused', startedAt)?.At) : undefined;

  // slots as `docker service ps` groups them; the caller may hand every task of the cluster (the wall does)
  const bySlot = new Map<number | string, Task[]>();
  for (const t of tasks) {
    if (t.ServiceID !== service.ID) continue;
    const key = t.Slot !== 0 ? t.Slot : t.NodeID;
    const g = bySlot.get(key);
    if (g) g.push(t);
    else bySlot.set(key, [t]);
  }
  const ctx = { rollingBack, active, startedAt, pausedAt };
  const rollout = `${service.ID}@${service.SpecVersion.Index}:${phase}:${startedAt}:${pausedAt}`;
  const kept = memo.slots;
  for (const key of kept.keys()) if (!bySlot.has(key)) kept.delete(key);
  const slots: SlotFacts[] = [];
  for (const [key, list] of bySlot) {
    // a global service's cell is labelled with its node's name, which may change
    const label = typeof key === 'number' ? String(key) : nodeName(key);
    let facts = kept.get(key);
    if (!facts || facts.rollout !== rollout || facts.label !== label || !sameTasks(facts.tasks, list)) {
      facts = slotFacts(list, label, rollout, service, ctx);
      kept.set(key, facts);
    }
    if (facts.monitorSince !== undefined) {
      const monitoring = now - facts.monitorSince < monitorMs;
      if (facts.cell.monitoring !== monitoring) facts.cell = { ...facts.cell, monitoring };
    }
    if (!facts.leaving) slots.push(facts);
  }
  slots.sort((a, b) =>
    typeof a.order === 'number' && typeof b.order === 'number'
      ? a.order - b.order
      : String(a.order).localeCompare(String(b.order), 'en', { numeric: true }),
  );
  const cells = slots.map((f) => f.cell);

  const counts = Object.fromEntries(CELL_STATES.map((s) => [s, 0])) as Record<CellState, number>;
  for (const c of cells) counts[c.state]++;
  const done = counts.running + counts['rolled-back'];
  const inFlight = cells.filter((c) => c.state === 'stopping' || c.state === 'starting');

  // failures: tasks this run created that ended on their own, plus any the updater logged
  const failedTasks = new Set<string>();
  let lastRunning: number | undefined;
  for (const f of kept.values()) {
    for (const id of f.failed) failedTasks.add(id);
    if (f.lastRunning !== undefined && (lastRunning === undefined || f.lastRunning > lastRunning))
      lastRunning = f.lastRunning;
  }
  for (const e of events) {
    if (e.Kind === 'task-failed' && (startedAt === undefined || (ms(e.At) ?? 0) >= startedAt))
      failedTasks.add(e.TaskID ?? `event:${e.At}:${e.Slot ?? ''}`);
  }
  // dirty: every slot except those already on the target spec before this run began
  const dirty = status
    ? slots.filter((f) => !((f.cell.state === 'running' || f.cell.state === 'rolled-back') && !f.createdThisRun)).length
    : 0;
  const watched = config.FailureAction !== 'continue';
  const count = failedTasks.size;
  const failures = {
    count,
    dirty,
    allowed: Math.floor(config.MaxFailureRatio * dirty + 1e-9),
    watched,
    exceeded: watched && dirty > 0 && count / dirty > config.MaxFailureRatio,
  };

  // countdowns, from the updater's log, else from when the last new task started running
  let delay: Countdown | undefined;
  let monitor: Countdown | undefined;
  if (active) {
    const remaining = counts.old + inFlight.length;
    if (counts.old > 0 && delayMs > 0) {
      const ev = lastEvent(events, 'delay', startedAt);
      delay = countdown(ms(ev?.At) ?? lastRunning, delayMs, now);
    }
    if (remaining === 0) {
      const windowMs = delayMs >= monitorMs ? delayMs + 1000 : monitorMs;
      const ev = lastEvent(events, 'monitor', startedAt);
      monitor = countdown(ms(ev?.At) ?? lastRunning, windowMs, now);
    }
  }

  let blocker: ProgressModel['blocker'];
  if (phase === 'paused' || phase === 'rollback-paused') {
    const ev = lastEvent(events, 'task-failed') ?? lastEvent(events, 'paused');
    const taskID = TASK_IN_MESSAGE.exec(status?.Message ?? '')?.[1] ?? ev?.TaskID;
    if (taskID) {
      const t = tasks.find((x) => x.ID === taskID && x.ServiceID === service.ID);
      const evFor = events.findLast((e) => e.TaskID === taskID && e.Kind === 'task-failed');
      blocker = {
        taskID,
        label: t
          ? t.Slot !== 0
            ? String(t.Slot)
            : nodeName(t.NodeID)
          : evFor?.Slot !== undefined
            ? String(evFor.Slot)
            : undefined,
        nodeID: t?.NodeID || evFor?.NodeID,
        err: t?.Status.Err ?? evFor?.Message,
        state: t?.Status.State,
      };
    }
  }

  return {
    phase,
    active,
    rollingBack,
    status,
    message: status?.Message ?? '',
    cells,
    total: cells.length,
    done,
    counts,
    inFlight,
    config,
    delay,
    monitor,
    failures,
    blocker,
    startedAt,
    completedAt,
    pausedAt,
    elapsedMs: startedAt !== undefined ? (completedAt ?? pausedAt ?? now) - startedAt : undefined,
  };
}
