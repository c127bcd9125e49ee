import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Task } from '@/server/api/types';
import { fixtureService, fixtureTask } from '../cluster/test-fixtures';
import { fixtureNode, runningTask } from '../topology/test-fixtures';
import { replicaCounts } from '@/server/api/replica-counts';
import { HUES, serviceHues, wallMemo, wallModel } from './wall-model';

const web = fixtureService({ ID: 'web', Spec: { ...fixtureService().Spec, Name: 'web' } });
const api = fixtureService({ ID: 'api', Spec: { ...fixtureService().Spec, Name: 'api' } });
const services = new Map([
  [web.ID, web],
  [api.ID, api],
]);

const leader = fixtureNode('n0', 'manager-1', {
  ManagerStatus: { Leader: true, Reachability: 'reachable', Addr: '127.0.0.1:2377' },
});
leader.Spec.Role = 'manager';
const w1 = fixtureNode('n1', 'worker-1');
const w2 = fixtureNode('n2', 'worker-2', { Status: { State: 'down', Addr: '127.0.0.2' } });
const w10 = fixtureNode('n3', 'worker-10');
w10.Spec.Availability = 'drain';

const state = (t: Task, State: Task['Status']['State'], DesiredState: Task['DesiredState'] = 'running'): Task => ({
  ...t,
  DesiredState,
  Status: { ...t.Status, State },
});

