import { describe, expect, it } from 'vitest';
import { fixtureService } from '../cluster/test-fixtures';
import { runningTask, swarmFixture } from '../topology/test-fixtures';
import { buildTopology } from '../topology/topology-model';
import { lanePlan, laneRows, laneScale, NO_NETWORK_LANE, wallTopology } from './wall-topology-model';

const hues = new Map([
  ['web', 145],
  ['db', 25],
]);

describe('the wall topology', () => {
  it('draws a lane per network, ingress first, with each attached service, its VIP there and its nodes', () => {
    const t = wallTopology(buildTopology(swarmFixture()), hues, 10);
    expect(t.lanes.map((l) => l.name)).toEqual(['ingress', 'appnet']);
    const [ing, app] = t.lanes;
    expect(ing).toMatchObject({ ingress: true, detail: 'overlay · 10.0.0.0/24 · VXLAN 4096', inUse: 5, capacity: 253 });
    expect(ing!.services).toEqual([
      {
        id: 'web',
        name: 'web',
        hue: 145,
        running: 3,
        desired: 3,
        tone: 'ok',
        vip: '10.0.0.2',
        ports: ['8080:80/tcp'],
        nodes: 3,
      },
    ]);
    // the ports once, in the first lane: the same service on appnet has its VIP there and no ports
    expect(app!.services[0]).toMatchObject({ vip: '10.0.1.2', ports: [], nodes: 3 });
    expect(t).toMatchObject({ networks: 2, services: 1, tasks: 3, nodes: 3 });
  });

  it('puts services on no network in a lane of their own, and counts what a lane has no room for', () => {
    const f = swarmFixture();
    const db = fixtureService({ ID: 'db', Spec: { ...f.web.Spec, Name: 'db', EndpointSpec: { Mode: 'vip' } } });
    db.Spec.TaskTemplate = { ...db.Spec.TaskTemplate, Networks: [] };
    db.Endpoint = { Spec: { Mode: 'vip' } };
    const cache = fixtureService({ ID: 'cache', Spec: { ...db.Spec, Name: 'cache' } });
    cache.Endpoint = { Spec: { Mode: 'vip' } };
    const tasks = [...f.tasks, runningTask(db, 'd1', 1, 'n1'), runningTask(db, 'd2', 2, 'n1')];
    const t = wallTopology(buildTopology({ ...f, services: [f.web, db, cache], tasks }), hues, 1);
    const none = t.lanes.at(-1)!;
    expect(none).toMatchObject({
      id: NO_NETWORK_LANE,
      name: 'No network',
      detail: '2 services on no overlay',
      more: 1,
    });
    // by name: cache before db; db's two tasks share one node
    expect(none.services.map((s) => s.name)).toEqual(['cache']);
    const all = wallTopology(buildTopology({ ...f, services: [f.web, db, cache], tasks }), hues, 10);
    expect(all.lanes.at(-1)!.services.map((s) => [s.name, s.nodes, s.hue, s.vip])).toEqual([
      ['cache', 0, 0, undefined],
      ['db', 1, 25, undefined],
    ]);
    expect(all.lanes.at(-1)!.more).toBe(0);
  });

  it('draws the same lanes from a topology built without task cards (the wall builds it so)', () => {
    const f = swarmFixture();
    const db = fixtureService({ ID: 'db', Spec: { ...f.web.Spec, Name: 'db' } });
    const tasks = [
      ...f.tasks,
      runningTask(db, 'd1', 1, 'n1'),
      // draining, and one no node took: counted as the full build counts them
      runningTask(db, 'd2', 2, 'n2', { DesiredState: 'shutdown' }),
      runningTask(db, 'd3', 3, '', { Status: { Timestamp: f.web.CreatedAt, State: 'pending', Message: '' } }),
    ];
    const input = { ...f, services: [f.web, db], tasks };
    const lean = buildTopology(input, { taskCards: false });
    expect(lean.tasks).toEqual([]);
    const full = buildTopology(input);
    expect(lean.networks).toEqual(full.networks);
    expect(new Set(lean.edges)).toEqual(new Set(full.edges));
    expect(wallTopology(lean, hues, 10)).toEqual(wallTopology(full, hues, 10));
    expect(wallTopology(lean, hues, 10).tasks).toBe(6);
  });

  it('lays lanes across while they are wide enough, then in rows, and fits whole service rows', () => {
    // 4K, 34.56 px font: (3840 - 69) / (16.6 × 34.56) = 6.57 lanes across
    expect(lanePlan(3, 3840, 2160, 34.56)).toEqual({ columns: 3, rows: 1, servicesPerLane: 13 });
    expect(lanePlan(9, 3840, 2160, 34.56)).toMatchObject({ columns: 6, rows: 2 });
    // (62.5em high - 12 chrome - 0.6 gap - 6 head) / 3.2 = 13 rows; laptop, 12.29 px: the same em layout
    expect(lanePlan(2, 1366, 768, 12.288)).toEqual({ columns: 2, rows: 1, servicesPerLane: 13 });
    expect(lanePlan(0, 1366, 768, 12.288).columns).toBe(1);
    expect(lanePlan(40, 1366, 768, 12.288).servicesPerLane).toBe(1);
  });

  it('grows the rows while few services leave room, up to twice, never below their least size', () => {
    expect(laneScale(13, 1)).toBe(2);
    expect(laneScale(13, 8)).toBe(1.6);
    expect(laneScale(13, 13)).toBe(1);
    expect(laneScale(13, 40)).toBe(1);
    expect(laneScale(13, 0)).toBe(2);
    const t = wallTopology(buildTopology(swarmFixture()), hues, 10);
    expect(laneRows(t.lanes[0]!)).toBe(1);
    expect(laneRows({ ...t.lanes[0]!, services: [], more: 0 })).toBe(1);
    expect(laneRows({ ...t.lanes[0]!, more: 4 })).toBe(2);
  });
});
