import { describe, expect, it } from 'vitest';
import type { Service, Task } from '@/server/api/types';
import { fixtureService } from '../cluster/test-fixtures';
import { attach, fixtureNode, runningTask, swarmFixture } from './test-fixtures';
import {
  cellPosition,
  compactLayout,
  EMPTY_LAYOUT,
  GAP,
  groupHeight,
  layoutTopology,
  nearestFree,
  rowOf,
  type Box,
  type TopologyLayout,
} from './topology-layout';
import { applyTopologyFilter, buildTopology, type TopologyInput, type TopologyModel } from './topology-model';

const rowCards = (m: TopologyModel) => [...m.networks, ...m.ports, ...m.services, ...m.nodes];

function expectNoOverlap(m: TopologyModel, l: TopologyLayout): void {
  for (let row = 0; row < 3; row++) {
    const boxes = rowCards(m)
      .filter((c) => rowOf(c.kind) === row)
      .map((c) => ({ id: c.id, ...l.boxes.get(c.id)! }))
      .sort((a, b) => a.x - b.x);
    for (let i = 1; i < boxes.length; i++) {
      const a = boxes[i - 1]!;
      const b = boxes[i]!;
      expect(a.x + a.width + GAP.x, `${a.id} overlaps ${b.id}`).toBeLessThanOrEqual(b.x);
    }
    if (boxes.length) expect(new Set(boxes.map((b) => b.y)).size).toBe(1);
  }
  const cells = new Set([...l.cells.values()].map((c) => `${c.parent}#${c.index}`));
  expect(cells.size).toBe(l.cells.size);
}

/** Every card in both models kept its position (tasks: their cell and parent). */
function expectStable(before: TopologyLayout, after: TopologyLayout, m: TopologyModel, exclude: string[] = []): void {
  for (const [id, b] of before.boxes) {
    const a = after.boxes.get(id);
    if (!a || exclude.includes(id)) continue;
    expect({ id, x: a.x, y: a.y }).toEqual({ id, x: b.x, y: b.y });
  }
  for (const [id, c] of before.cells) {
    const a = after.cells.get(id);
    if (a && m.tasks.some((t) => t.id === id)) expect(a).toEqual(c);
  }
}

function addService(
  input: TopologyInput & { web: Service },
  id: string,
  nodes: string[],
): { svc: Service; tasks: Task[] } {
  const svc = fixtureService({
    ID: id,
    Spec: { ...input.web.Spec, Name: id },
    Endpoint: { Spec: { Mode: 'vip' }, VirtualIPs: [{ NetworkID: 'app', Addr: '10.0.1.50/24' }] },
  });
  const tasks = nodes.map((n, i) => runningTask(svc, `${id}-${i + 1}`, i + 1, n));
  return { svc, tasks };
}

