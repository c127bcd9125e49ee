// The counts every console page may show without holding the tasks: REPLICAS per
// service and running tasks per node, counted over the store by the gateway and
// pushed as deltas. A change marks its service and node; at most one frame per
// interval recounts just those (a 10,000-task rollout is one service recounted
// 20 times a second, not 10,000 task objects sent to every console).

import { isRunning, replicaCounts, type ReplicaCounts } from '../api/replica-counts';
import type { CountsFrame } from '../api/realtime';
import type { Node, Service, Task } from '../api/types';
import type { AppliedEvent } from '../store/batch';
import type { Clock } from '../util/clock';

/** What the counts are taken from (the store's view). */
export interface CountsSource {
  get(kind: 'service', id: string): Service | undefined;
  get(kind: 'node', id: string): Node | undefined;
  list(kind: 'service'): Service[];
  list(kind: 'node'): Node[];
  tasksByService(serviceID: string): Task[];
  tasksByNode(nodeID: string): Task[];
}

const runningOn = (tasks: readonly Task[]): number => tasks.filter(isRunning).length;
const same = (a: ReplicaCounts | undefined, b: ReplicaCounts): boolean =>
  !!a && a.running === b.running && a.desired === b.desired;

export class CountsBroadcaster {
  private services = new Map<string, ReplicaCounts>();
  private nodes = new Map<string, number>();
  private dirtyServices = new Set<string>();
  private dirtyNodes = new Set<string>();
  private cancel: (() => void) | undefined;
  private lastSent = -Infinity;

  constructor(
    private readonly source: CountsSource,
    private readonly clock: Clock,
    private readonly send: (frame: CountsFrame) => void,
    private readonly intervalMs = 50,
  ) {
    for (const s of source.list('service')) this.services.set(s.ID, replicaCounts(s, source.tasksByService(s.ID)));
    for (const n of source.list('node')) this.nodes.set(n.ID, runningOn(source.tasksByNode(n.ID)));
  }

  /** Everything, for a client that connects (or catches up after falling behind). */
  full(): CountsFrame {
    return {
      reset: true,
      services: Object.fromEntries(this.services),
      nodes: Object.fromEntries(this.nodes),
    };
  }

  /** An applied entry: note what it may have changed, and send soon. */
  note(event: AppliedEvent): void {
    for (const c of event.changes) {
      if (c.kind === 'task') {
        const t = c.object as Task;
        this.dirtyServices.add(t.ServiceID);
        if (t.NodeID) this.dirtyNodes.add(t.NodeID);
      } else if (c.kind === 'service') this.dirtyServices.add(c.object.ID);
      else if (c.kind === 'node') this.dirtyNodes.add(c.object.ID);
    }
    if (this.cancel || (this.dirtyServices.size === 0 && this.dirtyNodes.size === 0)) return;
    const wait = this.lastSent + this.intervalMs - this.clock.now();
    if (wait <= 0) this.flush();
    else this.cancel = this.clock.setTimeout(() => this.flush(), wait);
  }

  /** Recount what is marked and send what differs (nothing, when nothing does). */
  flush(): void {
    this.cancel?.();
    this.cancel = undefined;
    const frame: CountsFrame = { services: {}, nodes: {} };
    for (const id of this.dirtyServices) {
      const s = this.source.get('service', id);
      if (!s) {
        if (this.services.delete(id)) frame.services[id] = null;
        continue;
      }
      const counts = replicaCounts(s, this.source.tasksByService(id));
      if (same(this.services.get(id), counts)) continue;
      this.services.set(id, counts);
      frame.services[id] = counts;
    }
    for (const id of this.dirtyNodes) {
      if (!this.source.get('node', id)) {
        if (this.nodes.delete(id)) frame.nodes[id] = null;
        continue;
      }
      const running = runningOn(this.source.tasksByNode(id));
      if (this.nodes.get(id) === running) continue;
      this.nodes.set(id, running);
      frame.nodes[id] = running;
    }
    this.dirtyServices.clear();
    this.dirtyNodes.clear();
    if (Object.keys(frame.services).length === 0 && Object.keys(frame.nodes).length === 0) return;
    this.lastSent = this.clock.now();
    this.send(frame);
  }

  close(): void {
    this.cancel?.();
    this.cancel = undefined;
  }
}
