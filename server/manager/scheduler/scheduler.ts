// The scheduler loop: debounces commits, then in one pass confirms
// pre-assigned (global) tasks on their nodes and places unassigned PENDING
// tasks, writing every decision of the pass in one batch.

import { NodeFailures, failureKey } from './node-failures';
import type { PortConfig, SchedulingExplain, Service, Task } from '../../api/types';
import { TASK_STATE_VALUE } from '../../api/types';
import type { AppliedEvent } from '../../store/batch';
import type { ClusterStore } from '../../store/cluster-store';
import type { Clock } from '../../util/clock';
import { iso } from '../../util/clock';
import type { FilterFailure } from './filters';
import { isActive, isTracked, taskPorts } from './node-info';
import type { NodeSet } from './placement';
import { buildNodeSet, noSuitableNode, placeGroup, validatePreassigned } from './placement';
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
    for (const c of e.changes) {
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
          continue;
        }
        if (t.Status.State === 'pending') this.pending.add(t.ID);
        else this.pending.delete(t.ID);
        this.noteFailure(t);
        const fp = footprint(t);
        if (this.footprints.get(t.ID) !== fp || t.Status.State === 'pending') relevant = true;
        this.footprints.set(t.ID, fp);
      }
    }
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

  /** One scheduling round over every PENDING task. */
  private async pass(): Promise<void> {
    if (this.pending.size === 0) return;
    const view = this.store.view;
    const pendingTasks: Task[] = [];
    for (const id of this.pending) {
      const t = view.get('task', id);
      if (t && t.Status.State === 'pending') pendingTasks.push(t);
    }
    if (pendingTasks.length === 0) return;

    const services = new Map<string, Service | undefined>();
    const serviceOf = (id: string): Service | undefined => {
      if (!services.has(id)) services.set(id, view.get('service', id));
      return services.get(id);
    };
    const portsOf = (t: Task): readonly PortConfig[] | undefined => taskPorts(t, serviceOf(t.ServiceID));
    const set = buildNodeSet(view.list('node'), view.list('task'), portsOf);
    const nowMs = this.clock.now();
    for (const info of set.infos) {
      const failures = this.nodeFailures.counts(info.node.ID, nowMs);
      if (failures) info.recentFailures = failures;
    }
    const now = iso(this.clock.now());
    const { decisions, stats } = decide(set, pendingTasks, portsOf, now);
    this.lastPass = stats;
    if (decisions.length === 0) return;

    stats.written = await this.store.update(
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
}

/**
 * The decisions of one pass, pure over the node set (which it updates as it
 * places tasks). Exported for the benchmark and tests.
 */
export function decide(
  set: NodeSet,
  pendingTasks: readonly Task[],
  portsOf: (t: Task) => readonly PortConfig[] | undefined,
  now: string,
): { decisions: Decision[]; stats: PassStats } {
  const decisions: Decision[] = [];
  const stats: PassStats = { assigned: 0, unschedulable: 0, written: 0 };
  const push = (t: Task, next: Task) => decisions.push({ id: t.ID, version: t.Version.Index, next });

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
    const res = validatePreassigned(set, t, portsOf(t));
    if (!res) continue; // node gone: the global orchestrator deals with it
    if (res.ok) {
      stats.assigned++;
      push(t, withoutScheduling({ ...t, Status: { Timestamp: now, State: 'assigned', Message: PREASSIGNED_MESSAGE } }));
    } else {
      stillPending(t, res.explain, res.failures);
    }
  }

  // 2. unassigned tasks, one group per (service, spec version)
  for (const key of [...groups.keys()].sort()) {
    const tasks = groups.get(key)!.sort(byServiceSlot);
    const res = placeGroup(set, tasks, portsOf(tasks[0]!));
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
  return { decisions, stats };
}

function byServiceSlot(a: Task, b: Task): number {
  if (a.ServiceID !== b.ServiceID) return a.ServiceID < b.ServiceID ? -1 : 1;
  return a.Slot - b.Slot || (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0);
}
