// The updater (§5.3): one run per service spec replaces dirty slots with
// Parallelism workers, stop-first or start-first, watches the tasks it created
// for failure (pause / rollback / continue), keeps one more monitor window
// after the last slot and then marks the update completed. Decisions live in
// update-policy.ts; this file is the loop shell (store writes, timers, waits).
//
// Timeline for the console: every run records `UpdateEvent`s with
// `recordRollout` on the service's current `serviceVersion` (in the
// transactions the run makes anyway; events without a write of their own are
// coalesced into the next one). `At` is when the step happened. Kinds:
//   'started'            a run began replacing slots; Message: the UpdateStatus message ('update in progress')
//   'rollback-started'   a rollback run began (Message: 'manually requested rollback' or the automatic reason);
//                        also the last event of an update this updater rolled back automatically
//   'slot-started'       Slot, TaskID (the new task), NodeID (the node of the task it replaces; '' when unassigned);
//                        Message 'replacing <old task ids>'
//   'slot-running'       Slot, TaskID, NodeID (where it runs): the new task reached RUNNING
//   'task-failed'        Slot, TaskID, NodeID, Message (the task's error, else its status message): a task of this
//                        run ended before RUNNING or within Monitor of it (recorded even with FailureAction continue)
//   'delay'              Slot, Message 'delay <ms>ms': a worker waits Delay from At before taking its next slot
//   'monitor'            Message 'monitor <ms>ms': the last slot is done; the final monitor window runs from At
//   'paused'             Message: the paused/rollback_paused status message
//   'completed'          Message 'update completed'
//   'rollback-completed' Message 'rollback completed'
//   'cancelled'          Message 'superseded by a newer spec': a newer spec cancelled this run (its status stays)
//   'rollback-failed'    Message 'cannot roll back service because no previous spec is available' (status stays)
// The rollout's UpdateStatus is written alongside whenever the service's changes.

import type { Service, Task, UpdateEvent } from '../../api/types';
import { runAs } from '../../store/audit-context';
import type { AppliedEvent } from '../../store/batch';
import type { ClusterStore } from '../../store/cluster-store';
import { slotKey } from '../../store/memory-store';
import type { Tx } from '../../store/tx';
import type { Clock } from '../../util/clock';
import type { PassTimings } from '../pass-timings';
import { faultMessage, isFaultStatus } from '../fault-policy';
import { eachChange, guard, isObjectFault, markService } from '../faults';
import { PART_OPS, yieldToLoop } from '../pass-parts';
import { recordRollout, recordSpecVersion } from '../spec-history';
import type { PendingStart, RestartSupervisor } from './restart';
import { raisesDesired } from './slots';
import { deepEqual, isRunnable, newTask, placeOf, sv } from './task-factory';
import {
  autoRollback,
  completedStatus,
  dirtySlots,
  failureVerdict,
  finalMonitorMs,
  isUpdateFailure,
  planSlot,
  startedStatus,
  updateSettings,
  workerCount,
  type CreatedTask,
  type FailureVerdict,
  type UpdateSettings,
} from './update-policy';

export { DEFAULT_MONITOR_MS, dirtySlots, updateSettings } from './update-policy';

/** Queued writes (a slot each: a new task, the old ones shut down) per transaction. */
const UPDATER = { actor: { kind: 'control-loop', name: 'updater' } } as const;

const SLOT_WRITES_PER_PART = Math.max(1, Math.floor(PART_OPS / 4));

/**
 * Runs at most one update per service (swarmkit `update.Supervisor`): each
 * reconcile hands over the service's slots; a run already working towards
 * the same spec is left alone, a newer spec cancels it.
 */
export class UpdateSupervisor {
  private runs = new Map<string, UpdateRun>();
  /** Specs whose update run threw: not run again until the spec changes (or a new leader tries). */
  private faulted = new Map<string, Service['Spec']>();
  private waiters = new Map<string, Set<() => void>>();
  private unwatch?: () => void;
  private stopped = false;

  constructor(
    readonly store: ClusterStore,
    readonly clock: Clock,
    readonly restarts: RestartSupervisor,
    /** Where each rollout's time is reported (the /metrics histograms). */
    readonly timings?: PassTimings,
  ) {}

