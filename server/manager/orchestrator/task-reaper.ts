import type { Service, Task } from '../../api/types';
import { isTerminal } from '../../api/types';
import type { AppliedEvent } from '../../store/batch';
import type { ClusterStore } from '../../store/cluster-store';
import type { Tx } from '../../store/tx';
import { slotKey } from '../../store/memory-store';
import type { Clock } from '../../util/clock';
import { eachChange, FaultTracker, isolate, markService } from '../faults';
import { PART_OPS, yieldToLoop } from '../pass-parts';
import { PassRunner } from '../pass-runner';
import { sv, taskTimeMs } from './task-factory';

export const DEFAULT_TASK_HISTORY_RETENTION = 5;
export const REAPER_BATCH_MS = 250;
export const REAPER_MAX_DIRTY = 1000;

/**
 * Tasks kept per slot, counting the current one: MaxAttempts+1 when the
 * service limits restarts (so failover can rebuild the restart history),
 * else the cluster limit. Negative means never prune.
 */
export function retentionLimit(clusterLimit: number | undefined, service: Service | undefined): number {
  const max = service?.Spec.TaskTemplate.RestartPolicy?.MaxAttempts ?? 0;
  if (max > 0) return max + 1;
  return clusterLimit ?? DEFAULT_TASK_HISTORY_RETENTION;
}

/** Deleted at once, outside retention: REMOVE tasks never dispatched or already stopped; service-less orphans. */
export function reapNow(t: Task, serviceExists: boolean): boolean {
  const obs = sv(t.Status.State);
  if (t.DesiredState === 'remove' && (obs < sv('assigned') || obs >= sv('complete'))) return true;
  return !serviceExists && obs >= sv('orphaned');
}

/**
 * History pruning for one slot (§3): oldest first (AppliedAt, else
 * Timestamp), only terminal tasks or tasks that will never run, until the
 * slot is within the limit. `keepDirty` when more than one task in the slot
 * is still live, so the slot is looked at again later.
 */
export function planSlotPrune(tasks: Task[], limit: number): { delete: Task[]; keepDirty: boolean } {
  const out = { delete: [] as Task[], keepDirty: false };
  if (limit < 0 || tasks.length <= limit) return out;
  const sorted = [...tasks].sort((a, b) => taskTimeMs(a) - taskTimeMs(b));
  let remaining = sorted.length;
  let live = 0;
  for (const t of sorted) {
    if (remaining <= limit) break;
    const neverRuns = sv(t.Status.State) < sv('assigned') && sv(t.DesiredState) > sv('running');
    if (isTerminal(t.Status.State) || neverRuns) {
      out.delete.push(t);
      remaining--;
    } else live++;
  }
  out.keepDirty = live > 1;
  return out;
}

/**
 * The task reaper: prunes per-slot history after new tasks are created
 * (batched for 250 ms, at once past 1000 pending), and deletes REMOVE tasks
 * as soon as they stopped or were never dispatched.
 */
export class TaskReaper {
  private dirty = new Set<string>();
  private cleanup = new Set<string>();
  private cancelTimer?: () => void;
  private unwatch?: () => void;
  private readonly runner: PassRunner;
  /** Services with slots or tasks the reaper could not handle. */
  private readonly faults = new FaultTracker();

  constructor(
    private readonly store: ClusterStore,
    private readonly clock: Clock,
  ) {
    this.runner = new PassRunner(() => this.tick(), 'task-reaper');
  }

  start(): void {
    const view = this.store.view;
    this.runner.start();
    this.unwatch = view.watch((e) => this.onEvent(e));
    eachChange(view.list('task'), 'task-reaper', (t) => {
      if (reapNow(t, !!view.get('service', t.ServiceID))) this.cleanup.add(t.ID);
    });
    if (this.cleanup.size) this.runner.kick();
  }

  async stop(): Promise<void> {
    this.unwatch?.();
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    await this.runner.stop();
  }

  idle(): Promise<void> {
    return this.runner.idle();
  }

