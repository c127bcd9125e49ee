import type { RestartPolicy, Service, Task } from '../../api/types';
import { isTerminal } from '../../api/types';
import type { ClusterStore } from '../../store/cluster-store';
import type { AppliedEvent } from '../../store/batch';
import { slotKey } from '../../store/memory-store';
import type { Tx } from '../../store/tx';
import type { Clock } from '../../util/clock';
import { eachChange, FaultTracker, guard, isolate, markService } from '../faults';
import { PassRunner } from '../pass-runner';
import { raisesDesired } from './slots';
import { newTask, placeOf, sv, taskTimeMs } from './task-factory';

export const DEFAULT_RESTART_DELAY_MS = 5_000;
/** How long a replacement waits for the task it replaces to stop (swarmkit TaskTimeout). */
export const TASK_STOP_TIMEOUT_MS = 60_000;

/** Restarts recorded for one slot, valid only for one SpecVersion. */
export interface RestartHistory {
  specVersion: number;
  total: number;
  /** creation times (ms) of the most recent replacements */
  times: number[];
}

/** nil Delay means 5 s; an explicit 0 means no delay. */
export function restartDelayMs(p: RestartPolicy | undefined): number {
  return p?.Delay === undefined || p.Delay === null ? DEFAULT_RESTART_DELAY_MS : Math.max(0, p.Delay / 1e6);
}

/**
 * The restart policy's verdict for a stopped task (swarmkit `shouldRestart`).
 * `history` is the slot's restart history, if any.
 */
export function shouldRestart(task: Task, history: RestartHistory | undefined, isJob = false): boolean {
  const p = task.Spec.RestartPolicy;
  let cond = p?.Condition ?? 'any';
  if (isJob && cond === 'any') cond = 'on-failure'; // a completed job task is never restarted
  if (cond === 'none') return false;
  if (cond === 'on-failure' && task.Status.State === 'complete') return false;
  const max = p?.MaxAttempts ?? 0;
  if (max <= 0) return true;
  // history resets whenever the spec changes
  if (!history || (task.SpecVersion && task.SpecVersion.Index !== history.specVersion)) return true;
  const windowMs = (p?.Window ?? 0) / 1e6;
  if (windowMs <= 0) return history.total < max;
  const failTime = taskTimeMs(task);
  const lookback = failTime - windowMs;
  let recent = 0;
  for (const at of history.times) if (at > lookback && at < failTime) recent++;
  return recent < max;
}

/** A restart recorded in `h` (or a fresh history when the SpecVersion moved on). */
export function recordRestart(
  h: RestartHistory | undefined,
  specVersion: number,
  at: number,
  maxAttempts: number,
): RestartHistory {
  const base = h && h.specVersion === specVersion ? h : { specVersion, total: 0, times: [] };
  // only the last MaxAttempts restarts can matter for the window count
  const times = [...base.times, at].slice(-Math.max(1, maxAttempts));
  return { specVersion, total: base.total + 1, times };
}

/**
 * Rebuild restart history after a failover (§2.5): per slot, every task with
 * the newest SpecVersion except the oldest counts as one restart.
 */
export function rebuildHistory(tasks: Task[], keyOf: (t: Task) => string = slotKey): Map<string, RestartHistory> {
  const bySlot = new Map<string, Task[]>();
  for (const t of tasks) {
    if (!t.SpecVersion) continue;
    const k = keyOf(t);
    let s = bySlot.get(k);
    if (!s) bySlot.set(k, (s = []));
    s.push(t);
  }
  const out = new Map<string, RestartHistory>();
  for (const [k, ts] of bySlot) {
    const newest = Math.max(...ts.map((t) => t.SpecVersion!.Index));
    const mine = ts.filter((t) => t.SpecVersion!.Index === newest).map((t) => Date.parse(t.CreatedAt) || 0);
    if (mine.length < 2) continue;
    mine.sort((a, b) => a - b);
    out.set(k, { specVersion: newest, total: mine.length - 1, times: mine.slice(1) });
  }
  return out;
}

/** A replacement to start once its delay elapsed and the tasks it replaces stopped. */
export interface PendingStart {
  taskID: string;
  oldTaskIDs: string[];
  delayMs: number;
  waitStop: boolean;
}

