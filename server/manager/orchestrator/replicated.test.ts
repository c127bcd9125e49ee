import { afterEach, describe, expect, it } from 'vitest';
import type { Service } from '../../api/types';
import { makeNode, makeService, makeServiceSpec, makeTask, openTempStore } from '../../store/test-support';
import { ManualClock } from '../../util/clock';
import { Orchestrators } from './index';
import { FakeAgents, settle, until } from './testkit';

describe('ReplicatedOrchestrator', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });

  async function setup(replicas: number, agents = true) {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00.000Z'));
    const s = await openTempStore({ clock: () => clock.now() });
    const nodes = [makeNode(), makeNode()];
    await s.store.update((tx) => {
      for (const n of nodes) tx.create('node', n);
    });
    const orch = new Orchestrators(s.store, clock);
    let rr = 0;
    const up = () => nodes.filter((n) => s.store.view.get('node', n.ID)!.Status.State === 'ready');
    const fake = new FakeAgents(s.store, () => up()[rr++ % up().length]!.ID);
    if (agents) fake.start();
    orch.start();
    cleanup.push(async () => {
      fake.stop();
      await orch.stop();
      await s.close();
    });
    const svc = makeService({ Spec: makeServiceSpec({ Mode: { Replicated: { Replicas: replicas } } }) });
    await s.store.update((tx) => tx.create('service', svc));
    return { clock, store: s.store, view: s.store.view, orch, svc, nodes, fake };
  }

  const setReplicas = (svc: Service, n: number): Service => ({
    ...svc,
    Spec: { ...svc.Spec, Mode: { Replicated: { Replicas: n } } },
  });

  it('creates one task per slot from 1 with desired running, and scales down with desired remove', async () => {
    const { store, view, svc, orch } = await setup(3);
    await until(() => view.tasksByService(svc.ID).filter((t) => t.Status.State === 'running').length === 3);
    const tasks = view.tasksByService(svc.ID);
    expect(tasks.map((t) => t.Slot).sort()).toEqual([1, 2, 3]);
    expect(tasks.every((t) => t.Spec.ContainerSpec.Image === 'nginx:alpine')).toBe(true);
    expect(tasks[0]!.ServiceAnnotations.Name).toBe('web');
    await store.update((tx) => tx.update('service', setReplicas(tx.get('service', svc.ID)!, 1)));
    await until(() => view.tasksByService(svc.ID).filter((t) => t.DesiredState === 'remove').length === 2);
    await orch.idle();
    expect(view.tasksByService(svc.ID).filter((t) => t.DesiredState === 'running')).toHaveLength(1);
  });

  it('sets desired remove on every task of a deleted service', async () => {
    const { store, view, svc } = await setup(2, false);
    await until(() => view.tasksByService(svc.ID).length === 2);
    await store.update((tx) => tx.delete('service', svc.ID));
    await until(() => view.tasksByService(svc.ID).every((t) => t.DesiredState === 'remove'));
  });

  it('restarts the tasks of a node that went down, in the same slot', async () => {
    const { store, view, svc, nodes, clock } = await setup(2);
    await until(() => view.tasksByService(svc.ID).filter((t) => t.Status.State === 'running').length === 2);
    const victim = view.tasksByNode(nodes[0]!.ID)[0]!;
    await store.update((tx) => {
      const n = tx.get('node', nodes[0]!.ID)!;
      tx.update('node', { ...n, Status: { ...n.Status, State: 'down' } });
    });
    await until(() => view.tasksBySlot(`${svc.ID}/${victim.Slot}`).length === 2);
    expect(view.get('task', victim.ID)!.DesiredState).toBe('shutdown');
    const repl = view.tasksBySlot(`${svc.ID}/${victim.Slot}`).find((t) => t.ID !== victim.ID)!;
    // a lost node is not a failing task: no restart delay and no wait for the old task (see restart.ts)
    await until(() => view.get('task', repl.ID)!.DesiredState === 'running');
    expect(clock.now()).toBe(Date.parse('2026-01-01T00:00:00.000Z')); // no time had to pass
    expect(view.get('task', repl.ID)!.NodeID).toBe(nodes[1]!.ID);
  });

  it('never lowers a desired state, and replaces a deleted runnable task', async () => {
    const { store, view, svc, orch } = await setup(1, false);
    await until(() => view.tasksByService(svc.ID).length === 1);
    const t = view.tasksByService(svc.ID)[0]!;
    await store.update((tx) => tx.delete('task', t.ID));
    await until(() => view.tasksByService(svc.ID).length === 1 && view.tasksByService(svc.ID)[0]!.ID !== t.ID);
    // a stray REMOVE task in a surviving slot is not brought back
    const stray = makeTask(view.get('service', svc.ID)!, { Slot: 1, DesiredState: 'remove' });
    await store.update((tx) => tx.create('task', stray));
    await settle();
    await orch.idle();
    expect(view.get('task', stray.ID)!.DesiredState).toBe('remove');
  });

  it('handles 10,000 replicas in one batched pass', async () => {
    const { view, svc, orch } = await setup(10_000, false);
    await until(() => view.tasksByService(svc.ID).length === 10_000, { tries: 2000 });
    await orch.idle();
    const slots = new Set(view.tasksByService(svc.ID).map((t) => t.Slot));
    expect(slots.size).toBe(10_000);
    expect(Math.max(...slots)).toBe(10_000);
  }, 60_000);
});
