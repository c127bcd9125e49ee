import type { Node, Service, Task, UpdateConfig } from '../../api/types';
import type { AppliedEvent } from '../../store/batch';
import type { ClusterStore } from '../../store/cluster-store';
import { slotKey } from '../../store/memory-store';
import type { Clock } from '../../util/clock';
import { nsToMs } from '../../util/clock';
import type { PendingStart, RestartSupervisor } from './restart';
import { raisesDesired } from './slots';
import { deepEqual, isRunnable, isTaskDirty, newTask, placeOf, sv } from './task-factory';

export const DEFAULT_MONITOR_MS = 5_000;

/** A slot needs updating when it holds several tasks or its one task is dirty (§5.3 step 2). */
export function dirtySlots(service: Service, slots: Task[][], nodeOf: (id: string) => Node | undefined): Task[][] {
  return slots.filter(
    (slot) => slot.length > 1 || (slot.length === 1 && isTaskDirty(service, slot[0]!, nodeOf(slot[0]!.NodeID))),
  );
}

/** The update settings in force: the rollback config while rolling back. */
export function updateSettings(service: Service): {
  parallelism: number;
  delayMs: number;
  monitorMs: number;
  cfg: UpdateConfig;
} {
  const rollingBack = service.UpdateStatus?.State === 'rollback_started';
  const cfg = (rollingBack ? service.Spec.RollbackConfig : service.Spec.UpdateConfig) ?? {};
  return {
    parallelism: cfg.Parallelism ?? 1,
    delayMs: nsToMs(cfg.Delay, 0),
    monitorMs: nsToMs(cfg.Monitor, DEFAULT_MONITOR_MS),
    cfg,
  };
}

/**
 * Runs at most one update per service (swarmkit `update.Supervisor`): each
 * reconcile hands over the service's slots; a run already working towards
 * the same spec is left alone, a newer spec cancels it.
 */
export class UpdateSupervisor {
  private runs = new Map<string, UpdateRun>();
  private waiters = new Map<string, Set<() => void>>();
  private unwatch?: () => void;
  private stopped = false;

  constructor(
    readonly store: ClusterStore,
    readonly clock: Clock,
    readonly restarts: RestartSupervisor,
  ) {}

  start(): void {
    this.stopped = false;
    this.unwatch = this.store.view.watch((e) => this.onEvent(e));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unwatch?.();
    const done = [...this.runs.values()].map((r) => {
      r.cancel();
      return r.done;
    });
    await Promise.all(done);
  }

  update(serviceID: string, slots: Task[][]): void {
    if (this.stopped) return;
    const service = this.store.view.get('service', serviceID);
    if (!service) return;
    const cur = this.runs.get(serviceID);
    if (cur && !cur.cancelled && deepEqual(cur.service.Spec, service.Spec)) return;
    cur?.cancel();
    const run = new UpdateRun(this, service, slots);
    this.runs.set(serviceID, run);
    run.done = run
      .run()
      .catch((err) => console.warn('[updater]', err instanceof Error ? err.message : err))
      .finally(() => {
        if (this.runs.get(serviceID) === run) this.runs.delete(serviceID);
      });
  }

  cancel(serviceID: string): void {
    this.runs.get(serviceID)?.cancel();
  }

  /** Whether an update run is in progress for the service (console, tests). */
  running(serviceID: string): boolean {
    return this.runs.has(serviceID);
  }

  /** Call `fn` on every change of the task; returns the unsubscribe. */
  onTask(taskID: string, fn: () => void): () => void {
    let set = this.waiters.get(taskID);
    if (!set) this.waiters.set(taskID, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && this.waiters.get(taskID) === set) this.waiters.delete(taskID);
    };
  }

  private onEvent(e: AppliedEvent): void {
    if (this.waiters.size === 0) return;
    for (const c of e.changes) {
      if (c.kind !== 'task') continue;
      const set = this.waiters.get(c.object.ID);
      if (set) for (const fn of [...set]) fn();
    }
  }
}

/** One update run for one service spec (§5.3, stop-first; failure actions are not watched yet). */
class UpdateRun {
  cancelled = false;
  done: Promise<void> = Promise.resolve();
  private wakers = new Set<() => void>();

  constructor(
    private readonly sup: UpdateSupervisor,
    readonly service: Service,
    private readonly slots: Task[][],
  ) {}

  cancel(): void {
    this.cancelled = true;
    for (const w of [...this.wakers]) w();
  }

