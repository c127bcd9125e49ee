// The allocator loop on the leader (swarmkit manager/allocator): networks
// get subnets and VXLAN IDs, services their endpoint (published ports, one
// VIP per network), NEW tasks one address per network before they go PENDING
// (which hands them to the scheduler), and nodes a load-balancer address per
// network they serve. The state is rebuilt from the store when this manager
// becomes leader and lives in memory; everything it decides is written
// through the store, in parts, as the other loops write.

import type { Network, Node, Service, Task } from '../../api/types';
import type { AppliedEvent } from '../../store/batch';
import type { ClusterStore } from '../../store/cluster-store';
import type { Tx } from '../../store/tx';
import type { Clock } from '../../util/clock';
import { iso } from '../../util/clock';
import { eachChange, FaultTracker, isolate, markService, markTaskError, withoutLoopError } from '../faults';
import type { NetworkAllocator } from '../network-allocator/network-allocator';
import { rebuildAllocator } from '../network-allocator/rebuild';
import { PART_OPS, yieldToLoop } from '../pass-parts';
import { PassRunner } from '../pass-runner';
import {
  allocatedNetwork,
  allocatedTask,
  needsAllocation,
  nodeWithAttachments,
  releasesAddresses,
  serviceWithEndpoint,
  touchesNodeAttachments,
} from './decide';

/** What the next pass has to look at. */
interface Dirty {
  networks: Set<string>;
  services: Set<string>;
  tasks: Set<string>;
  nodes: Set<string>;
}

const emptyDirty = (): Dirty => ({ networks: new Set(), services: new Set(), tasks: new Set(), nodes: new Set() });

export class Allocator {
  private unwatch?: () => void;
  private dirty = emptyDirty();
  private fullScan = true;
  private readonly runner: PassRunner;
  /** Services with tasks (or an endpoint) that could not be allocated. */
  private readonly faults = new FaultTracker();
  /** Services whose endpoint could not be allocated: their tasks wait (swarmkit: service not allocated). */
  private readonly unallocated = new Map<string, string>();
  /** Tasks whose failure marks their service (task ID → service ID), until they allocate or stop waiting. */
  private readonly failedTasks = new Map<string, string>();
  private na?: NetworkAllocator;

  constructor(
    private readonly store: ClusterStore,
    private readonly clock: Clock,
  ) {
    this.runner = new PassRunner(() => this.pass(), 'allocator', { clock, ms: 1_000 });
  }

  /** The allocator's state (tests, the console); undefined until started. */
  get state(): NetworkAllocator | undefined {
    return this.na;
  }

  start(): void {
    this.runner.start();
    this.fullScan = true;
    this.na = undefined;
    this.unallocated.clear();
    this.failedTasks.clear();
    this.unwatch = this.store.view.watch((e) => this.onEvent(e));
    this.runner.kick();
  }

  async stop(): Promise<void> {
    this.unwatch?.();
    this.unwatch = undefined;
    await this.runner.stop();
  }

  /** Resolves once no pass is running or queued (for tests and shutdown). */
  idle(): Promise<void> {
    return this.runner.idle();
  }

