import { describe, expect, it } from 'vitest';
import type { ChangesFrame, ConsoleState } from '@/server/api/realtime';
import type { Node, Service, Task } from '@/server/api/types';
import { fixtureService, fixtureTask } from '../cluster/test-fixtures';
import { fixtureNode } from '../topology/test-fixtures';
import { progressModel } from '../updates/progress-model';
import { pendingGroups } from './alert-model';
import {
  applyPost,
  EMPTY_ENGINE,
  mapColumn,
  mapTasks,
  type EngineState,
  type EngineToPage,
  type MapModel,
  type PageToEngine,
} from './engine-protocol';
import { WallEngine } from './wall-engine';
import { wallModel, type WallModel } from './wall-model';

/** The wall model as the page draws it (with cards, as the engine starts). */
const drawn = (m: WallModel, cards = true): MapModel => ({
  ...m,
  columns: m.columns.map((c) => mapColumn(c, cards)),
  unplaced: mapTasks(m.unplaced, cards),
});

const T = '2026-01-01T12:00:00.000Z';
const NOW = Date.parse(T) + 60_000;
const nodes: Node[] = [1, 2, 3].map((i) => fixtureNode(`n${i}`, `worker-${i}`));
const web: Service = {
  ...fixtureService({ ID: 'web' }),
  Spec: { ...fixtureService().Spec, Name: 'web', Mode: { Replicated: { Replicas: 6 } } },
  UpdateStatus: { State: 'updating', Message: 'update in progress', StartedAt: T },
};
const task = (slot: number, over: Partial<Task> = {}): Task =>
  fixtureTask(web, {
    ID: `t${slot}`,
    Slot: slot,
    NodeID: `n${((slot - 1) % 3) + 1}`,
    Status: { Timestamp: T, State: 'running', Message: 'started' },
    ...over,
  });

const snapshot = (index: number, tasks: Task[]): ConsoleState => ({
  index,
  objects: { cluster: [], node: nodes, service: [web], task: tasks, network: [], secret: [], config: [] },
});

/** An engine and the page's state built from its posts, each message cloned as a worker's would be. */
function wired() {
  const engine = new WallEngine();
  let page: EngineState = EMPTY_ENGINE;
  const post = (p: EngineToPage) => (page = applyPost(page, structuredClone(p)));
  return {
    engine,
    send: (msg: PageToEngine) => engine.receive(structuredClone(msg)),
    map: () => post(engine.map()),
    tick: (now = NOW) => post(engine.tick(now)),
    page: () => page,
  };
}

const update = (from: number, t: Task): ChangesFrame => ({
  from,
  to: from + 1,
  changes: [{ kind: 'task', action: 'update', id: t.ID, object: t }],
});