  async run(): Promise<void> {
    const svc = this.service;
    const state = svc.UpdateStatus?.State;
    if (state === 'paused' || state === 'rollback_paused') return;
    const view = this.sup.store.view;
    const dirty = dirtySlots(svc, this.slots, (id) => view.get('node', id));
    if (dirty.length === 0) {
      if (state === 'updating' || state === 'rollback_started') await this.complete();
      return;
    }
    if (!svc.UpdateStatus) await this.startStatus();
    const { parallelism, delayMs, monitorMs } = updateSettings(svc);
    const workers = parallelism <= 0 ? dirty.length : Math.min(parallelism, dirty.length);
    let next = 0;
    const worker = async () => {
      while (!this.cancelled && next < dirty.length) {
        const slot = dirty[next++]!;
        await this.updateSlot(slot);
        if (delayMs > 0 && !this.cancelled) await this.sleep(delayMs);
      }
    };
    await Promise.all(Array.from({ length: workers }, worker));
    if (this.cancelled) return;
    // watch one more monitor period before calling the update done
    await this.sleep(delayMs >= monitorMs ? delayMs + 1_000 : monitorMs);
    if (!this.cancelled) await this.complete();
  }

  /**
   * Stop-first replacement of one slot: in one batch the old tasks get desired
   * SHUTDOWN and a new task is created with desired READY; the restart
   * supervisor starts it once the old one stopped. Then wait for the new task
   * to reach RUNNING (or fail) before taking the next slot.
   */
  private async updateSlot(slot: Task[]): Promise<void> {
    const { store, restarts } = this.sup;
    const view = store.view;
    const key = slotKey(slot[0]!);
    let waitID: string | undefined;
    let start: PendingStart | undefined;
    await store.update(
      (tx) => {
        waitID = undefined;
        start = undefined;
        const svc = tx.get('service', this.service.ID);
        if (!svc || svc.SpecVersion.Index !== this.service.SpecVersion.Index) {
          this.cancelled = true;
          return;
        }
        let olds: Task[] = [];
        for (const t of view.tasksBySlot(key)) {
          const cur = tx.get('task', t.ID);
          if (cur && isRunnable(cur)) olds.push(cur);
        }
        if (olds.length === 0) {
          // a satisfied dead slot (restart policy said no) is still rolled to the new spec
          olds = slot.map((t) => tx.get('task', t.ID)).filter((t): t is Task => !!t && t.DesiredState !== 'remove');
          if (olds.length === 0) return; // the slot went away (scale-down)
        }
        const clean = olds.find((t) => isRunnable(t) && !isTaskDirty(svc, t, tx.get('node', t.NodeID)));
        const others = olds.filter((t) => t !== clean);
        for (const t of others) if (raisesDesired(t, 'shutdown')) tx.update('task', { ...t, DesiredState: 'shutdown' });
        if (clean) {
          waitID = clean.ID;
          if (clean.DesiredState !== 'running') {
            start = { taskID: clean.ID, oldTaskIDs: others.map((t) => t.ID), delayMs: 0, waitStop: true };
          }
          return;
        }
        const fresh = newTask(svc, placeOf(olds[0]!), 'ready', tx.now);
        tx.create('task', fresh);
        waitID = fresh.ID;
        start = { taskID: fresh.ID, oldTaskIDs: others.map((t) => t.ID), delayMs: 0, waitStop: true };
      },
      { retry: true },
    );
    if (start) restarts.delayStart(start);
    if (waitID) await this.waitTask(waitID, (t) => !t || sv(t.Status.State) >= sv('running'));
  }

  private waitTask(id: string, done: (t: Task | undefined) => boolean): Promise<void> {
    const view = this.sup.store.view;
    return new Promise<void>((resolve) => {
      let off = (): void => undefined;
      const finish = () => {
        off();
        this.wakers.delete(finish);
        resolve();
      };
      if (this.cancelled || done(view.get('task', id))) return resolve();
      this.wakers.add(finish);
      off = this.sup.onTask(id, () => {
        if (done(view.get('task', id))) finish();
      });
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.cancelled) return resolve();
      let cancelTimer = (): void => undefined;
      const finish = () => {
        cancelTimer();
        this.wakers.delete(finish);
        resolve();
      };
      this.wakers.add(finish);
      cancelTimer = this.sup.clock.setTimeout(finish, ms);
    });
  }

  private async startStatus(): Promise<void> {
    await this.sup.store.update(
      (tx) => {
        const s = tx.get('service', this.service.ID);
        if (!s || s.SpecVersion.Index !== this.service.SpecVersion.Index || s.UpdateStatus) return;
        tx.update('service', {
          ...s,
          UpdateStatus: { State: 'updating', Message: 'update in progress', StartedAt: tx.now },
        });
      },
      { retry: true },
    );
  }

  private async complete(): Promise<void> {
    await this.sup.store.update(
      (tx) => {
        const s = tx.get('service', this.service.ID);
        if (!s || s.SpecVersion.Index !== this.service.SpecVersion.Index || !s.UpdateStatus) return;
        const st = s.UpdateStatus;
        if (st.State === 'rollback_started') {
          tx.update('service', {
            ...s,
            UpdateStatus: { ...st, State: 'rollback_completed', Message: 'rollback completed', CompletedAt: tx.now },
          });
        } else if (st.State === 'updating') {
          tx.update('service', {
            ...s,
            UpdateStatus: { ...st, State: 'completed', Message: 'update completed', CompletedAt: tx.now },
          });
        }
      },
      { retry: true },
    );
  }
}