  start(): void {
    this.stopped = false;
    this.faulted.clear();
    this.unwatch = this.store.view.watch((e) => this.onEvent(e));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unwatch?.();
    const done = [...this.runs.values()].map((r) => {
      r.cancel(false);
      return r.done;
    });
    await Promise.all(done);
  }

  update(serviceID: string, slots: Task[][]): void {
    // the run outlives the orchestrator's pass that starts it: its writes (and marks) are the updater's
    runAs(UPDATER, () => this.startRun(serviceID, slots));
  }

  private startRun(serviceID: string, slots: Task[][]): void {
    if (this.stopped) return;
    const service = this.store.view.get('service', serviceID);
    if (!service) return;
    const failedSpec = this.faulted.get(serviceID);
    if (failedSpec && deepEqual(failedSpec, service.Spec)) return;
    const cur = this.runs.get(serviceID);
    // a finished run is left in `runs` until its promise settles: it must not be taken for one in progress
    if (cur && !cur.cancelled && !cur.finished && deepEqual(cur.spec, service.Spec)) {
      if (!cur.halted) {
        // a `service update` with an unchanged spec reset the status mid-run; a run still looking for
        // dirty slots (a new service's first) has no rollout to restate: it writes the status if it finds one
        if (!service.UpdateStatus && cur.rolling) cur.restate();
        return;
      }
      // a paused run stays until a spec update (which resets the status) resumes the update
      if (service.UpdateStatus) return;
    }
    cur?.cancel(true);
    const made = guard(() => new UpdateRun(this, service, slots));
    if (!made.ok) return this.fault(service, made.message);
    const run = made.value;
    this.runs.set(serviceID, run);
    run.done = run
      .run()
      .then(
        () => this.recovered(serviceID),
        (err: unknown) => {
          if (this.stopped || !isObjectFault(err)) {
            console.warn('[updater]', faultMessage(err));
            return;
          }
          run.cancel(false); // its other workers stop too: this spec's rollout waits for a new one
          this.fault(service, faultMessage(err));
        },
      )
      .finally(() => {
        if (this.runs.get(serviceID) === run) this.runs.delete(serviceID);
      });
  }

  /** The run for this spec threw: the service is marked, and this spec is not run again. */
  private fault(service: Service, message: string): void {
    this.faulted.set(service.ID, service.Spec);
    this.store
      .update((tx) => markService(tx, service.ID, 'updater', message), { retry: true })
      .catch((err) => console.warn('[updater] marking a fault failed:', err instanceof Error ? err.message : err));
  }

  /** A run finished without throwing: a fault the updater marked on the service is cleared. */
  private recovered(serviceID: string): void {
    this.faulted.delete(serviceID);
    const svc = this.store.view.get('service', serviceID);
    if (this.stopped || !svc?.Faults?.some((f) => f.Loop === 'updater')) return;
    this.store
      .update((tx) => markService(tx, serviceID, 'updater', undefined), { retry: true })
      .catch((err) => console.warn('[updater] clearing a fault failed:', err instanceof Error ? err.message : err));
  }

  /** The service was deleted: drop its run without a trace. */
  cancel(serviceID: string): void {
    this.runs.get(serviceID)?.cancel(false);
    this.faulted.delete(serviceID);
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
    if (this.runs.size === 0 && this.waiters.size === 0) return;
    eachChange(e.changes, 'updater', (c) => {
      if (c.kind !== 'task') return;
      const t = c.object as Task;
      if (c.action !== 'delete') this.runs.get(t.ServiceID)?.observe(t);
      const set = this.waiters.get(t.ID);
      if (set) for (const fn of [...set]) fn();
    });
  }
}

/** What a worker's slot transaction did. */
interface SlotResult {
  kind: 'keep' | 'replace';
  taskID: string;
  /** The tasks it replaces (start-first shuts them down once the new one runs). */
  olds: string[];
  start?: PendingStart;
}

