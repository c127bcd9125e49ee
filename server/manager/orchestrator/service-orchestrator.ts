import type { Service, Task } from '../../api/types';
import type { AppliedEvent, Change } from '../../store/batch';
import type { ClusterStore } from '../../store/cluster-store';
import type { Tx } from '../../store/tx';
import type { Clock } from '../../util/clock';
import { eachChange, FaultTracker, isolate, markService } from '../faults';
import { PART_OPS, yieldToLoop } from '../pass-parts';
import { PassRunner } from '../pass-runner';
import { RestartBatch, type RestartSupervisor } from './restart';
import { raisesDesired } from './slots';
import { isRunnable } from './task-factory';
import type { UpdateSupervisor } from './updater';

/**
 * The shell shared by the replicated and global orchestrators: it turns
 * store events into dirty services and tasks, and runs one pass at a time:
 * removal of deleted services' tasks, then task-level restarts, then service
 * reconciliation, each in bounded store updates with a turn of the event
 * loop between them. One service or task that makes its step throw is
 * marked (fault-policy.ts) and left; the rest of the pass goes on. The
 * updater gets each reconciled service's surviving slots after the commit.
 */
export abstract class ServiceOrchestrator {
  protected dirtyServices = new Set<string>();
  protected dirtyTasks = new Set<string>();
  protected deletedServices = new Set<string>();
  private unwatch?: () => void;
  private unlisten?: () => void;
  private readonly runner: PassRunner;
  /** The services this orchestrator could not reconcile (tasks it could not restart: `restarts.faults`). */
  private readonly serviceFaults = new FaultTracker();

  constructor(
    protected readonly store: ClusterStore,
    protected readonly clock: Clock,
    protected readonly restarts: RestartSupervisor,
    protected readonly updater: UpdateSupervisor,
    private readonly name: string,
  ) {
    this.runner = new PassRunner(() => this.pass(), name);
  }

  /** Is this service run by this orchestrator (by mode)? */
  protected abstract owns(s: Service | undefined): s is Service;
  /** Does a changed task of ours need the task-level check? */
  protected abstract taskNeedsCheck(t: Task): boolean;
  /** Task-level handling inside the pass's transaction (restart or shut down). */
  protected abstract checkTask(tx: Tx, service: Service, t: Task, batch: RestartBatch): void;
  /**
   * Reconcile one service, spending at most `budget.left` writes (and taking
   * them off it). `complete` when it is done; then `slots` go to the updater.
   */
  protected abstract reconcile(tx: Tx, service: Service, budget: Budget): { slots: Task[][]; complete: boolean };
  protected abstract onNodeChange(c: Change<'node'>): void;
  /** A task this orchestrator still looks after (replicated/global: desired ≤ RUNNING; jobs: ≤ COMPLETE). */
  protected isLive(t: Task): boolean {
    return isRunnable(t);
  }
  /** Does this change of a live task of ours call for a reconcile of its service (jobs: a task ended)? */
  protected taskMovesService(_t: Task): boolean {
    return false;
  }
  /** Whether reconciled slots go to the updater (jobs run a new iteration instead of a rolling update). */
  protected readonly rollsUpdates: boolean = true;

  start(): void {
    const view = this.store.view;
    this.runner.start();
    this.unwatch = view.watch((e) => this.onEvent(e));
    this.unlisten = this.restarts.onStartDone((id) => {
      if (this.owns(view.get('service', view.get('task', id)?.ServiceID ?? ''))) this.markTask(id);
    });
    // start-up: re-run the restart check on every task and reconcile every service
    eachChange(view.list('service'), this.name, (s) => {
      if (!this.owns(s)) return;
      this.dirtyServices.add(s.ID);
      for (const t of view.tasksByService(s.ID)) if (this.isLive(t)) this.dirtyTasks.add(t.ID);
    });
    this.runner.kick();
  }

