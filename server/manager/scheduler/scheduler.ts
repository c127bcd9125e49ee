// The scheduler loop: debounces commits, then in one pass confirms
// pre-assigned (global) tasks on their nodes and places unassigned PENDING
// tasks, deciding and writing them in bounded parts. A group whose placement
// throws (its spec) is marked and skipped; a node a filter throws on is
// rejected and marked; everything else is placed.

import { NodeFailures, failureKey } from './node-failures';
import type { Node, PortConfig, SchedulingExplain, Service, Task } from '../../api/types';
import { TASK_STATE_VALUE } from '../../api/types';
import type { AppliedEvent } from '../../store/batch';
import type { ClusterStore } from '../../store/cluster-store';
import type { Clock } from '../../util/clock';
import { iso } from '../../util/clock';
import type { FilterFailure } from './filters';
import { isActive, isTracked, taskPorts } from './node-info';
import type { NodeSet } from './placement';
import {
  buildNodeSet,
  noSuitableNode,
  placeGroup,
  validatePreassigned,
  type GroupResult,
  type PreassignedResult,
} from './placement';
import {
  faultMessage,
  hasFault,
  serviceWithFault,
  serviceWithoutFault,
  taskWithError,
  withFault,
  withoutFault,
} from '../fault-policy';
import { eachChange, markNode, markService } from '../faults';
import { PART_OPS, yieldToLoop } from '../pass-parts';
import { PassRunner } from '../pass-runner';

export const ASSIGNED_MESSAGE = 'scheduler assigned task to node';
export const PREASSIGNED_MESSAGE = 'scheduler confirmed task can run on preassigned node';

/** swarmkit: wait 50 ms after the last commit, but no more than 1 s after the first. */
export const DEBOUNCE_MS = 50;
export const MAX_DELAY_MS = 1000;

export interface Decision {
  id: string;
  /** the Version.Index the decision was made on */
  version: number;
  next: Task;
}

export interface PassStats {
  assigned: number;
  unschedulable: number;
  written: number;
}

function withoutScheduling(t: Task): Task {
  const { Scheduling: _drop, ...rest } = t;
  return rest;
}

function sameExplain(t: Task, err: string, failures: FilterFailure[], total: number): boolean {
  const s = t.Scheduling;
  if (t.Status.Err !== err || !s || s.TotalNodes !== total || s.Filters.length !== failures.length) return false;
  return s.Filters.every((f, i) => f.Name === failures[i]!.Name && f.Nodes === failures[i]!.Nodes);
}

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
  ) {
    // a failed pass (storage error, lost races) is retried: pending tasks must not wait for an unrelated event
    this.runner = new PassRunner(() => this.pass(), 'scheduler', { clock, ms: 1_000 });
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
    const set = buildNodeSet(view.list('node'), view.list('task'), portsOf);
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

/** Faults one pass met: per service its first fault (undefined: seen, no fault); per node why a filter threw. */
export interface PassFaults {
  services: Map<string, string | undefined>;
  nodes: Map<string, string>;
  /** A group's filters ran over the nodes (so a node without an error is known to be fine). */
  checkedNodes: boolean;
}

/**
 * Pending tasks in parts of at most `max`, in the order they are decided
 * (pre-assigned first, then by service, spec version and slot), so a part
 * holds whole groups where it can and a big group is split into runs.
 */
export function splitPending(tasks: readonly Task[], max: number): Task[][] {
  const key = (t: Task) => `${t.NodeID ? 0 : 1}/${t.ServiceID}/${t.SpecVersion?.Index ?? -1}`;
  const sorted = [...tasks].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : a.Slot - b.Slot;
  });
  const out: Task[][] = [];
  for (let i = 0; i < sorted.length; i += max) out.push(sorted.slice(i, i + max));
  return out;
}

/**
 * The decisions of one pass (or part of one), pure over the node set (which
 * it updates as it places tasks). A group (or a pre-assigned task) whose
 * placement throws is not placed: its tasks say why in Status.Err and its
 * service is reported in `faults`; every other group is placed as usual.
 * Exported for the benchmark and tests.
 */
