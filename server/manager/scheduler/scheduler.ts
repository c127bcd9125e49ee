// The scheduler loop: debounces commits, then in one pass confirms
// pre-assigned (global) tasks on their nodes and places unassigned PENDING
// tasks, deciding and writing them in bounded parts. A group whose placement
// throws (its spec) is marked and skipped; a node a filter throws on is
// rejected and marked; everything else is placed.

import { NodeFailures, failureKey } from './node-failures';
import type { Node, PortConfig, Service, Task } from '../../api/types';
import type { AppliedEvent } from '../../store/batch';
import type { ClusterStore } from '../../store/cluster-store';
import type { Clock } from '../../util/clock';
import { iso } from '../../util/clock';
import { decide, splitPending, type Decision, type PassFaults, type PassStats } from './decide';
import { HELD_STATES, isActive, isTracked, taskPorts } from './node-info';
import { buildNodeSet } from './placement';
import { hasFault, serviceWithFault, serviceWithoutFault, withFault, withoutFault } from '../fault-policy';
import { eachChange, markNode, markService } from '../faults';
import { PART_OPS, yieldToLoop } from '../pass-parts';
import { PassRunner } from '../pass-runner';
import type { PassTimings } from '../pass-timings';

export { ASSIGNED_MESSAGE, PREASSIGNED_MESSAGE, decide, splitPending } from './decide';
export type { Decision, PassFaults, PassStats } from './decide';

/** swarmkit: wait 50 ms after the last commit, but no more than 1 s after the first. */
export const DEBOUNCE_MS = 50;
export const MAX_DELAY_MS = 1000;

/** Accounting-relevant shape of a task: a change here can change a placement. */
function footprint(t: Task): string {
  return `${isTracked(t) ? 1 : 0}${isActive(t) ? 1 : 0}${t.Status.State === 'pending' ? 1 : 0}${t.NodeID}`;
}

export class Scheduler {
  private unwatch?: () => void;
  private pending = new Set<string>();
  private footprints = new Map<string, string>();
  /** Failures seen per node (faulty-node down-weighting), and the tasks already counted. */
  private readonly nodeFailures = new NodeFailures();
  private readonly countedFailures = new Set<string>();
  private cancelTimer?: () => void;
  private firstEventAt?: number;
  private lastEventAt?: number;
  private stopped = true;
  private readonly runner: PassRunner;
  /** stats of the last pass that did any work (tests, metrics) */
  lastPass?: PassStats;
  private lastUnaccounted = '';
  /** Nodes this scheduler marked, with their data then. */
  private readonly markedNodes = new Map<string, string>();

  constructor(
    private readonly store: ClusterStore,
    private readonly clock: Clock,
    timings?: PassTimings,
  ) {
    // a failed pass (storage error, lost races) is retried: pending tasks must not wait for an unrelated event
    this.runner = new PassRunner(() => this.pass(), 'scheduler', { clock, ms: 1_000 }, timings);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.runner.start();
    this.pending.clear();
    this.footprints.clear();
    for (const t of this.store.view.list('task')) {
      this.footprints.set(t.ID, footprint(t));
      if (t.Status.State === 'pending') this.pending.add(t.ID);
    }
    this.unwatch = this.store.view.watch((e) => this.onEvent(e));
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unwatch?.();
    this.unwatch = undefined;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.firstEventAt = this.lastEventAt = undefined;
    await this.runner.stop();
  }

  /** Resolves once no pass is running (for tests and shutdown). */
  idle(): Promise<void> {
    return this.runner.idle();
  }

  private onEvent(e: AppliedEvent): void {
    let relevant = false;
    eachChange(e.changes, 'scheduler', (c) => {
      if (c.kind === 'node') {
        relevant = true;
        if (c.action === 'delete') this.nodeFailures.forgetNode(c.object.ID);
      } else if (c.kind === 'task') {
        const t = c.object as Task;
        if (c.action === 'delete') {
          this.pending.delete(t.ID);
          this.countedFailures.delete(t.ID);
          const was = this.footprints.get(t.ID);
          this.footprints.delete(t.ID);
          if (was?.[0] === '1') relevant = true; // frees resources
          return;
        }
        if (t.Status.State === 'pending') this.pending.add(t.ID);
        else this.pending.delete(t.ID);
        this.noteFailure(t);
        const fp = footprint(t);
        if (this.footprints.get(t.ID) !== fp || t.Status.State === 'pending') relevant = true;
        this.footprints.set(t.ID, fp);
      }
    });
    if (relevant) this.trigger();
  }

  /** A placed task that failed or was rejected counts against its node, once. */
  private noteFailure(t: Task): void {
    const s = t.Status.State;
    if ((s !== 'failed' && s !== 'rejected') || !t.NodeID || !t.SpecVersion || this.countedFailures.has(t.ID)) return;
    this.countedFailures.add(t.ID);
    this.nodeFailures.record(t.NodeID, failureKey(t.ServiceID, t.SpecVersion.Index), this.clock.now());
  }

  private trigger(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    this.lastEventAt = now;
    this.firstEventAt ??= now;
    if (!this.cancelTimer) this.arm();
  }

  private due(): number {
    return Math.min((this.lastEventAt ?? 0) + DEBOUNCE_MS, (this.firstEventAt ?? 0) + MAX_DELAY_MS);
  }

  // One timer, re-armed when it fires early: cheaper than cancelling per event.
  private arm(): void {
    this.cancelTimer = this.clock.setTimeout(() => this.onTimer(), Math.max(0, this.due() - this.clock.now()));
  }

  private onTimer(): void {
    this.cancelTimer = undefined;
    if (this.stopped) return;
    if (this.clock.now() < this.due()) {
      this.arm();
      return;
    }
    this.firstEventAt = this.lastEventAt = undefined;
    this.kick();
  }