  async stop(): Promise<void> {
    this.unwatch?.();
    this.unlisten?.();
    await this.runner.stop();
  }

  /** Resolves when no pass is in flight (tests). */
  idle(): Promise<void> {
    return this.runner.idle();
  }

  protected markTask(id: string): void {
    this.dirtyTasks.add(id);
    this.runner.kick();
  }
  protected markService(id: string): void {
    this.dirtyServices.add(id);
    this.runner.kick();
  }

  private onEvent(e: AppliedEvent): void {
    const view = this.store.view;
    eachChange(e.changes, this.name, (c) => {
      if (c.kind === 'service') {
        const s = c.object as Service;
        if (!this.owns(s)) return;
        if (c.action === 'delete') {
          this.dirtyServices.delete(s.ID);
          this.deletedServices.add(s.ID);
          this.runner.kick();
        } else this.markService(s.ID);
      } else if (c.kind === 'task') {
        const t = c.object as Task;
        if (!this.isLive(t) || !this.owns(view.get('service', t.ServiceID))) return;
        // a runnable task vanished: the slot may need a new one
        if (c.action === 'delete') this.markService(t.ServiceID);
        else {
          if (this.taskNeedsCheck(t)) this.markTask(t.ID);
          if (this.taskMovesService(t)) this.markService(t.ServiceID);
        }
      } else if (c.kind === 'node') {
        this.onNodeChange(c as Change<'node'>);
      }
    });
  }

  private async pass(): Promise<void> {
    const deleted = take(this.deletedServices);
    const tasks = take(this.dirtyTasks);
    const services = take(this.dirtyServices);
    try {
      if (deleted.length) await this.removeDeleted(deleted);
      if (tasks.length) await this.checkTasks(tasks);
      if (services.length) await this.reconcileServices(services);
    } catch (err) {
      // everything is idempotent: what a committed part already did is a no-op next time
      for (const id of deleted) this.deletedServices.add(id);
      for (const id of tasks) this.dirtyTasks.add(id);
      for (const id of services) this.dirtyServices.add(id);
      this.clock.setTimeout(() => this.runner.kick(), 1_000);
      throw err;
    }
  }

