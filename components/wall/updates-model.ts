import type { Node, Service, Task } from '@/server/api/types';
import { nodeName } from '../cluster/derive';
import { ProgressMemo, progressModel, type ProgressModel, type SlotCell } from '../updates/progress-model';

const UNDER_WAY = new Set(['updating', 'paused', 'rollback_started', 'rollback_paused']);
const FINISHED = new Set(['completed', 'rollback_completed']);

/**
 * How long a finished rollout stays on the wall, marked completed or rolled back: one turn of the default
 * rotation (five views of 20 s) and some, so a rollout that ends while another view is up is still seen.
 * It also keeps a service's strip on screen from one rollout to its next, instead of building it again.
 */
export const FINISHED_SHOWN_MS = 120_000;

/** What the wall's updates view shows: rollouts under way or stuck, and those finished in the last two minutes. */
export function rolloutOnWall(s: Service, now: number): boolean {
  const st = s.UpdateStatus;
  if (!st) return false;
  if (UNDER_WAY.has(st.State)) return true;
  const at = st.CompletedAt ? Date.parse(st.CompletedAt) : NaN;
  return FINISHED.has(st.State) && now - at < FINISHED_SHOWN_MS;
}

export interface WallRollout {
  service: Service;
  model: ProgressModel;
}

/**
 * How long a rollout stays on the wall while its service has no update status at all. A service update
 * clears the status (as swarmkit's does) and the updater writes "updating" a moment later: the rollout
 * left the wall in between, and the updates view was built again (or skipped) for it.
 */
export const STATUS_GAP_HOLD_MS = 10_000;

/** Each service's rollout as it last read on the wall, and when (wallRollouts keeps it across a status gap). */
export type HeldRollouts = Map<string, { at: number; rollout: WallRollout }>;

/**
 * The rollouts on the wall (under way, stuck, or just finished: rolloutOnWall), by service name, each worked
 * out with its service's memo. `memos` and `held` live as long as the wall: a service's memo is kept while its
 * rollout is on the wall, whether or not the updates view is on screen, so turning to the view is not a first
 * pass over thousands of slots; it is dropped after. A service whose status was just cleared (a new update
 * requested) keeps its last rollout for STATUS_GAP_HOLD_MS.
 */
export function wallRollouts(
  services: ReadonlyMap<string, Service>,
  tasks: readonly Task[],
  nodes: ReadonlyMap<string, Node>,
  now: number,
  memos: Map<string, ProgressMemo>,
  held: HeldRollouts = new Map(),
): WallRollout[] {
  const inGap = (s: Service) => !s.UpdateStatus && (held.get(s.ID)?.at ?? -Infinity) > now - STATUS_GAP_HOLD_MS;
  // each service's standing worked out once: on the wall in its own right, or held through a status gap
  const shown = [...services.values()]
    .map((service) => ({ service, live: rolloutOnWall(service, now) }))
    .filter(({ service, live }) => live || inGap(service))
    .sort((a, b) => a.service.Spec.Name.localeCompare(b.service.Spec.Name));
  const ids = new Set(shown.map(({ service }) => service.ID));
  for (const id of memos.keys()) if (!ids.has(id)) memos.delete(id);
  for (const id of held.keys()) if (!ids.has(id)) held.delete(id);
  const name = (id: string) => {
    const n = nodes.get(id);
    return n ? nodeName(n) : id.slice(0, 12);
  };
  return shown.map(({ service, live }) => {
    // in a status gap: as it last read (no status would read as idle)
    if (!live) return held.get(service.ID)!.rollout;
    let memo = memos.get(service.ID);
    if (!memo) memos.set(service.ID, (memo = new ProgressMemo()));
    const rollout = { service, model: progressModel(service, tasks, [], now, name, memo) };
    held.set(service.ID, { at: now, rollout });
    return rollout;
  });
}

const sameCell = (a: SlotCell, b: SlotCell) =>
  a.key === b.key &&
  a.label === b.label &&
  a.state === b.state &&
  a.taskID === b.taskID &&
  a.nodeID === b.nodeID &&
  a.taskState === b.taskState &&
  a.health === b.health &&
  a.monitoring === b.monitoring &&
  a.err === b.err;

/**
 * `next` with every cell that reads the same as in `prev` replaced by the
 * previous object: the strip's cells are memoised by object, so a rollout of
 * 5,000 slots redraws only the slots that moved. The array itself is `prev`
 * when nothing moved.
 */
export function keepSameCells(prev: readonly SlotCell[] | undefined, next: readonly SlotCell[]): readonly SlotCell[] {
  if (!prev) return next;
  const before = new Map(prev.map((c) => [c.key, c]));
  let changed = prev.length !== next.length;
  const out = next.map((c, i) => {
    const was = before.get(c.key);
    if (was && sameCell(was, c)) {
      if (prev[i] !== was) changed = true;
      return was;
    }
    changed = true;
    return c;
  });
  return changed ? out : prev;
}