  private kick(): void {
    this.runner.kick();
  }

  /**
   * One scheduling round over every PENDING task, in parts of
   * PART_OPS tasks: each part is decided on the pass's node set (which
   * keeps the earlier parts' placements) and written before the next, with a
   * turn of the event loop between them.
   */
  private async pass(): Promise<void> {
    const view = this.store.view;
    const pendingTasks: Task[] = [];
    for (const id of this.pending) {
      const t = view.get('task', id);
      if (t && t.Status.State === 'pending') pendingTasks.push(t);
    }
    const faults: PassFaults = { services: new Map(), nodes: new Map(), checkedNodes: false };
    if (pendingTasks.length > 0) await this.schedule(pendingTasks, faults);
    await this.writeMarks(faults);
  }

  private async schedule(pendingTasks: Task[], faults: PassFaults): Promise<void> {
    const view = this.store.view;
    const services = new Map<string, Service | undefined>();
    const serviceOf = (id: string): Service | undefined => {
      if (!services.has(id)) services.set(id, view.get('service', id));
      return services.get(id);
    };
    const portsOf = (t: Task): readonly PortConfig[] | undefined => taskPorts(t, serviceOf(t.ServiceID));
    // only the tasks that hold a node's resources, from the store's index by observed state: every task the
    // store keeps, history included, was five times as many under churn and most of a pass's time
    const held = HELD_STATES.flatMap((s) => view.tasksByState(s));
    const set = buildNodeSet(view.list('node'), held, portsOf);
    const unaccounted = set.unaccounted.join(',');
    if (unaccounted && unaccounted !== this.lastUnaccounted)
      console.warn(`[scheduler] tasks left out of node accounting (their data): ${unaccounted.slice(0, 300)}`);
    this.lastUnaccounted = unaccounted;
    const nowMs = this.clock.now();
    for (const info of set.infos) {
      const failures = this.nodeFailures.counts(info.node.ID, nowMs);
      if (failures) info.recentFailures = failures;
    }
    const now = iso(this.clock.now());
    const stats: PassStats = { assigned: 0, unschedulable: 0, written: 0 };
    const parts = splitPending(pendingTasks, PART_OPS);
    for (let i = 0; i < parts.length; i++) {
      if (i > 0) await yieldToLoop();
      const part = decide(set, parts[i]!, portsOf, now);
      stats.assigned += part.stats.assigned;
      stats.unschedulable += part.stats.unschedulable;
      for (const [id, m] of part.faults.services) if (!faults.services.get(id)) faults.services.set(id, m);
      for (const [id, m] of part.faults.nodes) if (!faults.nodes.has(id)) faults.nodes.set(id, m);
      faults.checkedNodes ||= part.faults.checkedNodes;
      if (part.decisions.length > 0) stats.written += await this.write(part.decisions);
    }
    this.lastPass = stats;
  }

  private write(decisions: Decision[]): Promise<number> {
    return this.store.update(
      (tx) => {
        let written = 0;
        for (const d of decisions) {
          const cur = tx.get('task', d.id);
          // the task moved on since we looked: its event brings another pass
          if (!cur || cur.Version.Index !== d.version || cur.Status.State !== 'pending') continue;
          tx.update('task', { ...d.next, Version: cur.Version });
          written++;
        }
        return written;
      },
      { retry: true },
    );
  }

  /**
   * The pass's marks, written only where they change: services a group threw
   * on, nodes a filter threw on; a mark is cleared once a pass meets the
   * service without a fault (or finds none of its tasks pending) and checks
   * the node without one.
   */
  private async writeMarks(faults: PassFaults): Promise<void> {
    const view = this.store.view;
    const services: [string, string | undefined][] = [];
    for (const [id, m] of faults.services) if (m !== undefined) services.push([id, m]);
    for (const s of view.list('service')) {
      if (hasFault(s, 'scheduler') && faults.services.get(s.ID) === undefined) services.push([s.ID, undefined]);
    }
    const nodes: [string, string | undefined][] = [...faults.nodes];
    for (const [id] of faults.nodes) {
      const n = view.get('node', id);
      if (n) this.markedNodes.set(id, nodeData(n));
    }
    if (faults.checkedNodes) {
      // a node's fault is its data's: cleared once a pass checks it cleanly after the data changed
      // (a pass whose groups use no filter the node trips on says nothing about it)
      for (const n of view.list('node')) {
        if (!hasFault(n, 'scheduler') || faults.nodes.has(n.ID)) continue;
        if (this.markedNodes.get(n.ID) === nodeData(n)) continue;
        this.markedNodes.delete(n.ID);
        nodes.push([n.ID, undefined]);
      }
    }
    const changes = services.some(([id, m]) => {
      const s = view.get('service', id);
      return !!s && !!(m === undefined ? serviceWithoutFault(s, 'scheduler') : serviceWithFault(s, 'scheduler', m, ''));
    });
    const nodeChanges = nodes.some(([id, m]) => {
      const n = view.get('node', id);
      return !!n && !!(m === undefined ? withoutFault(n, 'scheduler') : withFault(n, 'scheduler', m, ''));
    });
    if (!changes && !nodeChanges) return;
    await this.store.update(
      (tx) => {
        for (const [id, m] of services) markService(tx, id, 'scheduler', m);
        for (const [id, m] of nodes) markNode(tx, id, 'scheduler', m);
      },
      { retry: true },
    );
  }
}

/** What of a node the filters read: a change here may undo a node's fault. */
function nodeData(n: Node): string {
  return JSON.stringify([n.Spec, n.Description, n.Status, n.Role]);
}