export function decide(
  set: NodeSet,
  pendingTasks: readonly Task[],
  portsOf: (t: Task) => readonly PortConfig[] | undefined,
  now: string,
): { decisions: Decision[]; stats: PassStats; faults: PassFaults } {
  const decisions: Decision[] = [];
  const stats: PassStats = { assigned: 0, unschedulable: 0, written: 0 };
  const faults: PassFaults = { services: new Map(), nodes: new Map(), checkedNodes: false };
  const push = (t: Task, next: Task) => decisions.push({ id: t.ID, version: t.Version.Index, next });
  const seen = (serviceID: string) => {
    if (!faults.services.has(serviceID)) faults.services.set(serviceID, undefined);
  };
  const nodeErrors = (errors: Map<string, string>) => {
    for (const [id, m] of errors) if (!faults.nodes.has(id)) faults.nodes.set(id, m);
  };
  const failed = (tasks: readonly Task[], err: unknown) => {
    const message = faultMessage(err);
    for (const t of tasks) {
      if (faults.services.get(t.ServiceID) === undefined) faults.services.set(t.ServiceID, message);
      stats.unschedulable++;
      try {
        const next = taskWithError(t, 'scheduler', message, now);
        if (next) push(t, next);
      } catch {
        // a task that cannot even be copied keeps its status; its service's mark says why
      }
    }
  };

  const stillPending = (t: Task, err: string, failures: FilterFailure[]) => {
    stats.unschedulable++;
    if (sameExplain(t, err, failures, set.size)) return; // nothing new to say: no write
    const Scheduling: SchedulingExplain = { Filters: failures, TotalNodes: set.size, At: now };
    push(t, { ...t, Status: { ...t.Status, Err: err, Timestamp: now }, Scheduling });
  };

  const preassigned: Task[] = [];
  const groups = new Map<string, Task[]>();
  for (const t of pendingTasks) {
    if (TASK_STATE_VALUE[t.DesiredState] >= TASK_STATE_VALUE.shutdown) {
      // told to stop before it ever ran: nothing to place (swarmkit §6.6)
      const { Err: _err, ...status } = t.Status;
      push(
        t,
        withoutScheduling({ ...t, Status: { ...status, State: 'shutdown', Message: 'shutdown', Timestamp: now } }),
      );
      continue;
    }
    if (t.NodeID) {
      preassigned.push(t);
      continue;
    }
    // tasks without a spec version are placed one by one
    const key = t.SpecVersion ? `${t.ServiceID}/${t.SpecVersion.Index}` : `${t.ServiceID}/#${t.ID}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(t);
  }

  // 1. pre-assigned (global) tasks: validate against their own node
  preassigned.sort(byServiceSlot);
  for (const t of preassigned) {
    let res: PreassignedResult;
    try {
      res = validatePreassigned(set, t, portsOf(t));
    } catch (err) {
      failed([t], err);
      continue;
    }
    if (!res) continue; // node gone: the global orchestrator deals with it
    seen(t.ServiceID);
    if (res.ok) {
      stats.assigned++;
      push(t, withoutScheduling({ ...t, Status: { Timestamp: now, State: 'assigned', Message: PREASSIGNED_MESSAGE } }));
    } else {
      nodeErrors(res.nodeErrors);
      stillPending(t, res.explain, res.failures);
    }
  }

  // 2. unassigned tasks, one group per (service, spec version)
  for (const key of [...groups.keys()].sort()) {
    const tasks = groups.get(key)!.sort(byServiceSlot);
    let res: GroupResult;
    try {
      res = placeGroup(set, tasks, portsOf(tasks[0]!));
    } catch (err) {
      failed(tasks, err);
      continue;
    }
    seen(tasks[0]!.ServiceID);
    faults.checkedNodes = true;
    nodeErrors(res.nodeErrors);
    for (const a of res.assigned) {
      stats.assigned++;
      push(
        a.task,
        withoutScheduling({
          ...a.task,
          NodeID: a.nodeID,
          Status: { Timestamp: now, State: 'assigned', Message: ASSIGNED_MESSAGE },
        }),
      );
    }
    if (res.unplaced.length) {
      const err = noSuitableNode(res.explain);
      for (const t of res.unplaced) stillPending(t, err, res.failures);
    }
  }
  return { decisions, stats, faults };
}

function byServiceSlot(a: Task, b: Task): number {
  if (a.ServiceID !== b.ServiceID) return a.ServiceID < b.ServiceID ? -1 : 1;
  return a.Slot - b.Slot || (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0);
}