  private onEvent(e: AppliedEvent): void {
    const view = this.store.view;
    let touched = false;
    eachChange(e.changes, 'task-reaper', (c) => {
      if (c.kind !== 'task' || c.action === 'delete') return;
      const t = c.object as Task;
      if (c.action === 'create') {
        this.dirty.add(slotKey(t));
        touched = true;
      } else if (this.dirty.has(slotKey(t))) touched = true; // a slot kept dirty may now be prunable
      if (reapNow(t, !!view.get('service', t.ServiceID))) {
        this.cleanup.add(t.ID);
        touched = true;
      }
    });
    if (!touched) return;
    if (this.dirty.size + this.cleanup.size > REAPER_MAX_DIRTY) this.runner.kick();
    // a batching window from the first change, not a debounce: a busy cluster must not starve it
    else if (!this.cancelTimer) this.cancelTimer = this.clock.setTimeout(() => this.runner.kick(), REAPER_BATCH_MS);
  }

  private async tick(): Promise<void> {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.dirty.size === 0 && this.cleanup.size === 0) return;
    const view = this.store.view;
    const slots = [...this.dirty];
    const cleanup = [...this.cleanup];
    this.dirty.clear();
    this.cleanup.clear();
    const clusterLimit = view.list('cluster')[0]?.Spec.Orchestration?.TaskHistoryRetentionLimit;
    const work = [...cleanup.map((id) => ({ id })), ...slots.map((key) => ({ key }))];
    for (let i = 0; i < work.length; i += PART_OPS) {
      if (i > 0) await yieldToLoop();
      const part = work.slice(i, i + PART_OPS);
      let keepDirty: string[] = [];
      try {
        await this.store.update(
          (tx) => {
            keepDirty = [];
            for (const w of part) {
              if ('id' in w) this.reapTask(tx, w.id);
              else if (this.pruneSlot(tx, w.key, clusterLimit)) keepDirty.push(w.key);
            }
          },
          { retry: true },
        );
      } catch (err) {
        for (const w of work.slice(i)) {
          if ('id' in w) this.cleanup.add(w.id);
          else this.dirty.add(w.key);
        }
        this.cancelTimer = this.clock.setTimeout(() => this.runner.kick(), 1_000);
        throw err;
      }
      for (const k of keepDirty) this.dirty.add(k);
    }
  }

  private reapTask(tx: Tx, id: string): void {
    const t = tx.get('task', id);
    if (!t) return;
    const r = isolate(tx, () => {
      if (reapNow(t, !!tx.get('service', t.ServiceID))) tx.delete('task', id);
    });
    this.outcome(tx, t.ServiceID, id, r.ok ? undefined : `task ${id}: ${r.message}`);
  }

  /** Prune one slot's history; true when the slot must be looked at again later. */
  private pruneSlot(tx: Tx, key: string, clusterLimit: number | undefined): boolean {
    const tasks = this.store.view.tasksBySlot(key).filter((t) => tx.get('task', t.ID));
    if (tasks.length === 0) return false;
    const serviceID = tasks[0]!.ServiceID;
    const r = isolate(tx, () => {
      const service = tx.get('service', serviceID);
      // a job's completed tasks of its current run are its progress: pruning one would run that slot again
      const iteration = service?.JobStatus?.JobIteration.Index;
      const prunable =
        iteration === undefined
          ? tasks
          : tasks.filter((t) => t.Status.State !== 'complete' || t.JobIteration?.Index !== iteration);
      const plan = planSlotPrune(prunable, retentionLimit(clusterLimit, service));
      for (const t of plan.delete) tx.delete('task', t.ID);
      return plan.keepDirty;
    });
    // a slot that cannot be pruned is left until its next task: it marks its service meanwhile
    this.outcome(tx, serviceID, key, r.ok ? undefined : `slot ${key}: ${r.message}`);
    return r.ok && r.value;
  }

  private outcome(tx: Tx, serviceID: string, key: string, fault: string | undefined): void {
    if (fault !== undefined) markService(tx, serviceID, 'reaper', this.faults.fail(serviceID, key, fault));
    else if (this.faults.pass(serviceID, key)) markService(tx, serviceID, 'reaper', undefined);
  }
}