/** What a transaction of the run sees and adds; ops run in queue order inside it. */
interface WriteCtx {
  /** The service as written so far in this transaction. */
  svc: Service | undefined;
  /** The service still has this run's spec. */
  mine: boolean;
  events: UpdateEvent[];
}

interface QueuedWrite {
  apply(tx: Tx, ctx: WriteCtx): void;
  done(err?: unknown): void;
}

/** One update run for one service spec (§5.3). */
class UpdateRun {
  cancelled = false;
  /** A failure action stopped the dispatch of slots (pause or rollback). */
  halted = false;
  /** The run returned (completed, paused, nothing to do). */
  finished = false;
  done: Promise<void> = Promise.resolve();
  readonly spec: Service['Spec'];
  private readonly settings: UpdateSettings;
  /** Tasks this run created, by ID. */
  private readonly created = new Map<string, CreatedTask>();
  private dirtyCount = 0;
  private failures = 0;
  private action: Promise<void> = Promise.resolve();
  /** The service as this run last wrote it (for the 'cancelled' event's version lookup). */
  private latest: Service;
  private sleepers = new Set<() => void>();
  private waits = new Set<() => void>();
  private queue: QueuedWrite[] = [];
  private events: UpdateEvent[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly sup: UpdateSupervisor,
    readonly service: Service,
    private readonly slots: Task[][],
  ) {
    this.spec = service.Spec;
    this.latest = service;
    this.settings = updateSettings(service);
  }

  /** `superseded`: a newer spec took over, which the cancelled rollout's timeline records. */
  cancel(superseded: boolean): void {
    if (this.cancelled) return;
    const active = !this.halted && !this.finished && this.dirtyCount > 0;
    this.cancelled = true;
    for (const w of [...this.sleepers, ...this.waits]) w();
    if (superseded && active) {
      const { store, clock } = this.sup;
      const at = new Date(clock.now()).toISOString();
      store
        .update(
          (tx) =>
            recordRollout(tx, store.view, this.latest, undefined, [
              { At: at, Kind: 'cancelled', Message: 'superseded by a newer spec' },
            ]),
          { retry: true },
        )
        .catch((err) =>
          console.warn('[updater] recording the cancel failed:', err instanceof Error ? err.message : err),
        );
    }
  }

  async run(): Promise<void> {
    try {
      await (this.sup.timings ? this.sup.timings.time('updater', () => this.runSlots()) : this.runSlots());
    } finally {
      this.finished = true;
    }
  }

  private async runSlots(): Promise<void> {
    const svc = this.service;
    const state = svc.UpdateStatus?.State;
    // paused by a failure action: wait for a new spec; paused by a fault: try again (a new leader, say)
    if ((state === 'paused' || state === 'rollback_paused') && !isFaultStatus(svc.UpdateStatus)) return;
    const view = this.sup.store.view;
    // 10,000 slots are compared spec against spec in parts, with a turn of the event loop between
    const dirty: Task[][] = [];
    for (let i = 0; i < this.slots.length; i += PART_OPS) {
      if (i > 0) await yieldToLoop();
      if (this.cancelled) return;
      dirty.push(...dirtySlots(svc, this.slots.slice(i, i + PART_OPS), (id) => view.get('node', id)));
    }
    if (dirty.length === 0) {
      if (state === 'updating' || state === 'rollback_started') await this.complete();
      return;
    }
    this.dirtyCount = dirty.length;
    // queued before the first slots, so it shares their transaction
    const began = this.begin();
    const queue = [...dirty];
    const workers = workerCount(this.settings.parallelism, dirty.length);
    await Promise.all([began, ...Array.from({ length: workers }, () => this.worker(queue))]);
    if (this.cancelled || this.halted) return this.action;
    // watch one more monitor period before calling the update done
    const ms = finalMonitorMs(this.settings);
    this.note({ Kind: 'monitor', Message: `monitor ${ms}ms` });
    await this.sleep(ms);
    if (this.cancelled || this.halted) return this.action;
    await this.complete();
  }

  /** Slots are being replaced: the dirty ones were found and the run has not finished. */
  get rolling(): boolean {
    return this.dirtyCount > 0 && !this.finished;
  }

