import type { Node, Service, Task } from '../../api/types';
import { isTerminal } from '../../api/types';
import type { Change } from '../../store/batch';
import type { ClusterStore } from '../../store/cluster-store';
import type { Tx } from '../../store/tx';
import type { Clock } from '../../util/clock';
import type { RestartBatch, RestartSupervisor } from './restart';
import { ServiceOrchestrator, spend, type Budget } from './service-orchestrator';
import { newestTask, raisesDesired } from './slots';
import { invalidNode, isGlobal, isRunnable, newTask, nodeMatchesConstraints } from './task-factory';
import type { UpdateSupervisor } from './updater';

export interface GlobalPlan {
  /** Nodes that get a new task (desired RUNNING, pre-assigned). */
  create: string[];
  /** Runnable tasks on nodes that are down, drained or no longer match: desired SHUTDOWN, no replacement. */
  shutdown: Task[];
  /** Tasks on nodes that no longer exist. */
  delete: Task[];
  /** Per eligible ACTIVE node, its runnable tasks: handed to the updater. */
  keep: Task[][];
}

/**
 * Global-service reconciliation (§13) over plain data: one runnable task per
 * node that is not DOWN, not DRAIN and matches the constraints. PAUSE nodes
 * keep what they have and get nothing new. A node whose last task stopped
 * for good (the restart policy says no) gets no new task.
 */
export function planGlobal(
  service: Service,
  tasks: Task[],
  nodes: Node[],
  shouldRestart: (t: Task) => boolean,
): GlobalPlan {
  const plan: GlobalPlan = { create: [], shutdown: [], delete: [], keep: [] };
  const byNode = new Map<string, Task[]>();
  for (const t of tasks) {
    if (!t.NodeID) continue;
    let s = byNode.get(t.NodeID);
    if (!s) byNode.set(t.NodeID, (s = []));
    s.push(t);
  }
  const constraints = service.Spec.TaskTemplate.Placement?.Constraints;
  for (const node of nodes) {
    const ts = byNode.get(node.ID) ?? [];
    byNode.delete(node.ID);
    const runnable = ts.filter(isRunnable);
    if (invalidNode(node) || !nodeMatchesConstraints(constraints, node)) {
      plan.shutdown.push(...runnable.filter((t) => raisesDesired(t, 'shutdown')));
      continue;
    }
    if (node.Spec.Availability === 'pause') continue;
    if (runnable.length > 0) plan.keep.push(runnable);
    else if (ts.length === 0 || shouldRestart(newestTask(ts))) plan.create.push(node.ID);
  }
  for (const ts of byNode.values()) plan.delete.push(...ts);
  return plan;
}

/** What of a node matters to global placement; other node writes are ignored. */
export function nodeSignature(n: Node): string {
  return JSON.stringify([n.Status.State, n.Spec.Availability, n.Spec.Labels, n.Role, n.Status.Addr, n.Description]);
}

/**
 * The global orchestrator: tasks are pre-assigned (NodeID set, Slot 0);
 * failed tasks restart on the same node; drained/down/ineligible nodes get
 * their tasks shut down without replacement; node events reconcile.
 */
export class GlobalOrchestrator extends ServiceOrchestrator {
  private nodeSeen = new Map<string, string>();

  constructor(store: ClusterStore, clock: Clock, restarts: RestartSupervisor, updater: UpdateSupervisor) {
    super(store, clock, restarts, updater, 'global-orchestrator');
  }

  override start(): void {
    for (const n of this.store.view.list('node')) this.nodeSeen.set(n.ID, nodeSignature(n));
    super.start();
  }

  protected owns(s: Service | undefined): s is Service {
    return isGlobal(s);
  }

  protected taskNeedsCheck(t: Task): boolean {
    return isTerminal(t.Status.State);
  }

  protected checkTask(tx: Tx, service: Service, t: Task, batch: RestartBatch): void {
    if (!isTerminal(t.Status.State)) return;
    const node = tx.get('node', t.NodeID);
    const eligible =
      !invalidNode(node) &&
      node!.Spec.Availability !== 'pause' &&
      nodeMatchesConstraints(service.Spec.TaskTemplate.Placement?.Constraints, node!);
    if (eligible) this.restarts.restart(tx, service, t, batch);
    else if (raisesDesired(t, 'shutdown')) tx.update('task', { ...t, DesiredState: 'shutdown' });
  }

  protected reconcile(tx: Tx, service: Service, budget: Budget): { slots: Task[][]; complete: boolean } {
    const tasks: Task[] = [];
    for (const t of this.store.view.tasksByService(service.ID)) {
      const cur = tx.get('task', t.ID);
      if (cur) tasks.push(cur);
    }
    const nodes = this.store.view.list('node');
    const plan = planGlobal(service, tasks, nodes, (t) => this.restarts.shouldRestart(t));
    const complete =
      spend(budget, plan.create, (nodeID) => void tx.create('task', newTask(service, { nodeID }, 'running', tx.now))) &&
      spend(budget, plan.shutdown, (t) => void tx.update('task', { ...t, DesiredState: 'shutdown' })) &&
      spend(budget, plan.delete, (t) => void tx.delete('task', t.ID));
    return { slots: plan.keep, complete };
  }

  protected onNodeChange(c: Change<'node'>): void {
    const n = c.object;
    if (c.action === 'delete') this.nodeSeen.delete(n.ID);
    else {
      const sig = nodeSignature(n);
      if (this.nodeSeen.get(n.ID) === sig) return;
      this.nodeSeen.set(n.ID, sig);
    }
    for (const s of this.store.view.list('service')) if (isGlobal(s)) this.markService(s.ID);
  }
}