/**
 * What one transaction of restarts produced. The transaction function may be
 * re-run on a version race, so nothing leaves the batch until `commit`.
 */
export class RestartBatch {
  readonly starts: PendingStart[] = [];
  readonly history = new Map<string, RestartHistory>();
}

interface DelayedStart {
  taskID: string;
  waitingOn: Set<string>;
  delayDone: boolean;
  stopped: boolean;
  cancels: (() => void)[];
}

/**
 * The restart supervisor (§4): decides restarts inside orchestrator
 * transactions, keeps the in-memory restart history, and moves staged
 * replacements from desired READY to RUNNING when their delay has elapsed and
 * the old task has stopped (or its node is down/gone, or a minute passed).
 */
export class RestartSupervisor {
  private history = new Map<string, RestartHistory>();
  private delayed = new Map<string, DelayedStart>();
  /** old task ID → IDs of the delayed replacements waiting on it */
  private byOld = new Map<string, Set<string>>();
  private toStart = new Set<string>();
  private doneListeners = new Set<(taskID: string) => void>();
  private unwatch?: () => void;
  private runner: PassRunner;
  /** Services with tasks that restarts could not handle (shared with the orchestrators' task checks). */
  readonly faults = new FaultTracker();

  constructor(
    private readonly store: ClusterStore,
    private readonly clock: Clock,
  ) {
    this.runner = new PassRunner(() => this.startPass(), 'restart-supervisor');
  }

  start(): void {
    const view = this.store.view;
    this.runner.start();
    this.unwatch = view.watch((e) => this.onEvent(e));
    const tracked: Task[] = [];
    eachChange(view.list('service'), 'restart-supervisor', (s) => {
      if ((s.Spec.TaskTemplate.RestartPolicy?.MaxAttempts ?? 0) > 0) tracked.push(...view.tasksByService(s.ID));
    });
    const rebuilt = guard(() => rebuildHistory(tracked, (t) => this.historyKey(t)));
    this.history = rebuilt.ok ? rebuilt.value : new Map();
    if (!rebuilt.ok) console.warn(`[restart-supervisor] restart history not rebuilt: ${rebuilt.message}`);
    // re-arm replacements left staged at desired READY by the previous leader
    const now = this.clock.now();
    eachChange(view.tasksByDesiredState('ready'), 'restart-supervisor', (t) => {
      const left = Math.max(0, restartDelayMs(t.Spec.RestartPolicy) - (now - taskTimeMs(t)));
      const olds = view
        .tasksBySlot(slotKey(t))
        .filter((o) => o.ID !== t.ID && sv(o.DesiredState) > sv('running') && !isTerminal(o.Status.State));
      this.delayStart({ taskID: t.ID, oldTaskIDs: olds.map((o) => o.ID), delayMs: left, waitStop: true });
    });
  }

  async stop(): Promise<void> {
    this.unwatch?.();
    for (const d of this.delayed.values()) for (const c of d.cancels) c();
    this.delayed.clear();
    this.byOld.clear();
    this.toStart.clear();
    await this.runner.stop();
  }

  /** Called with a task ID when its delayed start has finished (tight-loop guard re-check). */
  onStartDone(fn: (taskID: string) => void): () => void {
    this.doneListeners.add(fn);
    return () => this.doneListeners.delete(fn);
  }

  /** The task is a staged replacement whose delayed start has not finished yet. */
  isDelayed(taskID: string): boolean {
    return this.delayed.has(taskID);
  }

  historyOf(key: string): RestartHistory | undefined {
    return this.history.get(key);
  }

  /**
   * The slot a task's restart history is kept under: slotKey, except that a
   * replicated job's slots start at 0 and slot 0 is a slot too, wherever its
   * tasks land (slotKey names Slot 0 by node, as for global tasks).
   */
  private historyKey(task: Task, service?: Service): string {
    const s = service ?? this.store.view.get('service', task.ServiceID);
    return s?.Spec.Mode.ReplicatedJob ? `${task.ServiceID}/${task.Slot}` : slotKey(task);
  }