  private onEvent(e: AppliedEvent): void {
    let any = false;
    const d = this.dirty;
    const na = this.na;
    eachChange(e.changes, 'allocator', (c) => {
      const deleted = c.action === 'delete';
      switch (c.kind) {
        case 'network': {
          if (deleted) {
            na?.releaseNetwork(c.object.ID);
            this.retryFailed();
          } else d.networks.add(c.object.ID);
          any = true;
          break;
        }
        case 'service': {
          if (deleted) {
            na?.releaseService(c.object.ID);
            this.unallocated.delete(c.object.ID);
            this.faults.forget(c.object.ID);
            this.retryFailed();
          } else d.services.add(c.object.ID);
          any = true;
          break;
        }
        case 'task': {
          const t = c.object as Task;
          if (deleted || releasesAddresses(t)) {
            na?.releaseTask(t.ID);
            d.tasks.delete(t.ID);
            if (t.NodeID) d.nodes.add(t.NodeID);
            any = true;
          } else if (needsAllocation(t)) {
            d.tasks.add(t.ID);
            any = true;
          } else if (touchesNodeAttachments(t)) {
            d.nodes.add(t.NodeID);
            any = true;
          }
          // a failed task replaced or removed no longer marks its service
          if (this.failedTasks.has(t.ID) && (deleted || !needsAllocation(t))) {
            d.tasks.add(t.ID);
            any = true;
          }
          break;
        }
        case 'node': {
          if (deleted) na?.releaseNode(c.object.ID);
          else if (!(c.object as Node).Attachments?.length) {
            d.nodes.add(c.object.ID);
            any = true;
          }
          break;
        }
        default:
          break;
      }
    });
    // coalesced: events arriving while a pass runs fold into the next one
    if (any) this.runner.kick();
  }

  /** Something was freed: services and tasks that failed may fit now. */
  private retryFailed(): void {
    for (const id of this.unallocated.keys()) this.dirty.services.add(id);
    for (const t of this.store.view.list('task')) if (needsAllocation(t) && t.Status.Err) this.dirty.tasks.add(t.ID);
  }

  /** Leader start: the state from what the store shows, then every object looked at once. */
  private rebuild(): NetworkAllocator {
    const view = this.store.view;
    const rebuilt = rebuildAllocator({
      cluster: view.list('cluster')[0],
      networks: view.list('network'),
      services: view.list('service'),
      tasks: view.list('task'),
      nodes: view.list('node'),
    });
    for (const p of rebuilt.problems)
      console.warn(`[allocator] ${p.kind} ${p.id}: its stored allocation could not be claimed again: ${p.message}`);
    this.dirty = {
      networks: new Set(rebuilt.unallocatedNetworks),
      services: new Set(view.list('service').map((s) => s.ID)),
      tasks: new Set(
        view
          .list('task')
          .filter(needsAllocation)
          .map((t) => t.ID),
      ),
      nodes: new Set(view.list('node').map((n) => n.ID)),
    };
    return rebuilt.allocator;
  }

  private async pass(): Promise<void> {
    if (this.fullScan || !this.na) {
      this.fullScan = false;
      this.na = this.rebuild();
    }
    const na = this.na;
    const d = this.dirty;
    this.dirty = emptyDirty();
    const view = this.store.view;
    // ingress first, as swarmkit allocates it before any other network
    const networks = [...d.networks]
      .map((id) => view.get('network', id))
      .filter((n): n is Network => !!n)
      .sort((a, b) => Number(!!b.Spec.Ingress) - Number(!!a.Spec.Ingress));
    const services = [...d.services];
    const tasks = [...d.tasks];
    try {
      // networks and services first (a task copies its service's endpoint), then tasks in parts
      let first = true;
      for (let i = 0; first || i < tasks.length; i += PART_OPS) {
        if (!first) await yieldToLoop();
        const chunk = tasks.slice(i, i + PART_OPS);
        const head = first;
        first = false;
        const allocatedNets = await this.store.update(
          (tx) => {
            const n = head ? this.allocateNetworks(tx, na, networks) : 0;
            if (head) this.allocateServices(tx, na, services);
            this.allocateTasks(tx, na, chunk);
            return n;
          },
          { retry: true },
        );
        // a network now has addresses: every node serves ingress, and waiting objects may fit
        if (allocatedNets > 0) {
          for (const n of view.list('node')) d.nodes.add(n.ID);
          this.retryFailed();
        }
      }
      const nodes = [...d.nodes];
      for (let i = 0; i < nodes.length; i += PART_OPS) {
        if (i > 0) await yieldToLoop();
        const chunk = nodes.slice(i, i + PART_OPS);
        await this.store.update((tx) => this.allocateNodes(tx, na, chunk), { retry: true });
      }
    } catch (err) {
      // not fatal: the retried pass looks at all of it again
      for (const k of ['networks', 'services', 'tasks', 'nodes'] as const) for (const id of d[k]) this.dirty[k].add(id);
      throw err;
    }
  }