  /**
   * Task-level restarts, PART_OPS tasks per transaction. A task whose
   * check throws is skipped (its writes undone) and marks its service.
   */
  private async checkTasks(ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += PART_OPS) {
      if (i > 0) await yieldToLoop();
      const chunk = ids.slice(i, i + PART_OPS);
      let batch = new RestartBatch();
      const outcomes = new Map<string, { serviceID: string; fault?: string }>();
      await this.store.update(
        (tx) => {
          batch = new RestartBatch();
          outcomes.clear();
          for (const id of chunk) {
            const t = tx.get('task', id);
            if (!t || !this.isLive(t)) continue;
            const svc = tx.get('service', t.ServiceID);
            if (!this.owns(svc)) continue;
            const r = isolate(tx, () => this.checkTask(tx, svc, t, batch));
            outcomes.set(id, { serviceID: svc.ID, fault: r.ok ? undefined : r.message });
          }
          this.markOutcomes(tx, 'restart', this.restarts.faults, outcomes, (id, m) => `task ${id}: ${m}`);
        },
        { retry: true },
      );
      this.restarts.commit(batch);
    }
  }

  /**
   * Reconcile services within an op budget per transaction: a service with
   * more to do than the budget allows (a scale to 10,000) is reconciled again
   * in the next part, after the event loop had a turn. A service whose
   * reconcile throws is marked and left; the others go on.
   */
  private async reconcileServices(ids: string[]): Promise<void> {
    let queue = ids;
    for (let part = 0; queue.length > 0; part++) {
      if (part > 0) await yieldToLoop();
      if (part >= MAX_PARTS) {
        // a pass this long gives the rest (deleted services, task restarts) a turn in the next one
        console.warn(`[${this.name}] ${queue.length} services left for the next pass after ${part} parts`);
        for (const id of queue) this.markService(id);
        break;
      }
      let keep = new Map<string, Task[][]>();
      let done = new Set<string>();
      await this.store.update(
        (tx) => {
          keep = new Map();
          done = new Set();
          const budget = { left: PART_OPS };
          const outcomes = new Map<string, { serviceID: string; fault?: string }>();
          for (const id of queue) {
            if (budget.left <= 0) break;
            const svc = tx.get('service', id);
            if (!this.owns(svc)) {
              done.add(id);
              continue;
            }
            const r = isolate(tx, () => this.reconcile(tx, svc, budget));
            if (!r.ok) {
              outcomes.set(id, { serviceID: id, fault: r.message });
              done.add(id);
            } else if (r.value.complete) {
              outcomes.set(id, { serviceID: id });
              keep.set(id, r.value.slots);
              done.add(id);
            }
          }
          this.markOutcomes(tx, 'orchestrator', this.serviceFaults, outcomes, (_id, m) => m);
        },
        { retry: true },
      );
      if (this.rollsUpdates) for (const [id, slots] of keep) this.updater.update(id, slots);
      queue = queue.filter((id) => !done.has(id));
    }
  }

  /** Write the pass's marks: set for the services whose object failed, cleared once none of theirs fails. */
  private markOutcomes(
    tx: Tx,
    loop: 'restart' | 'orchestrator',
    tracker: FaultTracker,
    outcomes: Map<string, { serviceID: string; fault?: string }>,
    text: (key: string, message: string) => string,
  ): void {
    for (const [key, o] of outcomes) {
      if (o.fault !== undefined) markService(tx, o.serviceID, loop, tracker.fail(o.serviceID, key, text(key, o.fault)));
      else if (tracker.pass(o.serviceID, key)) markService(tx, o.serviceID, loop, undefined);
    }
  }

  /** A deleted service's tasks all get desired REMOVE; the reaper deletes them once stopped. */
  private async removeDeleted(ids: string[]): Promise<void> {
    const view = this.store.view;
    for (const id of ids) {
      this.updater.cancel(id);
      this.serviceFaults.forget(id);
      this.restarts.faults.forget(id);
    }
    let queue = ids;
    for (let part = 0; queue.length > 0; part++) {
      if (part > 0) await yieldToLoop();
      let done = new Set<string>();
      await this.store.update(
        (tx) => {
          done = new Set();
          let left = PART_OPS;
          for (const id of queue) {
            if (left <= 0) break;
            const r = isolate(tx, () => {
              let n = 0;
              for (const t of view.tasksByService(id)) {
                const cur = tx.get('task', t.ID);
                if (!cur || !raisesDesired(cur, 'remove')) continue;
                if (n >= left) return n;
                tx.update('task', { ...cur, DesiredState: 'remove' });
                n++;
              }
              done.add(id);
              return n;
            });
            if (r.ok) left -= r.value;
            else {
              console.warn(`[orchestrator] the tasks of deleted service ${id} could not be removed: ${r.message}`);
              done.add(id);
            }
          }
        },
        { retry: true },
      );
      queue = queue.filter((id) => !done.has(id));
    }
    for (const id of ids) this.restarts.clearService(id);
  }
}

/** Parts of one pass over services: a 10,000-replica service needs 20 of PART_OPS writes. */
const MAX_PARTS = 200;

/** What a reconcile may still write in this part; it takes off what it spends. */
export interface Budget {
  left: number;
}

/** Run `fn` on items while the budget lasts, one write each; true when every item was handled. */
export function spend<T>(budget: Budget, items: readonly T[], fn: (item: T) => boolean | void): boolean {
  for (const item of items) {
    if (budget.left <= 0) return false;
    if (fn(item) !== false) budget.left--;
  }
  return true;
}

function take(s: Set<string>): string[] {
  const out = [...s];
  s.clear();
  return out;
}
