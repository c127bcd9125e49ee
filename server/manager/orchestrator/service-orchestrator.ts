import type { Service, Task } from '../../api/types';
import type { AppliedEvent, Change } from '../../store/batch';
import type { ClusterStore } from '../../store/cluster-store';
import type { Tx } from '../../store/tx';
import type { Clock } from '../../util/clock';
import { PassRunner } from '../pass-runner';
import { RestartBatch, type RestartSupervisor } from './restart';
import { raisesDesired } from './slots';
import { isRunnable } from './task-factory';
import type { UpdateSupervisor } from './updater';

/**
 * The shell shared by the replicated and global orchestrators: it turns
 * store events into dirty services and tasks, and runs one pass at a time:
 * removal of deleted services' tasks, then task-level restarts, then service
 * reconciliation, each as one batched store update. The updater gets each
 * reconciled service's surviving slots after the commit.
 */
export abstract class ServiceOrchestrator {
  protected dirtyServices = new Set<string>();
  protected dirtyTasks = new Set<string>();
  protected deletedServices = new Set<string>();
  private unwatch?: () => void;
  private unlisten?: () => void;
  private readonly runner: PassRunner;

  constructor(
    protected readonly store: ClusterStore,
    protected readonly clock: Clock,
    protected readonly restarts: RestartSupervisor,
    protected readonly updater: UpdateSupervisor,
    name: string,
  ) {
    this.runner = new PassRunner(() => this.pass(), name);
  }

  /** Is this service run by this orchestrator (by mode)? */
  protected abstract owns(s: Service | undefined): s is Service;
  /** Does a changed task of ours need the task-level check? */
  protected abstract taskNeedsCheck(t: Task): boolean;
  /** Task-level handling inside the pass's transaction (restart or shut down). */
  protected abstract checkTask(tx: Tx, service: Service, t: Task, batch: RestartBatch): void;
  /** Reconcile one service; returns the slots to hand to the updater. */
  protected abstract reconcile(tx: Tx, service: Service): Task[][];
  protected abstract onNodeChange(c: Change<'node'>): void;

  start(): void {
    const view = this.store.view;
    this.runner.start();
    this.unwatch = view.watch((e) => this.onEvent(e));
    this.unlisten = this.restarts.onStartDone((id) => {
      if (this.owns(view.get('service', view.get('task', id)?.ServiceID ?? ''))) this.markTask(id);
    });
    // start-up: re-run the restart check on every task and reconcile every service
    for (const s of view.list('service')) {
      if (!this.owns(s)) continue;
      this.dirtyServices.add(s.ID);
      for (const t of view.tasksByService(s.ID)) if (isRunnable(t)) this.dirtyTasks.add(t.ID);
    }
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
    for (const c of e.changes) {
      if (c.kind === 'service') {
        const s = c.object as Service;
        if (!this.owns(s)) continue;
        if (c.action === 'delete') {
          this.dirtyServices.delete(s.ID);
          this.deletedServices.add(s.ID);
          this.runner.kick();
        } else this.markService(s.ID);
      } else if (c.kind === 'task') {
        const t = c.object as Task;
        if (!isRunnable(t) || !this.owns(view.get('service', t.ServiceID))) continue;
        // a runnable task vanished: the slot may need a new one
        if (c.action === 'delete') this.markService(t.ServiceID);
        else if (this.taskNeedsCheck(t)) this.markTask(t.ID);
      } else if (c.kind === 'node') {
        this.onNodeChange(c as Change<'node'>);
      }
    }
  }

  private async pass(): Promise<void> {
    const deleted = take(this.deletedServices);
    const tasks = take(this.dirtyTasks);
    const services = take(this.dirtyServices);
    try {
      if (deleted.length) await this.removeDeleted(deleted);
      if (tasks.length) {
        let batch = new RestartBatch();
        await this.store.update(
          (tx) => {
            batch = new RestartBatch();
            for (const id of tasks) {
              const t = tx.get('task', id);
              if (!t || !isRunnable(t)) continue;
              const svc = tx.get('service', t.ServiceID);
              if (this.owns(svc)) this.checkTask(tx, svc, t, batch);
            }
          },
          { retry: true },
        );
        this.restarts.commit(batch);
      }
      if (services.length) {
        let keep = new Map<string, Task[][]>();
        await this.store.update(
          (tx) => {
            keep = new Map();
            for (const id of services) {
              const svc = tx.get('service', id);
              if (this.owns(svc)) keep.set(id, this.reconcile(tx, svc));
            }
          },
          { retry: true },
        );
        for (const [id, slots] of keep) this.updater.update(id, slots);
      }
    } catch (err) {
      for (const id of deleted) this.deletedServices.add(id);
      for (const id of tasks) this.dirtyTasks.add(id);
      for (const id of services) this.dirtyServices.add(id);
      this.clock.setTimeout(() => this.runner.kick(), 1_000);
      throw err;
    }
  }

  /** A deleted service's tasks all get desired REMOVE; the reaper deletes them once stopped. */
  private async removeDeleted(ids: string[]): Promise<void> {
    const view = this.store.view;
    for (const id of ids) this.updater.cancel(id);
    await this.store.update(
      (tx) => {
        for (const id of ids) {
          for (const t of view.tasksByService(id)) {
            const cur = tx.get('task', t.ID);
            if (cur && raisesDesired(cur, 'remove')) tx.update('task', { ...cur, DesiredState: 'remove' });
          }
        }
      },
      { retry: true },
    );
    for (const id of ids) this.restarts.clearService(id);
  }
}

function take(s: Set<string>): string[] {
  const out = [...s];
  s.clear();
  return out;
}
