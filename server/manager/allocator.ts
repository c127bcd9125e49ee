// The allocator: moves NEW tasks to PENDING once their resources are
// allocated, which hands them to the scheduler. Networks, VIPs and ports are
// not allocated yet; allocateTask is where that will go.

import type { Task } from '../api/types';
import { TASK_STATE_VALUE } from '../api/types';
import type { ClusterStore } from '../store/cluster-store';
import type { Tx } from '../store/tx';
import type { AppliedEvent } from '../store/batch';
import type { Clock } from '../util/clock';
import { iso } from '../util/clock';
import { eachChange, FaultTracker, isolate, markService, markTaskError, withoutLoopError } from './faults';
import { PART_OPS, yieldToLoop } from './pass-parts';
import { PassRunner } from './pass-runner';

export const PENDING_MESSAGE = 'pending task scheduling';

/** A NEW task the allocator should move on: one not already told to stop. */
export function needsAllocation(t: Task): boolean {
  return t.Status.State === 'new' && TASK_STATE_VALUE[t.DesiredState] < TASK_STATE_VALUE.shutdown;
}

/** The task after allocation, or undefined while it cannot be allocated yet. */
export function allocateTask(t: Task, now: string): Task | undefined {
  if (!needsAllocation(t)) return undefined;
  // (network attachments and the service endpoint get allocated here, later)
  return { ...t, Status: { ...t.Status, State: 'pending', Message: PENDING_MESSAGE, Timestamp: now } };
}

export class Allocator {
  private unwatch?: () => void;
  /** NEW tasks seen since the last pass */
  private candidates = new Set<string>();
  private fullScan = true;
  private readonly runner: PassRunner;
  /** Services with tasks that could not be allocated. */
  private readonly faults = new FaultTracker();

  constructor(
    private readonly store: ClusterStore,
    private readonly clock: Clock,
  ) {
    this.runner = new PassRunner(() => this.pass(), 'allocator', { clock, ms: 1_000 });
  }

  start(): void {
    this.runner.start();
    this.fullScan = true;
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
    eachChange(e.changes, 'allocator', (c) => {
      if (c.kind !== 'task') return;
      const t = c.object as Task;
      if (c.action !== 'delete' && needsAllocation(t)) {
        this.candidates.add(t.ID);
        any = true;
      } else {
        this.candidates.delete(t.ID);
      }
    });
    // coalesced: events arriving while a pass runs fold into the next one
    if (any) this.runner.kick();
  }

  private async pass(): Promise<void> {
    let ids: string[];
    if (this.fullScan) {
      this.fullScan = false;
      ids = this.store.view
        .list('task')
        .filter(needsAllocation)
        .map((t) => t.ID);
      this.candidates.clear();
    } else {
      ids = [...this.candidates];
      this.candidates.clear();
    }
    if (ids.length === 0) return;
    for (let i = 0; i < ids.length; i += PART_OPS) {
      if (i > 0) await yieldToLoop();
      const chunk = ids.slice(i, i + PART_OPS);
      try {
        await this.store.update((tx) => this.allocate(tx, chunk), { retry: true });
      } catch (err) {
        // not fatal: keep the tasks for the retried pass
        for (const id of ids.slice(i)) this.candidates.add(id);
        throw err;
      }
    }
  }

  /** One part of a pass. A task that cannot be allocated keeps NEW, says why (Status.Err), and marks its service. */
  private allocate(tx: Tx, ids: string[]): void {
    const now = iso(this.clock.now());
    for (const id of ids) {
      const cur = tx.get('task', id);
      if (!cur) continue;
      const r = isolate(tx, () => {
        const next = allocateTask(cur, now);
        if (next) tx.update('task', withoutLoopError(next, 'allocator'));
      });
      if (!r.ok) {
        markTaskError(tx, id, 'allocator', r.message);
        markService(tx, cur.ServiceID, 'allocator', this.faults.fail(cur.ServiceID, id, `task ${id}: ${r.message}`));
      } else if (this.faults.pass(cur.ServiceID, id)) markService(tx, cur.ServiceID, 'allocator', undefined);
    }
  }
}