describe('WallEngine', () => {
  it('posts the map as the page would work it out, then only the columns a frame changed', () => {
    const w = wired();
    const tasks = [1, 2, 3, 4, 5, 6].map((s) => task(s));
    w.send({ t: 'snapshot', s: snapshot(10, tasks) });
    const first = w.map();
    const fresh = wallModel(nodes, new Map([[web.ID, web]]), tasks);
    expect(first.model).toEqual(drawn(fresh));
    expect(first.index).toBe(10);
    expect(first.loaded).toBe(true);
    expect(w.engine.changed).toBe(false);

    // slot 2 (on n2) fails: the post carries n2's column alone, the page keeps n1's and n3's as they were
    const failed = task(2, { Status: { Timestamp: T, State: 'failed', Message: 'exit 1', Err: 'exit 1' } });
    w.send({ t: 'changes', f: update(10, failed) });
    expect(w.engine.changed).toBe(true);
    const raw = w.engine.map();
    expect(raw.columns.map((c) => c.nodeID)).toEqual(['n2']);
    expect(raw.unplaced).toBeNull();
    const second = applyPost(first, structuredClone(raw));
    expect(second.model).toEqual(
      drawn(wallModel(nodes, new Map([[web.ID, web]]), [...tasks.slice(0, 1), failed, ...tasks.slice(2)])),
    );
    expect(second.model.columns[0]).toBe(first.model.columns[0]);
    expect(second.model.columns[2]).toBe(first.model.columns[2]);
    expect(second.model.columns[1]).not.toBe(first.model.columns[1]);
  });

  it('sends heat cells as a byte a task while the map draws them, and every column again when that changes', () => {
    const w = wired();
    const tasks = [1, 2, 3, 4, 5, 6].map((s) => task(s));
    w.send({ t: 'snapshot', s: snapshot(10, tasks) });
    w.map();
    w.send({ t: 'cards', wanted: false });
    expect(w.engine.changed).toBe(true);
    const raw = w.engine.map();
    expect(raw.columns.map((c) => c.nodeID)).toEqual(['n1', 'n2', 'n3']); // all of them, drawn the other way
    const page = w.page();
    const cells = applyPost(page, structuredClone(raw)).model;
    expect(cells).toEqual(drawn(wallModel(nodes, new Map([[web.ID, web]]), tasks), false));
    expect(cells.columns.every((c) => c.cards.length === 0 && c.cells.length === 2)).toBe(true);
    expect(cells.columns[0]!.summary).toBe('2 tasks: 2 running');
    // saying the same again changes nothing
    w.send({ t: 'cards', wanted: false });
    expect(w.engine.changed).toBe(false);
  });

  it('groups the pending tasks for the alert strip', () => {
    const w = wired();
    const waiting = (slot: number) =>
      task(slot, {
        NodeID: '',
        Status: { Timestamp: T, State: 'pending', Message: 'pending', Err: 'no suitable node' },
      });
    const tasks = [task(1), waiting(2), waiting(3)];
    w.send({ t: 'snapshot', s: snapshot(5, tasks) });
    const page = w.map();
    expect(page.pending).toEqual(pendingGroups(tasks, new Map([[web.ID, web]])));
    expect(page.pending).toEqual([{ serviceID: 'web', service: 'web', reason: 'no suitable node', count: 2 }]);
    expect(page.model.unplaced.cards.map((t) => t.id)).toEqual(['t2', 't3']);
    expect(page.model.unplaced.count).toBe(2);
  });

  it('posts each rollout whole once, then only the cells that moved', () => {
    const w = wired();
    const tasks = [1, 2, 3, 4, 5, 6].map((s) => task(s));
    w.send({ t: 'snapshot', s: snapshot(10, tasks) });
    const first = w.engine.tick(NOW);
    expect(first.rollouts.map((r) => [r.name, r.length, r.changed.length])).toEqual([['web', 6, 6]]);
    const page1 = applyPost(EMPTY_ENGINE, structuredClone(first));
    const cells = (ts: Task[]) => progressModel(web, ts, [], NOW).cells;
    expect(page1.rollouts[0]!.cells).toEqual(cells(tasks));

    // nothing moved: nothing but the figures is posted, and the page keeps its cells array
    const idle = w.engine.tick(NOW + 1000);
    expect(idle.rollouts[0]!.changed).toEqual([]);
    const page2 = applyPost(page1, structuredClone(idle));
    expect(page2.rollouts[0]!.cells).toBe(page1.rollouts[0]!.cells);

    // slot 4 is being replaced: the cells that read differently now (its own, and any the batch moved to) alone
    // are posted
    const stopping = task(4, { DesiredState: 'shutdown' });
    w.send({ t: 'changes', f: update(10, stopping) });
    const moved = w.engine.tick(NOW + 2000);
    const now = [...tasks.slice(0, 3), stopping, ...tasks.slice(4)];
    const before = cells(tasks);
    const differ = cells(now).flatMap((c, i) => (JSON.stringify(c) === JSON.stringify(before[i]) ? [] : [i]));
    expect(differ).toContain(3);
    expect(differ.length).toBeLessThan(6);
    expect(moved.rollouts[0]!.changed.map(([i]) => i)).toEqual(differ);
    const page3 = applyPost(page2, structuredClone(moved));
    expect(page3.rollouts[0]!.cells).toEqual(cells(now));
    expect(page3.rollouts[0]!.cells[0]).toBe(page2.rollouts[0]!.cells[0]);
    expect(page3.rollouts[0]!.cells[3]).not.toBe(page2.rollouts[0]!.cells[3]);
  });

  it('builds the topology only while the page can show it', () => {
    const w = wired();
    w.send({ t: 'snapshot', s: snapshot(1, [task(1)]) });
    expect(w.engine.tick(NOW).topology?.services.map((s) => s.name)).toEqual(['web']);
    w.send({ t: 'topology', wanted: false });
    expect(w.engine.tick(NOW).topology).toBeNull();
  });

  it('follows the frames as the page store does: a gap or a stale frame changes nothing', () => {
    const w = wired();
    w.send({ t: 'snapshot', s: snapshot(10, [task(1)]) });
    w.map();
    w.send({ t: 'changes', f: update(12, task(1, { DesiredState: 'shutdown' })) }); // a gap: the page resyncs
    w.send({ t: 'changes', f: update(9, task(1, { DesiredState: 'shutdown' })) }); // already covered
    expect(w.engine.changed).toBe(false);
    w.send({ t: 'narrow', scope: { services: [] } });
    expect(w.map().model.columns.every((c) => c.count === 0)).toBe(true);
  });
});
