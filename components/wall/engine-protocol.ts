// What the wall page and its engine (a worker: wall-engine.worker.ts) say to
// each other, and how the page puts the engine's posts back together. The
// engine keeps the 25,000 tasks and works out the map, the rollouts and the
// topology; the page keeps what it draws. A post carries only what changed
// since the last one, so the page's heap and its collector stay small, and
// what did not change stays the same object on the page (its memoised boxes
// and canvases redraw only what moved).

import type { ChangesFrame, ConsoleState, TaskScope } from '@/server/api/realtime';
import type { TopologyModel } from '../topology/topology-model';
import type { Phase, SlotCell } from '../updates/progress-model';
import type { PendingGroup } from './alert-model';
import { cellsSummary } from './cells-paint';
import { cellCode, type WallColumn, type WallModel, type WallTask } from './wall-model';

/** Page → engine: the frames the page's store takes (TaskHolder), and whether the topology can be shown. */
export type PageToEngine =
  | { t: 'snapshot'; s: ConsoleState & { tasks?: TaskScope } }
  | { t: 'changes'; f: ChangesFrame }
  | { t: 'narrow'; scope: TaskScope }
  | { t: 'topology'; wanted: boolean }
  /** whether the map draws cards or chips (which need each task's name and state), not heat cells */
  | { t: 'cards'; wanted: boolean };

/** A box of tasks on the map as the page draws it: a node's, or the not-placed box's. */
export interface MapTasks {
  count: number;
  /** what a screen reader hears for its heat cells (cellsSummary) */
  summary: string;
  /** each task as a heat cell (cellCode), in the box's order */
  cells: Uint8Array;
  /** the cards, while the map draws cards or chips; none while it draws heat cells */
  cards: WallTask[];
}

/** A node's column as the page draws it. */
export type MapColumn = Omit<WallColumn, 'tasks'> & MapTasks;

/** The map as the page draws it: the wall model with each box's tasks as MapTasks. */
export type MapModel = Omit<WallModel, 'columns' | 'unplaced'> & { columns: MapColumn[]; unplaced: MapTasks };

/** A box's tasks as the page draws them; `cards`: with each task's card. */
export function mapTasks(tasks: readonly WallTask[], cards: boolean): MapTasks {
  return {
    count: tasks.length,
    summary: cellsSummary(tasks),
    cells: Uint8Array.from(tasks, cellCode),
    cards: cards ? [...tasks] : [],
  };
}

/** A node's column as the page draws it. */
export function mapColumn({ tasks, ...node }: WallColumn, cards: boolean): MapColumn {
  return { ...node, ...mapTasks(tasks, cards) };
}

/** The wall model, as changed since the engine's last map post. */
export type MapPost = Omit<MapModel, 'unplaced'> & {
  t: 'map';
  index: number;
  loaded: boolean;
  /** every node's ID, in column order */
  order: string[];
  /** the columns that are new since the last post (every one in the first) */
  columns: MapColumn[];
  /** null: the same as in the last post */
  unplaced: MapTasks | null;
  pending: PendingGroup[];
};

/** A rollout as the wall draws it. */
export interface WallRolloutView {
  serviceID: string;
  name: string;
  phase: Phase;
  rollingBack: boolean;
  done: number;
  total: number;
  message: string;
  cells: readonly SlotCell[];
}

/** A rollout in a tick post: its cells as changed since the last post (by index; every one the first time). */
export interface RolloutPost extends Omit<WallRolloutView, 'cells'> {
  length: number;
  changed: [number, SlotCell][];
}

/** Once a second: the rollouts under way, and the topology (without task cards) while it can be shown. */
export interface TickPost {
  t: 'tick';
  rollouts: RolloutPost[];
  topology: TopologyModel | null;
}

export type EngineToPage = MapPost | TickPost;

/** What the page draws from the engine. */
export interface EngineState {
  index: number;
  loaded: boolean;
  model: MapModel;
  pending: readonly PendingGroup[];
  rollouts: readonly WallRolloutView[];
  topology: TopologyModel | null;
}

export const EMPTY_MODEL: MapModel = {
  columns: [],
  unplaced: mapTasks([], false),
  services: [],
  nodesReady: 0,
  tasksRunning: 0,
  tasksWanted: 0,
};

export const EMPTY_ENGINE: EngineState = {
  index: 0,
  loaded: false,
  model: EMPTY_MODEL,
  pending: [],
  rollouts: [],
  topology: null,
};

/** The model a map post describes, with every column it does not carry taken from `prev`. */
export function mergeMap(prev: MapModel, post: MapPost): MapModel {
  const { t: _t, index: _i, loaded: _l, order, columns: fresh, unplaced, pending: _p, ...counts } = post;
  const byNode = new Map(prev.columns.map((c) => [c.nodeID, c]));
  for (const c of fresh) byNode.set(c.nodeID, c);
  const columns = order.map((id) => {
    const c = byNode.get(id);
    // the engine sends a column the first time it is in a post, and whenever it changed
    if (!c) throw new Error(`map post without node ${id}'s column`);
    return c;
  });
  const sameOrder = columns.length === prev.columns.length && columns.every((c, i) => c === prev.columns[i]);
  return { ...counts, columns: sameOrder ? prev.columns : columns, unplaced: unplaced ?? prev.unplaced };
}

/** The rollouts a tick post describes, each one's cells patched over the ones it had. */
export function mergeRollouts(prev: readonly WallRolloutView[], posts: readonly RolloutPost[]): WallRolloutView[] {
  const before = new Map(prev.map((r) => [r.serviceID, r]));
  return posts.map(({ length, changed, ...rest }) => {
    const was = before.get(rest.serviceID)?.cells;
    let cells: readonly SlotCell[];
    if (was && was.length === length && changed.length === 0) cells = was;
    else {
      const next = was ? was.slice(0, length) : [];
      for (const [i, cell] of changed) next[i] = cell;
      if (next.length !== length) throw new Error(`rollout of ${rest.name} posted without all its cells`);
      cells = next;
    }
    return { ...rest, cells };
  });
}

/** The page's state after one post. */
export function applyPost(state: EngineState, post: EngineToPage): EngineState {
  if (post.t === 'map') {
    return {
      ...state,
      index: post.index,
      loaded: post.loaded,
      model: mergeMap(state.model, post),
      pending: post.pending,
    };
  }
  return { ...state, rollouts: mergeRollouts(state.rollouts, post.rollouts), topology: post.topology };
}
