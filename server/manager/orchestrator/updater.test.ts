import { afterEach, describe, expect, it } from 'vitest';
import type { Service, Task } from '../../api/types';
import { makeNode, makeService, makeServiceSpec, openTempStore } from '../../store/test-support';
import { ManualClock } from '../../util/clock';
import { Orchestrators } from './index';
import { FakeAgents, settle, until, updateService } from './testkit';
import { sv } from './task-factory';

describe('minimal updater', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });

  async function setup(replicas: number, over: Partial<Service['Spec']> = {}) {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00.000Z'));
    const s = await openTempStore({ clock: () => clock.now() });
    const node = makeNode();
    await s.store.update((tx) => tx.create('node', node));
    const orch = new Orchestrators(s.store, clock);
    const fake = new FakeAgents(s.store, () => node.ID);
    fake.start();
    orch.start();
    cleanup.push(async () => {
      fake.stop();
      await orch.stop();
      await s.close();
    });
    const svc = makeService({ Spec: makeServiceSpec({ Mode: { Replicated: { Replicas: replicas } }, ...over }) });
    await s.store.update((tx) => tx.create('service', svc));
    const view = s.store.view;
    await until(() => view.tasksByService(svc.ID).filter((t) => t.Status.State === 'running').length === replicas);
    return { clock, store: s.store, view, orch, svc, fake };
  }

  const image = (img: string) => (spec: Service['Spec']) => ({
    ...spec,
    TaskTemplate: { ...spec.TaskTemplate, ContainerSpec: { ...spec.TaskTemplate.ContainerSpec, Image: img } },
  });

  it('replaces dirty slots one at a time, stop-first, and reports updating then completed', async () => {
    const { clock, store, view, svc } = await setup(3);
    const oldIDs = new Set(view.tasksByService(svc.ID).map((t) => t.ID));
    // record, for every new-spec task created, how many new-spec tasks were running then
    const seen: { slot: number; runningNew: number; desired: string; oldShutdown: boolean }[] = [];
    const isNew = (t: Task) => t.Spec.ContainerSpec.Image === 'nginx:2';
    store.view.watch((e) => {
      for (const c of e.changes) {
        if (c.kind !== 'task' || c.action !== 'create' || !isNew(c.object as Task)) continue;
        const t = c.object as Task;
        const slot = view.tasksBySlot(`${svc.ID}/${t.Slot}`);
        seen.push({
          slot: t.Slot,
          runningNew: view.tasksByService(svc.ID).filter((x) => isNew(x) && x.Status.State === 'running').length,
          desired: t.DesiredState,
          oldShutdown: slot.filter((x) => oldIDs.has(x.ID)).every((x) => x.DesiredState === 'shutdown'),
        });
      }
    });
    await updateService(store, svc.ID, image('nginx:2'));
    await until(() => view.get('service', svc.ID)!.UpdateStatus?.State === 'updating');
    expect(view.get('service', svc.ID)!.UpdateStatus).toMatchObject({ Message: 'update in progress' });
    await until(() => view.tasksByService(svc.ID).filter((t) => isNew(t) && t.Status.State === 'running').length === 3);
    expect(seen.map((x) => x.slot)).toEqual([1, 2, 3]);
    expect(seen.map((x) => x.runningNew)).toEqual([0, 1, 2]); // the next slot waits for the previous
    expect(seen.every((x) => x.desired === 'ready' && x.oldShutdown)).toBe(true);
    // old tasks stay as history in their slots, desired shutdown
    for (const id of oldIDs) expect(view.get('task', id)).toMatchObject({ DesiredState: 'shutdown' });
    expect(view.get('service', svc.ID)!.UpdateStatus!.State).toBe('updating');
    await until(() => view.get('service', svc.ID)!.UpdateStatus?.State === 'completed', { clock, stepMs: 1000 });
    expect(view.get('service', svc.ID)!.UpdateStatus).toMatchObject({ Message: 'update completed' });
    expect(view.get('service', svc.ID)!.UpdateStatus!.CompletedAt).toBeDefined();
  });

  it('does not roll tasks for a replica-count or label change', async () => {
    const { store, view, svc, orch } = await setup(2);
    await updateService(store, svc.ID, (s) => ({ ...s, Labels: { a: '1' }, Mode: { Replicated: { Replicas: 3 } } }));
    await until(() => view.tasksByService(svc.ID).length === 3);
    await settle();
    await orch.idle();
    expect(view.get('service', svc.ID)!.UpdateStatus).toBeUndefined();
    expect(view.tasksByService(svc.ID).every((t) => t.DesiredState === 'running')).toBe(true);
  });

  it('respects Parallelism: 0 replaces all slots at once, 1 waits for each', async () => {
    const all = await setup(3, { UpdateConfig: { Parallelism: 0 } });
    const one = await setup(3);
    const isNew = (t: Task) => t.Spec.ContainerSpec.Image === 'nginx:3';
    for (const x of [all, one]) {
      x.fake.enabled = false; // nothing new ever runs: only parallel workers get past the first slot
      await updateService(x.store, x.svc.ID, image('nginx:3'));
    }
    await until(() => all.view.tasksByService(all.svc.ID).filter(isNew).length === 3);
    await until(() => one.view.tasksByService(one.svc.ID).filter(isNew).length === 1);
    await settle();
    expect(one.view.tasksByService(one.svc.ID).filter(isNew)).toHaveLength(1);
  });

  it('a newer spec cancels a running update', async () => {
    const { store, view, svc, fake, clock } = await setup(2);
    fake.enabled = false; // the first slot's new task never runs, stalling the update
    await updateService(store, svc.ID, image('nginx:a'));
    await until(() => view.tasksByService(svc.ID).some((t) => t.Spec.ContainerSpec.Image === 'nginx:a'));
    await updateService(store, svc.ID, image('nginx:b'));
    fake.enabled = true;
    fake.kick();
    await until(
      () =>
        view
          .tasksByService(svc.ID)
          .filter((t) => t.Spec.ContainerSpec.Image === 'nginx:b' && sv(t.Status.State) === sv('running')).length === 2,
      { clock, stepMs: 1000 },
    );
    // no slot ever got a second nginx:a task
    expect(view.tasksByService(svc.ID).filter((t) => t.Spec.ContainerSpec.Image === 'nginx:a')).toHaveLength(1);
  });
});
