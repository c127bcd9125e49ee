import type { Service, Task } from '../../api/types';
import { isTerminal } from '../../api/types';
import type { Change } from '../../store/batch';
import type { ClusterStore } from '../../store/cluster-store';
import type { Tx } from '../../store/tx';
import type { Clock } from '../../util/clock';
import type { RestartBatch, RestartSupervisor } from './restart';
import { ServiceOrchestrator, spend, type Budget } from './service-orchestrator';
import { desiredReplicas, planReplicatedSlots, raisesDesired } from './slots';
import { invalidNode, isReplicated, isRunnable, newTask } from './task-factory';
import type { UpdateSupervisor } from './updater';

/**
 * The replicated orchestrator (§2.3, §2.4): keeps `Replicas` slots filled,
 * restarts tasks that stopped or whose node went down, drained or away, and
 * hands surviving slots to the updater.
 */
export class ReplicatedOrchestrator extends ServiceOrchestrator {
  constructor(store: ClusterStore, clock: Clock, restarts: RestartSupervisor, updater: UpdateSupervisor) {
    super(store, clock, restarts, updater, 'replicated-orchestrator');
  }

  protected owns(s: Service | undefined): s is Service {
    return isReplicated(s);
  }

  protected taskNeedsCheck(t: Task): boolean {
    return isTerminal(t.Status.State) || (t.NodeID !== '' && invalidNode(this.store.view.get('node', t.NodeID)));
  }

  protected checkTask(tx: Tx, service: Service, t: Task, batch: RestartBatch): void {
    const nodeGone = t.NodeID !== '' && invalidNode(tx.get('node', t.NodeID));
    if (isTerminal(t.Status.State) || nodeGone) this.restarts.restart(tx, service, t, batch);
  }

  protected reconcile(tx: Tx, service: Service, budget: Budget): { slots: Task[][]; complete: boolean } {
    const replicas = desiredReplicas(service);
    const tasks: Task[] = [];
    for (const t of this.store.view.tasksByService(service.ID)) {
      const cur = tx.get('task', t.ID);
      if (cur) tasks.push(cur);
    }
    const plan = planReplicatedSlots(
      tasks,
      replicas,
      (t) => this.restarts.shouldRestart(t),
      service.UpdateStatus?.State === 'rollback_started',
    );
    const complete =
      spend(budget, plan.create, (slot) => void tx.create('task', newTask(service, { slot }, 'running', tx.now))) &&
      spend(budget, plan.remove, (t) => {
        const cur = tx.get('task', t.ID);
        if (!cur || !raisesDesired(cur, 'remove')) return false;
        tx.update('task', { ...cur, DesiredState: 'remove' });
      }) &&
      spend(budget, plan.delete, (t) => void tx.delete('task', t.ID));
    return { slots: plan.keep, complete };
  }

  /** A node that is down, drained or deleted: its runnable tasks go through the restart supervisor. */
  protected onNodeChange(c: Change<'node'>): void {
    if (c.action !== 'delete' && !invalidNode(c.object)) return;
    const view = this.store.view;
    for (const t of view.tasksByNode(c.object.ID)) {
      if (isRunnable(t) && isReplicated(view.get('service', t.ServiceID))) this.markTask(t.ID);
    }
  }
}