  private allocateNetworks(tx: Tx, na: NetworkAllocator, networks: Network[]): number {
    let n = 0;
    for (const read of networks) {
      const cur = tx.get('network', read.ID);
      if (!cur) continue;
      const r = isolate(tx, () => {
        const next = allocatedNetwork(na, cur);
        if (next) tx.update('network', next);
        return !!next;
      });
      if (!r.ok) console.warn(`[allocator] network ${cur.Spec.Name} (${cur.ID}) could not be allocated: ${r.message}`);
      else if (r.value) n++;
    }
    return n;
  }

  /** A service whose endpoint cannot be allocated is marked; its tasks wait for it. */
  private allocateServices(tx: Tx, na: NetworkAllocator, ids: string[]): void {
    for (const id of ids) {
      const cur = tx.get('service', id);
      if (!cur) continue;
      const r = isolate(tx, () => {
        const next = serviceWithEndpoint(na, cur);
        if (next) tx.update('service', next);
      });
      if (!r.ok) {
        this.unallocated.set(id, r.message);
        markService(tx, id, 'allocator', this.faults.fail(id, id, r.message));
      } else {
        const was = this.unallocated.delete(id);
        if (this.faults.pass(id, id)) markService(tx, id, 'allocator', undefined);
        if (was)
          for (const t of tx.get('service', id) ? this.store.view.tasksByService(id) : []) {
            if (needsAllocation(t)) this.dirty.tasks.add(t.ID);
          }
      }
    }
  }

  /** One part of a pass. A task that cannot be allocated keeps NEW, says why (Status.Err), and marks its service. */
  private allocateTasks(tx: Tx, na: NetworkAllocator, ids: string[]): void {
    const now = iso(this.clock.now());
    for (const id of ids) {
      const cur = tx.get('task', id);
      if (!cur || !needsAllocation(cur)) {
        const serviceID = this.failedTasks.get(id);
        if (serviceID === undefined) continue;
        this.failedTasks.delete(id);
        if (this.faults.pass(serviceID, id) && !this.unallocated.has(serviceID))
          markService(tx, serviceID, 'allocator', undefined);
        continue;
      }
      const svc: Service | undefined = tx.get('service', cur.ServiceID);
      const waiting = this.unallocated.get(cur.ServiceID);
      const r = isolate(tx, () => {
        if (waiting !== undefined) throw new Error(`service ${cur.ServiceID} is not allocated: ${waiting}`);
        const next = allocatedTask(na, cur, svc, now);
        if (next) tx.update('task', withoutLoopError(next, 'allocator'));
      });
      if (!r.ok) {
        this.failedTasks.set(id, cur.ServiceID);
        markTaskError(tx, id, 'allocator', r.message);
        markService(tx, cur.ServiceID, 'allocator', this.faults.fail(cur.ServiceID, id, `task ${id}: ${r.message}`));
      } else {
        this.failedTasks.delete(id);
        if (this.faults.pass(cur.ServiceID, id) && waiting === undefined)
          markService(tx, cur.ServiceID, 'allocator', undefined);
      }
    }
  }

  private allocateNodes(tx: Tx, na: NetworkAllocator, ids: string[]): void {
    for (const id of ids) {
      const cur = tx.get('node', id);
      if (!cur) continue;
      const r = isolate(tx, () => {
        const next = nodeWithAttachments(na, cur, this.store.view.tasksByNode(id));
        if (next) tx.update('node', next);
      });
      if (!r.ok) console.warn(`[allocator] node ${id}: ${r.message}`);
    }
  }
}