  /** The restart policy's verdict for a task, with the slot's history (a job task: ANY acts as ON_FAILURE). */
  shouldRestart(task: Task, batch?: RestartBatch): boolean {
    const k = this.historyKey(task);
    return shouldRestart(task, batch?.history.get(k) ?? this.history.get(k), !!task.JobIteration);
  }

  /**
   * swarmkit `Restart`, inside an orchestrator transaction: the old task gets
   * desired SHUTDOWN and, if the policy allows, a replacement with desired
   * READY is created in the same slot (or on the same node for global tasks).
   */
  restart(tx: Tx, service: Service, task: Task, batch: RestartBatch): Task | undefined {
    // tight-loop guard: a replacement failing inside its own delay is re-checked when the delay ends
    if (this.isDelayed(task.ID)) return undefined;
    const cur = tx.get('task', task.ID);
    if (!cur || sv(cur.DesiredState) > sv('complete')) return undefined;
    if (raisesDesired(cur, 'shutdown')) tx.update('task', { ...cur, DesiredState: 'shutdown' });
    if (!this.shouldRestart(cur, batch)) return undefined;
    // a replicated job's slot 0 is a slot, not a node; a job's replacement belongs to the current iteration
    const place = service.Spec.Mode.ReplicatedJob ? { slot: cur.Slot } : placeOf(cur);
    const replacement = newTask(service, place, 'ready', tx.now);
    if (service.JobStatus) replacement.JobIteration = { Index: service.JobStatus.JobIteration.Index };
    tx.create('task', replacement);
    const max = cur.Spec.RestartPolicy?.MaxAttempts ?? 0;
    if (max > 0 && replacement.SpecVersion) {
      const k = this.historyKey(cur, service);
      const h = batch.history.get(k) ?? this.history.get(k);
      batch.history.set(k, recordRestart(h, replacement.SpecVersion.Index, Date.parse(tx.now), max));
    }
    const node = cur.NodeID ? tx.get('node', cur.NodeID) : undefined;
    // The delay paces a task that keeps failing. A task still running on a node that went DOWN did not
    // fail: like swarmkit for drained nodes, and (deliberately, unlike swarmkit) for lost nodes too, its
    // replacement starts at once — losing a node costs the heartbeat grace, not grace + delay.
    const nodeLost = node?.Status.State === 'down' && sv(cur.Status.State) <= sv('running');
    const delayMs = node?.Spec.Availability === 'drain' || nodeLost ? 0 : restartDelayMs(cur.Spec.RestartPolicy);
    batch.starts.push({ taskID: replacement.ID, oldTaskIDs: [cur.ID], delayMs, waitStop: true });
    return replacement;
  }

  /** After the transaction committed: keep its history and arm its delayed starts. */
  commit(batch: RestartBatch): void {
    for (const [k, h] of batch.history) this.history.set(k, h);
    for (const s of batch.starts) this.delayStart(s);
  }

  clearService(serviceID: string): void {
    for (const k of [...this.history.keys()]) if (k.startsWith(serviceID + '/')) this.history.delete(k);
  }

  /**
   * swarmkit `DelayStart`: flip the task to desired RUNNING once `delayMs`
   * elapsed and, if `waitStop`, the old tasks stopped. The wait is skipped for
   * old tasks already terminal or whose node is down or gone, and ends after
   * TASK_STOP_TIMEOUT_MS regardless.
   */
  delayStart(s: PendingStart): void {
    if (this.delayed.has(s.taskID)) return;
    const view = this.store.view;
    const d: DelayedStart = { taskID: s.taskID, waitingOn: new Set(), delayDone: false, stopped: false, cancels: [] };
    if (s.waitStop) {
      for (const id of s.oldTaskIDs) {
        const old = view.get('task', id);
        if (!old || isTerminal(old.Status.State)) continue;
        const node = old.NodeID ? view.get('node', old.NodeID) : undefined;
        if (!node || node.Status.State === 'down') continue;
        d.waitingOn.add(id);
      }
    }
    this.delayed.set(s.taskID, d);
    d.stopped = d.waitingOn.size === 0;
    if (!d.stopped) {
      for (const id of d.waitingOn) {
        let set = this.byOld.get(id);
        if (!set) this.byOld.set(id, (set = new Set()));
        set.add(s.taskID);
      }
      d.cancels.push(
        this.clock.setTimeout(() => {
          d.stopped = true;
          this.check(d);
        }, TASK_STOP_TIMEOUT_MS),
      );
    }
    if (s.delayMs > 0) {
      d.cancels.push(
        this.clock.setTimeout(() => {
          d.delayDone = true;
          this.check(d);
        }, s.delayMs),
      );
    } else d.delayDone = true;
    this.check(d);
  }