  /** A no-op spec update reset the status while this run works: it is in progress again. */
  restate(): void {
    void this.begin().catch((err) => console.warn('[updater]', err instanceof Error ? err.message : err));
  }

  /**
   * A change of one of the service's tasks (from the store watch): the
   * updater's clock starts the monitor window when it sees a new task
   * RUNNING; an early end is a failure (§5.3 step 7).
   */
  observe(t: Task): void {
    const c = this.created.get(t.ID);
    if (!c || c.ended) return;
    const now = this.sup.clock.now();
    const base = { Slot: c.slot, TaskID: t.ID, NodeID: t.NodeID };
    if (t.Status.State === 'running' && c.runningAt === undefined) {
      c.runningAt = now;
      this.note({ ...base, Kind: 'slot-running', Message: t.Status.Message });
      return;
    }
    if (sv(t.Status.State) <= sv('running')) return;
    const failed = isUpdateFailure(c, t.Status.State, now, this.settings.monitorMs);
    c.ended = true;
    if (!failed || this.cancelled) return;
    this.note({ ...base, Kind: 'task-failed', Message: t.Status.Err || t.Status.Message });
    // after a pause or a rollback nothing more is counted; CONTINUE does not watch failures
    if (this.halted || this.settings.failureAction === 'continue') return;
    this.failures++;
    const verdict = failureVerdict(this.failures, this.dirtyCount, this.settings, t.ID);
    if (verdict.action !== 'none') this.halt(verdict);
  }

  private async worker(queue: Task[][]): Promise<void> {
    const { delayMs } = this.settings;
    for (;;) {
      if (this.cancelled || this.halted) return;
      const slot = queue.shift();
      if (!slot) return;
      await this.updateSlot(slot);
      if (delayMs > 0 && !this.cancelled && !this.halted) {
        this.note({ Kind: 'delay', Slot: slot[0]!.Slot, Message: `delay ${delayMs}ms` });
        await this.sleep(delayMs);
      }
    }
  }

  /**
   * One slot (§5.3 step 6). Stop-first: the old tasks get desired SHUTDOWN in
   * the batch that creates the new task with desired READY, which the restart
   * supervisor starts once they stopped. Start-first: the new task is created
   * with desired RUNNING and the old ones are shut down once it runs. Either
   * way the worker waits until the new task is RUNNING or past it.
   */
  private async updateSlot(slot: Task[]): Promise<void> {
    const r = await this.write((tx, ctx) => this.slotTx(tx, ctx, slot));
    if (!r || this.cancelled) return;
    if (r.start) this.sup.restarts.delayStart(r.start);
    if (r.kind === 'keep') {
      // swarmkit waits for the delayed start only
      if (r.start) await this.waitTask(r.taskID, (t) => !t || sv(t.DesiredState) >= sv('running'));
      return;
    }
    await this.waitTask(r.taskID, (t) => !t || sv(t.Status.State) >= sv('running'));
    if (this.cancelled || this.settings.order !== 'start-first') return;
    if (this.sup.store.view.get('task', r.taskID)?.Status.State !== 'running') return; // it failed: the old tasks stay
    await this.write((tx, ctx) => {
      if (!ctx.mine) return;
      for (const id of r.olds) {
        const old = tx.get('task', id);
        if (old && raisesDesired(old, 'shutdown')) tx.update('task', { ...old, DesiredState: 'shutdown' });
      }
    });
  }

