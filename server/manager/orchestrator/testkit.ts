// Test helpers for the orchestrator loops: a bounded poll and a fake agent
// pipeline (no allocator/scheduler/dispatcher) that drives observed states.
import type { Service, ServiceSpec, Task, TaskState } from '../../api/types';
import type { ClusterStore } from '../../store/cluster-store';
import type { ManualClock } from '../../util/clock';
import { sv } from './task-factory';

/** Poll `cond` (optionally advancing a manual clock each step) until true, or fail after `tries`. */
export async function until(
  cond: () => boolean,
  opts: { clock?: ManualClock; stepMs?: number; tries?: number } = {},
): Promise<void> {
  const tries = opts.tries ?? 400;
  for (let i = 0; i < tries; i++) {
    if (cond()) return;
    if (opts.clock && opts.stepMs) opts.clock.advance(opts.stepMs);
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('condition not met in time');
}

export const settle = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Set observed state of a task (as the dispatcher would), stamping AppliedAt. */
export async function report(store: ClusterStore, taskID: string, state: TaskState, nodeID?: string): Promise<void> {
  await store.update(
    (tx) => {
      const t = tx.get('task', taskID)!;
      tx.update('task', {
        ...t,
        NodeID: nodeID ?? t.NodeID,
        Status: { ...t.Status, State: state, Message: state, Timestamp: tx.now, AppliedAt: tx.now },
      });
    },
    { retry: true },
  );
}

/** What the control API does on UpdateService: new spec, new SpecVersion, UpdateStatus reset. */
export async function updateService(store: ClusterStore, id: string, change: (s: ServiceSpec) => ServiceSpec) {
  await store.update((tx) => {
    const s = tx.get('service', id)!;
    const next: Service = {
      ...s,
      PreviousSpec: s.Spec,
      PreviousSpecVersion: s.SpecVersion,
      Spec: change(s.Spec),
      SpecVersion: { Index: s.Version.Index },
    };
    delete next.UpdateStatus;
    tx.update('service', next);
  });
}

/**
 * Stands in for allocator + scheduler + agents: tasks with desired RUNNING
 * (or a job's COMPLETE) go to RUNNING on `nodeID` (or their pre-assigned node), desired READY
 * parks at READY, desired ≥ SHUTDOWN stops. `hold` tasks are left alone.
 */
export class FakeAgents {
  readonly hold = new Set<string>();
  enabled = true;
  /** Overrides the state a task is moved to: return another state, or null to leave the task as it is. */
  fate?: (t: Task, to: TaskState) => TaskState | null;
  private pending = new Set<string>();
  private unwatch?: () => void;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly store: ClusterStore,
    private readonly nodeID: () => string,
  ) {}

  start(): void {
    this.unwatch = this.store.view.watch((e) => {
      for (const c of e.changes) if (c.kind === 'task' && c.action !== 'delete') this.pending.add(c.object.ID);
      this.kick();
    });
  }
  stop(): void {
    this.unwatch?.();
  }
  kick(): void {
    if (this.flushing || !this.enabled) return;
    this.flushing = Promise.resolve().then(() => this.flush());
  }
  private async flush(): Promise<void> {
    while (this.pending.size && this.enabled) {
      const ids = [...this.pending];
      this.pending.clear();
      await this.store.update(
        (tx) => {
          for (const id of ids) {
            if (this.hold.has(id)) continue;
            const t = tx.get('task', id);
            if (!t) continue;
            const next = step(t, this.nodeID, tx.now, this.fate);
            if (next) tx.update('task', next);
          }
        },
        { retry: true },
      );
    }
    this.flushing = undefined;
  }
}

function step(
  t: Task,
  nodeID: () => string,
  now: string,
  fate?: (t: Task, to: TaskState) => TaskState | null,
): Task | undefined {
  const obs = sv(t.Status.State);
  let to: TaskState | undefined;
  if (sv(t.DesiredState) >= sv('shutdown')) to = obs <= sv('running') ? 'shutdown' : undefined;
  // a job task (desired COMPLETE) runs; the test reports how it ends
  else if ((t.DesiredState === 'running' || t.DesiredState === 'complete') && obs < sv('running')) to = 'running';
  else if (t.DesiredState === 'ready' && obs < sv('ready')) to = 'ready';
  if (to && fate) to = fate(t, to) ?? undefined;
  if (!to) return undefined;
  return {
    ...t,
    NodeID: t.NodeID || nodeID(),
    Status: { ...t.Status, State: to, Message: to, Timestamp: now, AppliedAt: now },
  };
}
