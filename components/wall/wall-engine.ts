// The wall's engine: it keeps the cluster's tasks and works out what the wall
// draws from them, in a worker (wall-engine.worker.ts) so that neither the
// tasks nor the work over them are on the page's thread. With 25,000 tasks
// under churn, the page's collector alone paused it for 70-250 ms at a time.
// Worker-free: the worker only wires messages and timers to it, and tests
// drive it directly.

import { ClientClusterStore } from '../realtime/client-store';
import { buildTopology } from '../topology/topology-model';
import type { ProgressMemo, SlotCell } from '../updates/progress-model';
import { pendingGroups } from './alert-model';
import {
  mapColumn,
  mapTasks,
  type MapColumn,
  type MapPost,
  type MapTasks,
  type PageToEngine,
  type RolloutPost,
  type TickPost,
} from './engine-protocol';
import { keepSameCells, wallRollouts, type HeldRollouts } from './updates-model';
import { wallMemo, wallModel, type WallColumn, type WallTask } from './wall-model';

export class WallEngine {
  private readonly store = new ClientClusterStore();
  private readonly memo = wallMemo();
  private readonly progressMemos = new Map<string, ProgressMemo>();
  private readonly heldRollouts: HeldRollouts = new Map();
  /**
   * Each column and not-placed list as the page draws it, made once per model object (and cards setting). The
   * model keeps what did not change as the same object, so one made anew is one the page does not have yet.
   */
  private drawn = new WeakMap<WallColumn, MapColumn>();
  private drawnUnplaced: WallTask[] | null = null;
  private cards = true;
  /** each rollout's cells as last posted */
  private sentCells = new Map<string, readonly SlotCell[]>();
  private topologyWanted = true;
  /** the store's view when the map was last posted */
  private mapped: unknown = null;

  /** Take a message from the page. */
  receive(msg: PageToEngine): void {
    if (msg.t === 'snapshot') this.store.applySnapshot(msg.s);
    else if (msg.t === 'changes') this.store.applyChanges(msg.f);
    else if (msg.t === 'narrow') this.store.narrowTasks(msg.scope);
    else if (msg.t === 'topology') this.topologyWanted = msg.wanted;
    else if (msg.wanted !== this.cards) {
      // every box is drawn the other way now: all of them go out again
      this.cards = msg.wanted;
      this.drawn = new WeakMap();
      this.drawnUnplaced = null;
      this.mapped = null;
    }
  }

  /** Whether anything arrived since the last map post. */
  get changed(): boolean {
    return this.store.getView() !== this.mapped;
  }

  /** The wall model as changed since the last map post. */
  map(): MapPost {
    const view = this.store.getView();
    this.mapped = view;
    const { node, service, task } = view.tables;
    const m = wallModel(node.values(), service, task.values(), this.memo);
    const columns: MapColumn[] = [];
    for (const c of m.columns) {
      if (this.drawn.has(c)) continue;
      const d = mapColumn(c, this.cards);
      this.drawn.set(c, d);
      columns.push(d);
    }
    let unplaced: MapTasks | null = null;
    if (this.drawnUnplaced !== m.unplaced) {
      unplaced = mapTasks(m.unplaced, this.cards);
      this.drawnUnplaced = m.unplaced;
    }
    return {
      t: 'map',
      index: view.index,
      loaded: view.loaded,
      order: m.columns.map((c) => c.nodeID),
      columns,
      unplaced,
      services: m.services,
      nodesReady: m.nodesReady,
      tasksRunning: m.tasksRunning,
      tasksWanted: m.tasksWanted,
      pending: pendingGroups(task.values(), service),
    };
  }

  /** The rollouts under way (cells changed since the last tick) and the topology, as of `now`. */
  tick(now: number): TickPost {
    const { node, service, task, network } = this.store.getView().tables;
    const tasks = [...task.values()];
    const rollouts = wallRollouts(service, tasks, node, now, this.progressMemos, this.heldRollouts);
    const cells = new Map<string, readonly SlotCell[]>();
    const posts = rollouts.map(({ service: s, model: p }): RolloutPost => {
      const was = this.sentCells.get(s.ID);
      const kept = keepSameCells(was, p.cells);
      cells.set(s.ID, kept);
      const changed: [number, SlotCell][] = [];
      if (kept !== was) kept.forEach((c, i) => c !== was?.[i] && changed.push([i, c]));
      return {
        serviceID: s.ID,
        name: s.Spec.Name,
        phase: p.phase,
        rollingBack: p.rollingBack,
        done: p.done,
        total: p.total,
        message: p.message,
        length: kept.length,
        changed,
      };
    });
    this.sentCells = cells;
    const topology = this.topologyWanted
      ? buildTopology(
          { networks: network.values(), services: service.values(), tasks, nodes: node.values() },
          { taskCards: false },
        )
      : null;
    return { t: 'tick', rollouts: posts, topology };
  }
}