  private slotTx(tx: Tx, ctx: WriteCtx, slot: Task[]): SlotResult | undefined {
    if (!ctx.mine || !ctx.svc) return undefined;
    const svc = ctx.svc;
    const view = this.sup.store.view;
    let tasks: Task[] = [];
    for (const t of view.tasksBySlot(slotKey(slot[0]!))) {
      const cur = tx.get('task', t.ID);
      if (cur && isRunnable(cur)) tasks.push(cur);
    }
    if (tasks.length === 0) {
      // a satisfied dead slot (restart policy said no) is still rolled to the new spec
      tasks = slot.map((t) => tx.get('task', t.ID)).filter((t): t is Task => !!t && t.DesiredState !== 'remove');
    }
    const step = planSlot(tasks, svc, (id) => tx.get('node', id));
    if (step.kind === 'gone') return undefined;
    const shutdown = (ts: Task[]) => {
      for (const t of ts) if (raisesDesired(t, 'shutdown')) tx.update('task', { ...t, DesiredState: 'shutdown' });
    };
    if (step.kind === 'keep') {
      shutdown(step.others);
      const olds = step.others.map((t) => t.ID);
      const start = step.start ? { taskID: step.task.ID, oldTaskIDs: olds, delayMs: 0, waitStop: true } : undefined;
      return { kind: 'keep', taskID: step.task.ID, olds, start };
    }
    const startFirst = this.settings.order === 'start-first';
    const fresh = newTask(svc, placeOf(step.olds[0]!), startFirst ? 'running' : 'ready', tx.now);
    tx.create('task', fresh);
    // registered before the commit, so no event of the new task is missed (a retried attempt's ID never shows up)
    this.created.set(fresh.ID, { slot: fresh.Slot });
    const olds = step.olds.map((t) => t.ID);
    if (!startFirst) shutdown(step.olds);
    ctx.events.push({
      At: tx.now,
      Kind: 'slot-started',
      Slot: fresh.Slot,
      TaskID: fresh.ID,
      NodeID: step.olds[0]!.NodeID,
      Message: `replacing ${olds.join(', ')}`,
    });
    const start = startFirst ? undefined : { taskID: fresh.ID, oldTaskIDs: olds, delayMs: 0, waitStop: true };
    return { kind: 'replace', taskID: fresh.ID, olds, start };
  }

  /** nil → UPDATING (§5.3 step 3), and the run's first timeline event. */
  private begin(): Promise<void> {
    return this.write((tx, ctx) => {
      if (!ctx.mine || !ctx.svc) return;
      if (!ctx.svc.UpdateStatus) ctx.svc = tx.update('service', { ...ctx.svc, UpdateStatus: startedStatus(tx.now) });
      const st = ctx.svc.UpdateStatus!;
      const kind = st.State === 'rollback_started' ? 'rollback-started' : 'started';
      // a run resumed for the same version (leader change) does not start its timeline again
      const seen = [...ctx.events, ...this.currentEvents(ctx.svc)].some((e) => e.Kind === kind);
      if (!seen) ctx.events.push({ At: tx.now, Kind: kind, Message: st.Message });
    });
  }

  private currentEvents(svc: Service): UpdateEvent[] {
    const view = this.sup.store.view;
    const idx = svc.SpecVersion.Index;
    let newest: UpdateEvent[] = [];
    let at = '';
    for (const v of view.list('serviceVersion')) {
      if (v.ServiceID === svc.ID && v.SpecIndex === idx && v.CreatedAt >= at) {
        at = v.CreatedAt;
        newest = v.Update?.Events ?? [];
      }
    }
    return newest;
  }

  private complete(): Promise<void> {
    return this.write((tx, ctx) => {
      if (!ctx.mine || !ctx.svc) return;
      const next = completedStatus(ctx.svc.UpdateStatus, tx.now);
      if (!next) return;
      ctx.svc = tx.update('service', { ...ctx.svc, UpdateStatus: next });
      const kind = next.State === 'rollback_completed' ? 'rollback-completed' : 'completed';
      ctx.events.push({ At: tx.now, Kind: kind, Message: next.Message });
    });
  }

  /** Apply the failure action: no more slots are dispatched; the waits of in-flight slots go on. */
  private halt(verdict: Exclude<FailureVerdict, { action: 'none' }>): void {
    this.halted = true;
    for (const w of [...this.sleepers]) w();
    const view = this.sup.store.view;
    this.action = this.write((tx, ctx) => {
      const svc = ctx.svc;
      // swarmkit: a nil status means the service changed since this update started
      if (!ctx.mine || !svc?.UpdateStatus) return;
      if (verdict.action === 'pause') {
        const status = { ...svc.UpdateStatus, State: verdict.state, Message: verdict.message };
        ctx.svc = tx.update('service', { ...svc, UpdateStatus: status });
        ctx.events.push({ At: tx.now, Kind: 'paused', Message: verdict.message });
        return;
      }
      let next: Service;
      try {
        next = autoRollback(svc, verdict.message);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        console.warn(`[updater] service ${svc.ID}: ${message}`);
        ctx.events.push({ At: tx.now, Kind: 'rollback-failed', Message: message });
        return;
      }
      ctx.svc = tx.update('service', next);
      recordSpecVersion(tx, view, next, 'auto-rollback');
      ctx.mine = false;
      ctx.events.push({ At: tx.now, Kind: 'rollback-started', Message: verdict.message });
    });
  }

