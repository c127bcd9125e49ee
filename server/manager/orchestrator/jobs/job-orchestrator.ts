import type { Node, Service, Task } from '../../../api/types';
import { isTerminal } from '../../../api/types';
import type { Change } from '../../../store/batch';
import type { ClusterStore } from '../../../store/cluster-store';
import type { Tx } from '../../../store/tx';
import type { Clock } from '../../../util/clock';
import { nodeSignature } from '../global';
import type { RestartBatch, RestartSupervisor } from '../restart';
import { ServiceOrchestrator, spend, type Budget } from '../service-orchestrator';
import { raisesDesired } from '../slots';
import { invalidNode, sv } from '../task-factory';
import type { UpdateSupervisor } from '../updater';
import { planGlobalJob } from './global-job';
import { inIteration, isGlobalJob, isJob, isLiveJobTask, isReplicatedJob, jobIteration, newJobTask } from './job-tasks';
import { planReplicatedJob } from './replicated-job';

/**
 * The jobs orchestrator (swarmkit manager/orchestrator/jobs): replicated and
 * global jobs. Tasks are created with desired COMPLETE and run to their end;
 * one that completes is never restarted, one that fails goes to the restart
 * supervisor (ANY acts as ON_FAILURE, MaxAttempts and Delay as for any
 * task). Every change that ends a task reconciles its service, which starts
 * the next wave. A spec update starts a new iteration (controlapi bumps
 * JobStatus.JobIteration): the old iteration's unfinished tasks are removed
 * and its finished ones stay as history. Jobs never go to the updater.
 */
export class JobOrchestrator extends ServiceOrchestrator {
  protected override readonly rollsUpdates = false;
  private nodeSeen = new Map<string, string>();

  constructor(store: ClusterStore, clock: Clock, restarts: RestartSupervisor, updater: UpdateSupervisor) {
    super(store, clock, restarts, updater, 'jobs-orchestrator');
  }

  override start(): void {
    for (const n of this.store.view.list('node')) this.nodeSeen.set(n.ID, nodeSignature(n));
    super.start();
  }

  protected owns(s: Service | undefined): s is Service {
    return isJob(s);
  }

  protected override isLive(t: Task): boolean {
    return isLiveJobTask(t);
  }

  /** A task that ended frees a place for the next task (or finishes the job). */
  protected override taskMovesService(t: Task): boolean {
    return isTerminal(t.Status.State);
  }

  protected taskNeedsCheck(t: Task): boolean {
    if (t.Status.State === 'complete') return false;
    return isTerminal(t.Status.State) || (t.NodeID !== '' && invalidNode(this.store.view.get('node', t.NodeID)));
  }

  /**
   * A task of the current iteration that failed is restarted per its policy.
   * One still running on a node that went down or was drained: a replicated
   * job's is restarted (elsewhere, as a replicated task would be); a global
   * job's is shut down (its node gets no new one while invalid).
   */
  protected checkTask(tx: Tx, service: Service, t: Task, batch: RestartBatch): void {
    if (t.Status.State === 'complete' || !inIteration(t, jobIteration(service))) return;
    if (isTerminal(t.Status.State)) {
      this.restarts.restart(tx, service, t, batch);
      return;
    }
    if (t.NodeID === '' || !invalidNode(tx.get('node', t.NodeID))) return;
    if (isReplicatedJob(service)) this.restarts.restart(tx, service, t, batch);
    else if (raisesDesired(t, 'shutdown')) tx.update('task', { ...t, DesiredState: 'shutdown' });
  }

  protected reconcile(tx: Tx, service: Service, budget: Budget): { slots: Task[][]; complete: boolean } {
    const tasks: Task[] = [];
    for (const t of this.store.view.tasksByService(service.ID)) {
      const cur = tx.get('task', t.ID);
      if (cur) tasks.push(cur);
    }
    const shouldRestart = (t: Task) => this.restarts.shouldRestart(t);
    const remove = (t: Task) => {
      const cur = tx.get('task', t.ID);
      if (!cur || !raisesDesired(cur, 'remove')) return false;
      tx.update('task', { ...cur, DesiredState: 'remove' });
    };
    if (isReplicatedJob(service)) {
      const plan = planReplicatedJob(service, tasks, shouldRestart);
      const complete =
        spend(budget, plan.remove, remove) &&
        spend(budget, plan.create, (slot) => void tx.create('task', newJobTask(service, { slot }, tx.now)));
      return { slots: [], complete };
    }
    const plan = planGlobalJob(service, tasks, this.store.view.list('node'), shouldRestart);
    const complete =
      spend(budget, plan.remove, remove) &&
      spend(budget, plan.shutdown, (t) => {
        const cur = tx.get('task', t.ID);
        if (!cur || sv(cur.DesiredState) > sv('complete')) return false;
        tx.update('task', { ...cur, DesiredState: 'shutdown' });
      }) &&
      spend(budget, plan.create, (nodeID) => void tx.create('task', newJobTask(service, { nodeID }, tx.now)));
    return { slots: [], complete };
  }

  /**
   * Node changes: a replicated job's running tasks on a node that went away
   * are checked (restarted elsewhere); global jobs are reconciled, so a node
   * that becomes ready gets the current iteration's task and a node that goes
   * down has its unfinished one shut down.
   */
  protected onNodeChange(c: Change<'node'>): void {
    const n: Node = c.object;
    if (c.action === 'delete') this.nodeSeen.delete(n.ID);
    else {
      const sig = nodeSignature(n);
      if (this.nodeSeen.get(n.ID) === sig) return;
      this.nodeSeen.set(n.ID, sig);
    }
    const view = this.store.view;
    if (c.action === 'delete' || invalidNode(n)) {
      for (const t of view.tasksByNode(n.ID)) {
        if (isActiveTaskOf(t) && isReplicatedJob(view.get('service', t.ServiceID))) this.markTask(t.ID);
      }
    }
    for (const s of view.list('service')) if (isGlobalJob(s)) this.markService(s.ID);
  }
}

function isActiveTaskOf(t: Task): boolean {
  return isLiveJobTask(t) && !isTerminal(t.Status.State);
}