describe('wallModel', () => {
  it('puts managers first, then nodes by name, in an order that does not follow their state', () => {
    const m = wallModel([w10, w2, w1, leader], services, []);
    expect(m.columns.map((c) => c.name)).toEqual(['manager-1', 'worker-1', 'worker-2', 'worker-10']);
    expect(m.columns.map((c) => [c.leader, c.condition])).toEqual([
      [true, 'ok'],
      [false, 'ok'],
      [false, 'down'],
      [false, 'drained'],
    ]);
    expect(m.nodesReady).toBe(3);
  });

  it("shows each node's current tasks in slot order, and the ones no node took apart", () => {
    const tasks = [
      runningTask(web, 'a', 10, 'n1'),
      runningTask(web, 'b', 2, 'n1'),
      runningTask(api, 'c', 1, 'n0'),
      fixtureTask(api, {
        ID: 'd',
        Slot: 2,
        NodeID: '',
        Status: { Timestamp: '', State: 'pending', Message: 'pending', Err: 'no suitable node (1 node not available)' },
      }),
      // on a node the cluster no longer has
      runningTask(api, 'e', 3, 'n-gone'),
      // just created, the scheduler has not looked at it yet: drawn once it is on a node
      fixtureTask(web, { ID: 'f', Slot: 3, NodeID: '', Status: { Timestamp: '', State: 'pending', Message: '' } }),
    ];
    const m = wallModel([leader, w1], services, tasks);
    expect(m.columns[1]!.tasks.map((t) => t.label)).toEqual(['web.2', 'web.10']);
    expect(m.columns[0]!.tasks.map((t) => [t.label, t.look])).toEqual([['api.1', 'running']]);
    expect(m.unplaced.map((t) => [t.label, t.look])).toEqual([
      ['api.2', 'starting'],
      ['api.3', 'running'],
    ]);
    // counted all the same
    expect(m.tasksRunning).toBe(4);
    expect(m.tasksWanted).toBe(6);
    expect(m.services.map((s) => [s.name, s.running, s.desired])).toEqual([
      ['api', 2, 1],
      ['web', 2, 1],
    ]);
  });

  it('keeps history off the wall, and shows a task being replaced or one that just failed', () => {
    const base = runningTask(web, 'x', 1, 'n1');
    const m = wallModel([w1], services, [
      state({ ...base, ID: 'old' }, 'shutdown', 'shutdown'),
      state({ ...base, ID: 'stopping' }, 'running', 'shutdown'),
      state({ ...base, ID: 'failed' }, 'failed', 'running'),
      state({ ...base, ID: 'failed-old' }, 'failed', 'shutdown'),
      state({ ...base, ID: 'starting' }, 'starting'),
    ]);
    expect(Object.fromEntries(m.columns[0]!.tasks.map((t) => [t.id, t.look]))).toEqual({
      stopping: 'stopping',
      failed: 'failed',
      starting: 'starting',
    });
  });

  it('gives each service its own colour, the same everywhere, and a new service recolours none', () => {
    const m = wallModel([w1], services, [runningTask(web, 'a', 1, 'n1')]);
    const hues = serviceHues(services.values());
    expect(m.columns[0]!.tasks[0]!.hue).toBe(hues.get('web'));
    const many = Array.from({ length: 12 }, (_, i) =>
      fixtureService({
        ID: `s${i}`,
        CreatedAt: `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`,
        Spec: { ...web.Spec, Name: `svc-${i}` },
      }),
    );
    const all = serviceHues(many);
    expect(new Set(all.values()).size).toBe(HUES.length);
    const first = serviceHues(many.slice(0, 5));
    for (const [id, hue] of first) expect(all.get(id)).toBe(hue);
  });

  it('with a memo, hands back what did not change as the same objects, and only that', () => {
    const a = runningTask(web, 'a', 1, 'n1');
    const b = runningTask(web, 'b', 2, 'n0');
    const memo = wallMemo();
    const first = wallModel([leader, w1], services, [a, b], memo);
    // b changes state (a new object, as the store makes it); a and node n1 stay as they were
    const next = wallModel([leader, w1], services, [a, state(b, 'failed')], memo);
    expect(next.columns[1]).toBe(first.columns[1]);
    expect(next.columns[0]).not.toBe(first.columns[0]);
    expect(next.columns[0]!.tasks.map((t) => t.look)).toEqual(['failed']);
    expect(next.unplaced).toBe(first.unplaced);
    // a node that goes down is a new column even with the same tasks
    const down = { ...w1, Status: { ...w1.Status, State: 'down' as const } };
    const third = wallModel([leader, down], services, [a, state(b, 'failed')], memo);
    expect(third.columns[1]).not.toBe(next.columns[1]);
    expect(third.columns[1]!.condition).toBe('down');
    expect(third.columns[1]!.tasks[0]).toBe(next.columns[1]!.tasks[0]);
  });

  it('makes a card again when its service is renamed', () => {
    const a = runningTask(web, 'a', 1, 'n1');
    const memo = wallMemo();
    wallModel([w1], services, [a], memo);
    const renamed = new Map(services).set('web', { ...web, Spec: { ...web.Spec, Name: 'www' } });
    expect(wallModel([w1], renamed, [a], memo).columns[0]!.tasks[0]!.label).toBe('www.1');
  });

  it("counts a long-running service's running and desired tasks as REPLICAS does (the headline adds them up)", () => {
    const global = fixtureService({
      ID: 'g',
      Spec: { ...fixtureService().Spec, Name: 'agent', Mode: { Global: {} } },
    });
    const all = new Map([...services, [global.ID, global]]);
    const tasks: Task[] = [
      state(fixtureTask(web, { ID: 'a', NodeID: 'n1' }), 'running'),
      state(fixtureTask(web, { ID: 'b', NodeID: 'n1' }), 'starting'),
      state(fixtureTask(web, { ID: 'c', NodeID: 'n1' }), 'running', 'shutdown'), // told to stop: not counted
      state(fixtureTask(web, { ID: 'd' }), 'pending'),
      state(fixtureTask(api, { ID: 'e', NodeID: 'n1' }), 'failed', 'shutdown'),
      state(fixtureTask(global, { ID: 'f', NodeID: 'n1' }), 'running'),
      state(fixtureTask(global, { ID: 'h', NodeID: 'n3' }), 'preparing'),
    ];
    const m = wallModel([w1, w10], all, tasks);
    for (const s of all.values()) {
      const counted = m.services.find((x) => x.id === s.ID)!;
      const expected = replicaCounts(
        s,
        tasks.filter((t) => t.ServiceID === s.ID),
      );
      expect({ running: counted.running, desired: counted.desired }, s.Spec.Name).toEqual(expected);
    }
  });
});

describe('wall.css', () => {
  it('has a hue class for every hue a task can have (wall-map.tsx draws the hue as a class)', () => {
    const css = readFileSync(fileURLToPath(new URL('./wall.css', import.meta.url)), 'utf8');
    for (const h of HUES) expect(css).toMatch(new RegExp(`\\.wall-hue-${h} \\{\\s*--hue: ${h};`));
  });
});
