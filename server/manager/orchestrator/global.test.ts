import { afterEach, describe, expect, it } from 'vitest';
import type { Node } from '../../api/types';
import { makeNode, makeService, makeServiceSpec, makeTask, openTempStore } from '../../store/test-support';
import { ManualClock } from '../../util/clock';
import { planGlobal } from './global';
import { Orchestrators } from './index';
import { report, settle, until } from './testkit';

const globalSpec = (over = {}) => makeServiceSpec({ Name: 'agent', Mode: { Global: {} }, ...over });

describe('planGlobal (pure)', () => {
  it('one task per eligible node; drain/down/non-matching shut down; pause untouched; gone nodes deleted', () => {
    const svc = makeService({
      Spec: globalSpec({
        TaskTemplate: {
          ContainerSpec: { Image: 'x' },
          ForceUpdate: 0,
          Placement: { Constraints: ['node.labels.zone!=b'] },
        },
      }),
    });
    const active = makeNode();
    const fresh = makeNode();
    const drained = makeNode({ Spec: { Labels: {}, Role: 'worker', Availability: 'drain' } });
    const paused = makeNode({ Spec: { Labels: {}, Role: 'worker', Availability: 'pause' } });
    const zoneB = makeNode({ Spec: { Labels: { zone: 'b' }, Role: 'worker', Availability: 'active' } });
    const down = makeNode({ Status: { State: 'down', Addr: '' } });
    const on = (n: Node) => makeTask(svc, { Slot: 0, NodeID: n.ID });
    const tActive = on(active);
    const tDrained = on(drained);
    const tZoneB = on(zoneB);
    const tDown = on(down);
    const tGone = makeTask(svc, { Slot: 0, NodeID: 'gone' });
    const plan = planGlobal(
      svc,
      [tActive, tDrained, tZoneB, tDown, tGone],
      [active, fresh, drained, paused, zoneB, down],
      () => true,
    );
    expect(plan.create).toEqual([fresh.ID]);
    expect(plan.keep).toEqual([[tActive]]);
    expect(plan.shutdown.map((t) => t.ID).sort()).toEqual([tDrained.ID, tZoneB.ID, tDown.ID].sort());
    expect(plan.delete).toEqual([tGone]);
  });

  it('does not recreate a task on a node where the last one must not restart', () => {
    const svc = makeService({ Spec: globalSpec() });
    const n = makeNode();
    const done = makeTask(svc, { Slot: 0, NodeID: n.ID, DesiredState: 'shutdown' });
    expect(planGlobal(svc, [done], [n], () => false).create).toEqual([]);
    expect(planGlobal(svc, [done], [n], () => true).create).toEqual([n.ID]);
  });
});

describe('GlobalOrchestrator (loop)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });

  async function setup(nodes: Node[]) {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00.000Z'));
    const s = await openTempStore({ clock: () => clock.now() });
    await s.store.update((tx) => {
      for (const n of nodes) tx.create('node', n);
    });
    const orch = new Orchestrators(s.store, clock);
    orch.start();
    cleanup.push(async () => {
      await orch.stop();
      await s.close();
    });
    const svc = makeService({ Spec: globalSpec() });
    await s.store.update((tx) => tx.create('service', svc));
    return { clock, store: s.store, view: s.store.view, orch, svc };
  }

  const setAvailability = (
    store: Awaited<ReturnType<typeof setup>>['store'],
    id: string,
    a: Node['Spec']['Availability'],
  ) =>
    store.update((tx) => {
      const n = tx.get('node', id)!;
      tx.update('node', { ...n, Spec: { ...n.Spec, Availability: a } });
    });

  it('runs one pre-assigned task per eligible node; drain shuts it down without replacement', async () => {
    const [a, b, c] = [
      makeNode(),
      makeNode(),
      makeNode({ Spec: { Labels: {}, Role: 'worker', Availability: 'drain' } }),
    ];
    const { store, view, svc, orch } = await setup([a!, b!, c!]);
    await until(() => view.tasksByService(svc.ID).length === 2);
    const tasks = view.tasksByService(svc.ID);
    expect(tasks.map((t) => t.NodeID).sort()).toEqual([a!.ID, b!.ID].sort());
    expect(tasks.every((t) => t.Slot === 0 && t.DesiredState === 'running')).toBe(true);

    await setAvailability(store, b!.ID, 'drain');
    await until(() => view.tasksByNode(b!.ID)[0]!.DesiredState === 'shutdown');
    await orch.idle();
    expect(view.tasksByService(svc.ID)).toHaveLength(2);

    // a node that becomes active later gets its task on the node event
    await setAvailability(store, c!.ID, 'active');
    await until(() => view.tasksByNode(c!.ID).length === 1);
  });

  it('gives a paused node nothing new, and restarts a failed task on the same node', async () => {
    const [a, p] = [makeNode(), makeNode({ Spec: { Labels: {}, Role: 'worker', Availability: 'pause' } })];
    const { store, view, svc, orch, clock } = await setup([a!, p!]);
    await until(() => view.tasksByService(svc.ID).length === 1);
    await settle();
    await orch.idle();
    expect(view.tasksByNode(p!.ID)).toHaveLength(0);
    const t = view.tasksByNode(a!.ID)[0]!;
    await report(store, t.ID, 'running');
    await report(store, t.ID, 'failed');
    await until(() => view.tasksByNode(a!.ID).length === 2);
    const repl = view.tasksByNode(a!.ID).find((x) => x.ID !== t.ID)!;
    expect(repl).toMatchObject({ Slot: 0, DesiredState: 'ready', NodeID: a!.ID });
    expect(view.get('task', t.ID)!.DesiredState).toBe('shutdown');
    await until(() => view.get('task', repl.ID)!.DesiredState === 'running', { clock, stepMs: 1000 });
  });

  it('deletes the tasks of a deleted node', async () => {
    const [a, b] = [makeNode(), makeNode()];
    const { store, view, svc } = await setup([a!, b!]);
    await until(() => view.tasksByService(svc.ID).length === 2);
    await store.update((tx) => tx.delete('node', b!.ID));
    await until(() => view.tasksByService(svc.ID).length === 1);
    expect(view.tasksByService(svc.ID)[0]!.NodeID).toBe(a!.ID);
  });
});