describe('layoutTopology', () => {
  it('first layout: one row per kind, nothing overlapping, tasks in their node in name order', () => {
    const f = swarmFixture();
    const extra = runningTask(f.web, 't4', 4, 'n1');
    const m = buildTopology({ ...f, tasks: [...f.tasks, extra] });
    const l = layoutTopology(EMPTY_LAYOUT, m);
    expectNoOverlap(m, l);
    const y = (id: string) => l.boxes.get(id)!.y;
    expect(y('net:app')).toBe(y('port:web:tcp:8080:ingress'));
    expect(y('net:app')).toBeLessThan(y('svc:web'));
    expect(y('svc:web')).toBeLessThan(y('node:n1'));
    expect(l.cells.get('task:t1')).toEqual({ parent: 'node:n1', index: 0 });
    expect(l.cells.get('task:t4')).toEqual({ parent: 'node:n1', index: 1 });
    expect(l.boxes.get('task:t4')).toMatchObject(cellPosition(1));
    expect(l.boxes.get('node:n1')!.height).toBe(groupHeight(2));
    expect(l.boxes.get('node:n2')!.height).toBe(groupHeight(1));
    expect(Math.min(...rowCards(m).map((c) => l.boxes.get(c.id)!.x))).toBe(0);
    // nodes in name order, left to right
    const xs = ['node:n1', 'node:n2', 'node:n3'].map((id) => l.boxes.get(id)!.x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
  });

  it('node groups read in name order even when nothing links them yet', () => {
    const nodes = ['sim-worker-1', 'sim-worker-2', 'sim-worker-3', 'vm'].map((n, i) => fixtureNode(`x${i}`, n));
    const m = buildTopology({ networks: [], services: [], tasks: [], nodes });
    const l = layoutTopology(EMPTY_LAYOUT, m);
    const xs = m.nodes.map((n) => l.boxes.get(n.id)!.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expectNoOverlap(m, l);
  });

  it('is deterministic', () => {
    const m = buildTopology(swarmFixture());
    expect(layoutTopology(EMPTY_LAYOUT, m)).toEqual(layoutTopology(EMPTY_LAYOUT, m));
  });

  it('a new service and its tasks are placed without moving anything already there', () => {
    const f = swarmFixture();
    const m1 = buildTopology(f);
    const l1 = layoutTopology(EMPTY_LAYOUT, m1);
    const { svc, tasks } = addService(f, 'api', ['n2', 'n2', 'n3']);
    const m2 = buildTopology({ ...f, services: [f.web, svc], tasks: [...f.tasks, ...tasks] });
    const l2 = layoutTopology(l1, m2);
    expectStable(l1, l2, m2);
    expectNoOverlap(m2, l2);
    expect(l2.cells.get('task:api-1')).toEqual({ parent: 'node:n2', index: 1 });
    expect(l2.cells.get('task:api-2')).toEqual({ parent: 'node:n2', index: 2 });
    expect(l2.cells.get('task:api-3')).toEqual({ parent: 'node:n3', index: 1 });
    // the group grew downwards from where it was
    expect(l2.boxes.get('node:n2')).toMatchObject({ x: l1.boxes.get('node:n2')!.x, height: groupHeight(3) });
    // placed beside its neighbours: the new service sits in the services row
    expect(l2.boxes.get('svc:api')!.y).toBe(l1.boxes.get('svc:web')!.y);
  });

  it('a task that leaves frees its cell for the next one; the others stay', () => {
    const f = swarmFixture();
    const four = runningTask(f.web, 't4', 4, 'n1');
    const five = runningTask(f.web, 't5', 5, 'n1');
    const m1 = buildTopology({ ...f, tasks: [...f.tasks, four, five] });
    const l1 = layoutTopology(EMPTY_LAYOUT, m1);
    expect(l1.cells.get('task:t4')!.index).toBe(1);
    const m2 = buildTopology({ ...f, tasks: [...f.tasks, five] });
    const l2 = layoutTopology(l1, m2);
    expect(l2.cells.get('task:t5')).toEqual({ parent: 'node:n1', index: 2 });
    expect(l2.cells.has('task:t4')).toBe(false);
    const six = runningTask(f.web, 't6', 6, 'n1');
    const l3 = layoutTopology(l2, buildTopology({ ...f, tasks: [...f.tasks, five, six] }));
    expect(l3.cells.get('task:t6')).toEqual({ parent: 'node:n1', index: 1 });
    expect(l3.cells.get('task:t5')).toEqual({ parent: 'node:n1', index: 2 });
  });

  it('draining a node: its tasks leave its group, replacements join the others below their tasks', () => {
    const f = swarmFixture();
    const m1 = buildTopology(f);
    const l1 = layoutTopology(EMPTY_LAYOUT, m1);
    f.nodes[0]!.Spec.Availability = 'drain';
    // the old task is told to stop (still running: draining), its replacement is starting on n2
    const old = { ...f.tasks[0]!, DesiredState: 'shutdown' as const };
    const repl = runningTask(f.web, 't1b', 1, 'n2', {
      Status: { Timestamp: '', State: 'starting', Message: '' },
      NetworksAttachments: [attach(f.appnet, '10.0.1.9/24')],
    });
    const m2 = buildTopology({ ...f, tasks: [old, f.tasks[1]!, f.tasks[2]!, repl] });
    const l2 = layoutTopology(l1, m2);
    expectStable(l1, l2, m2);
    expect(m2.tasks.find((t) => t.taskID === 't1')!.draining).toBe(true);
    expect(l2.cells.get('task:t1b')).toEqual({ parent: 'node:n2', index: 1 });
    // then the old one is gone; n1 is an empty group at the same place
    const m3 = buildTopology({ ...f, tasks: [f.tasks[1]!, f.tasks[2]!, repl] });
    const l3 = layoutTopology(l2, m3);
    expectStable(l2, l3, m3);
    expect(l3.boxes.get('node:n1')).toMatchObject({ x: l1.boxes.get('node:n1')!.x, height: groupHeight(0) });
  });

  it('a new node joins its row without pushing the others', () => {
    const f = swarmFixture();
    const l1 = layoutTopology(EMPTY_LAYOUT, buildTopology(f));
    const m2 = buildTopology({ ...f, nodes: [...f.nodes, fixtureNode('n4', 'delta')] });
    const l2 = layoutTopology(l1, m2);
    expectStable(l1, l2, m2);
    expectNoOverlap(m2, l2);
  });

  it('streams of random changes never move a card that stays, nor overlap two', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const f = swarmFixture();
    const nodes = [...f.nodes];
    const services = new Map<string, Service>([['web', f.web]]);
    const tasks = new Map<string, Task>(f.tasks.map((t) => [t.ID, t]));
    let layout = EMPTY_LAYOUT;
    let n = 0;
    for (let step = 0; step < 150; step++) {
      const op = rnd(6);
      if (op === 0) {
        const { svc, tasks: ts } = addService(
          { ...f, web: f.web },
          `s${++n}`,
          Array.from({ length: 1 + rnd(4) }, () => nodes[rnd(nodes.length)]!.ID),
        );
        services.set(svc.ID, svc);
        for (const t of ts) tasks.set(t.ID, t);
      } else if (op === 1 && services.size > 1) {
        const id = [...services.keys()][1 + rnd(services.size - 1)]!;
        services.delete(id);
        for (const [tid, t] of tasks) if (t.ServiceID === id) tasks.delete(tid);
      } else if (op === 2 && tasks.size) {
        tasks.delete([...tasks.keys()][rnd(tasks.size)]!);
      } else if (op === 3) {
        const svc = [...services.values()][rnd(services.size)]!;
        const t = runningTask(svc, `x${++n}`, 90 + n, nodes[rnd(nodes.length)]!.ID);
        tasks.set(t.ID, t);
      } else if (op === 4 && nodes.length < 7) {
        nodes.push(fixtureNode(`n${nodes.length + 1}`, `node-${nodes.length + 1}`));
      }
      const m = buildTopology({ networks: f.networks, services: services.values(), tasks: tasks.values(), nodes });
      const next = layoutTopology(layout, m);
      expectStable(layout, next, m);
      expectNoOverlap(m, next);
      layout = next;
    }
  });
});

describe('compactLayout', () => {
  it('a filter closes up the cells its hidden tasks leave and shrinks the groups; rows stay put', () => {
    const f = swarmFixture();
    const { svc, tasks } = addService(f, 'api', ['n1', 'n1', 'n2']);
    const all = buildTopology({ ...f, services: [f.web, svc], tasks: [...tasks, ...f.tasks] });
    const layout = layoutTopology(EMPTY_LAYOUT, all);
    // web's task on n1 came after api's two there: cell 2 of 3
    expect(layout.cells.get('task:t1')).toEqual({ parent: 'node:n1', index: 2 });
    const shown = applyTopologyFilter(all, { service: 'web' });
    const c = compactLayout(layout, shown);
    expect(c.cells.get('task:t1')).toEqual({ parent: 'node:n1', index: 0 });
    expect(c.boxes.get('task:t1')).toMatchObject(cellPosition(0));
    expect(c.cells.has('task:api-1')).toBe(false);
    expect(c.boxes.get('node:n1')!.height).toBe(groupHeight(1));
    for (const id of ['node:n1', 'node:n2', 'svc:web', 'net:app'])
      expect({ id, x: c.boxes.get(id)!.x, y: c.boxes.get(id)!.y }).toEqual({
        id,
        x: layout.boxes.get(id)!.x,
        y: layout.boxes.get(id)!.y,
      });
    // the sticky layout underneath is untouched
    expect(layout.cells.get('task:t1')!.index).toBe(2);
    expect(layout.boxes.get('node:n1')!.height).toBe(groupHeight(3));
  });
});

describe('nearestFree', () => {
  const box = (x: number, width = 100): Box => ({ x, y: 0, width, height: 10 });
  it('takes the wanted spot when it is free', () => {
    expect(nearestFree([box(0)], 100, 500)).toBe(450);
  });
  it('moves to the nearest side of what is in the way', () => {
    expect(nearestFree([box(0)], 100, 60)).toBe(100 + GAP.x);
    expect(nearestFree([box(300)], 100, 310)).toBe(300 - GAP.x - 100);
  });
  it('finds a gap between two cards only when it is wide enough', () => {
    const gapFits = [box(0), box(100 + 2 * GAP.x + 100)];
    expect(nearestFree(gapFits, 100, 150 + GAP.x)).toBe(100 + GAP.x);
    const tooNarrow = [box(0), box(100 + 2 * GAP.x + 99)];
    expect(nearestFree(tooNarrow, 100, 150 + GAP.x)).not.toBe(100 + GAP.x);
  });
});