  /** A timeline event with no write of its own: it goes out with the run's next transaction. */
  private note(e: Omit<UpdateEvent, 'At'>): void {
    if (this.cancelled) return;
    this.events.push({ At: new Date(this.sup.clock.now()).toISOString(), ...e });
    this.kick();
  }

  /**
   * Queue `fn` for the run's next transaction. Writes queued together (the
   * first batch of slots, a running task's event and the next slot) share
   * one store update; one is in flight at a time. `fn` may be re-run on a
   * version race, so it must only write through `tx` and `ctx`.
   */
  private write<T>(fn: (tx: Tx, ctx: WriteCtx) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let out: T;
      this.queue.push({
        apply: (tx, ctx) => {
          out = fn(tx, ctx);
        },
        done: (err) => (err === undefined ? resolve(out) : reject(err)),
      });
      this.kick();
    });
  }

  private kick(): void {
    if (this.flushing) return;
    this.flushing = new Promise<void>((r) => setImmediate(r))
      // the run's writes are the updater's, whichever applied entry's watcher queued them
      .then(() => runAs(UPDATER, () => this.flush()))
      .finally(() => {
        this.flushing = undefined;
        if (this.queue.length || this.events.length) this.kick();
      });
  }

  private async flush(): Promise<void> {
    const { store } = this.sup;
    let parts = 0;
    while (this.queue.length || this.events.length) {
      // a part at a time: with Parallelism 0 every slot of a big service queues its write at once
      if (parts++ > 0) await yieldToLoop();
      const writes = this.queue.splice(0, SLOT_WRITES_PER_PART);
      const noted = this.events.splice(0);
      try {
        await store.update(
          (tx) => {
            const before = tx.get('service', this.service.ID);
            const ctx: WriteCtx = {
              svc: before,
              mine: !!before && deepEqual(before.Spec, this.spec),
              events: [...noted],
            };
            const mine = ctx.mine;
            for (const w of writes) w.apply(tx, ctx);
            // events of a cancelled run are dropped; an automatic rollback's go on the version that failed
            const statusChanged = ctx.svc?.UpdateStatus !== before?.UpdateStatus;
            if (mine && before && (ctx.events.length || statusChanged)) {
              recordRollout(tx, store.view, before, ctx.svc?.UpdateStatus, ctx.events);
            }
            if (mine && ctx.mine && ctx.svc) this.latest = ctx.svc;
          },
          { retry: true },
        );
      } catch (err) {
        for (const w of writes) w.done(err);
        continue;
      }
      for (const w of writes) w.done();
    }
  }

  private waitTask(id: string, done: (t: Task | undefined) => boolean): Promise<void> {
    const view = this.sup.store.view;
    return new Promise<void>((resolve) => {
      let off = (): void => undefined;
      const finish = () => {
        off();
        this.waits.delete(finish);
        resolve();
      };
      if (this.cancelled || done(view.get('task', id))) return resolve();
      this.waits.add(finish);
      off = this.sup.onTask(id, () => {
        if (done(view.get('task', id))) finish();
      });
    });
  }

  /** Sleep on the injected clock; cancellation and failure actions end it early. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.cancelled || this.halted) return resolve();
      let cancelTimer = (): void => undefined;
      const finish = () => {
        cancelTimer();
        this.sleepers.delete(finish);
        resolve();
      };
      this.sleepers.add(finish);
      cancelTimer = this.sup.clock.setTimeout(finish, ms);
    });
  }
}