  private check(d: DelayedStart): void {
    if (!d.delayDone || !d.stopped || this.toStart.has(d.taskID)) return;
    for (const c of d.cancels) c();
    d.cancels = [];
    this.forgetWaits(d);
    this.toStart.add(d.taskID);
    this.runner.kick();
  }

  private forgetWaits(d: DelayedStart): void {
    for (const id of d.waitingOn) {
      const set = this.byOld.get(id);
      set?.delete(d.taskID);
      if (set?.size === 0) this.byOld.delete(id);
    }
    d.waitingOn.clear();
  }

  private oldStopped(oldID: string): void {
    const waiters = this.byOld.get(oldID);
    if (!waiters) return;
    this.byOld.delete(oldID);
    for (const id of waiters) {
      const d = this.delayed.get(id);
      if (!d) continue;
      d.waitingOn.delete(oldID);
      if (d.waitingOn.size === 0) {
        d.stopped = true;
        this.check(d);
      }
    }
  }

  private onEvent(e: AppliedEvent): void {
    eachChange(e.changes, 'restart-supervisor', (c) => {
      if (c.kind === 'task') {
        const t = c.object as Task;
        if (this.byOld.has(t.ID) && (c.action === 'delete' || isTerminal(t.Status.State))) this.oldStopped(t.ID);
        // a staged task deleted meanwhile needs no start
        if (c.action === 'delete' && this.delayed.has(t.ID) && !this.toStart.has(t.ID)) this.drop(t.ID);
      } else if (c.kind === 'node' && this.byOld.size > 0) {
        const n = c.object as { ID: string; Status: { State: string } };
        if (c.action !== 'delete' && n.Status.State !== 'down') return;
        for (const oldID of [...this.byOld.keys()]) {
          const old = this.store.view.get('task', oldID);
          if (!old || old.NodeID === n.ID) this.oldStopped(oldID);
        }
      }
    });
  }

  private drop(taskID: string): void {
    const d = this.delayed.get(taskID);
    if (!d) return;
    for (const c of d.cancels) c();
    this.forgetWaits(d);
    this.delayed.delete(taskID);
    for (const fn of this.doneListeners) fn(taskID);
  }

  private async startPass(): Promise<void> {
    if (this.toStart.size === 0) return;
    const ids = [...this.toStart];
    this.toStart.clear();
    const failed = new Set<string>();
    try {
      await this.store.update(
        (tx) => {
          failed.clear();
          for (const id of ids) {
            const t = tx.get('task', id);
            if (!t) continue;
            // a job task runs to its end: desired COMPLETE
            const to = t.JobIteration ? 'complete' : 'running';
            const r = isolate(tx, () => {
              if (raisesDesired(t, to)) tx.update('task', { ...t, DesiredState: to });
            });
            // a task that cannot be started stays staged and marks its service; the others start
            if (!r.ok) failed.add(id);
            const fault = r.ok ? undefined : this.faults.fail(t.ServiceID, id, `task ${id}: ${r.message}`);
            if (fault !== undefined || this.faults.pass(t.ServiceID, id))
              markService(tx, t.ServiceID, 'restart', fault);
          }
        },
        { retry: true },
      );
    } catch (err) {
      for (const id of ids) if (this.delayed.has(id)) this.toStart.add(id);
      this.clock.setTimeout(() => this.runner.kick(), 1_000);
      throw err;
    }
    for (const id of ids) {
      this.delayed.delete(id);
      if (failed.has(id)) continue;
      for (const fn of this.doneListeners) fn(id);
    }
  }
}
