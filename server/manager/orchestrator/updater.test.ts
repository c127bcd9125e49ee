import { afterEach, describe, expect, it } from 'vitest';
import type { Service, ServiceSpec, Task, UpdateEvent } from '../../api/types';
import type { ClusterStore } from '../../store/cluster-store';
import { makeNode, makeService, makeServiceSpec, openTempStore } from '../../store/test-support';
import { ManualClock, iso } from '../../util/clock';
import { currentVersion, recordSpecVersion, versionsOf } from '../spec-history';
import { Orchestrators } from './index';
import { FakeAgents, report, settle, until } from './testkit';
import { sv } from './task-factory';

const S = 1e9;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const img = (t: Task) => t.Spec.ContainerSpec.Image;
const image = (i: string) => (spec: ServiceSpec) => ({
  ...spec,
  TaskTemplate: { ...spec.TaskTemplate, ContainerSpec: { ...spec.TaskTemplate.ContainerSpec, Image: i } },
});

/** The control API's UpdateService for these tests: new spec and SpecVersion, status reset, version recorded. */
async function updateSpec(store: ClusterStore, id: string, change: (s: ServiceSpec) => ServiceSpec) {
  await store.update((tx) => {
    const s = tx.get('service', id)!;
    const next: Service = {
      ...s,
      PreviousSpec: s.Spec,
      PreviousSpecVersion: s.SpecVersion,
      Spec: change(s.Spec),
      SpecVersion: { Index: s.Version.Index },
    };
    delete next.UpdateStatus;
    tx.update('service', next);
    recordSpecVersion(tx, store.view, next, 'update');
  });
}

describe('updater', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });

  async function setup(replicas: number, over: Partial<ServiceSpec> = {}) {
    const clock = new ManualClock(T0);
    const s = await openTempStore({ clock: () => clock.now() });
    const node = makeNode({ Spec: { Labels: { zone: 'a' }, Role: 'worker', Availability: 'active' } });
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
    await s.store.update((tx) => {
      tx.create('service', svc);
      recordSpecVersion(tx, s.store.view, svc, 'create');
    });
    const view = s.store.view;
    await until(() => view.tasksByService(svc.ID).filter((t) => t.Status.State === 'running').length === replicas);
    const h = {
      clock,
      store: s.store,
      view,
      orch,
      svc,
      fake,
      node,
      service: () => view.get('service', svc.ID)!,
      status: () => view.get('service', svc.ID)!.UpdateStatus,
      tasks: (image?: string) => view.tasksByService(svc.ID).filter((t) => !image || img(t) === image),
      runningOf: (image: string) => h.tasks(image).filter((t) => t.Status.State === 'running'),
      events: (): UpdateEvent[] => currentVersion(view, h.service())?.Update?.Events ?? [],
      update: (change: (s: ServiceSpec) => ServiceSpec) => updateSpec(s.store, svc.ID, change),
    };
    return h;
  }

  it('replaces dirty slots one at a time, stop-first, and reports updating then completed', async () => {
    const h = await setup(3);
    const oldIDs = new Set(h.tasks().map((t) => t.ID));
    const seen: { slot: number; runningNew: number; desired: string; oldShutdown: boolean }[] = [];
    h.view.watch((e) => {
      for (const c of e.changes) {
        if (c.kind !== 'task' || c.action !== 'create' || img(c.object as Task) !== 'nginx:2') continue;
        const t = c.object as Task;
        const slot = h.view.tasksBySlot(`${h.svc.ID}/${t.Slot}`);
        seen.push({
          slot: t.Slot,
          runningNew: h.runningOf('nginx:2').length,
          desired: t.DesiredState,
          oldShutdown: slot.filter((x) => oldIDs.has(x.ID)).every((x) => x.DesiredState === 'shutdown'),
        });
      }
    });
    await h.update(image('nginx:2'));
    await until(() => h.status()?.State === 'updating');
    expect(h.status()).toEqual({ State: 'updating', Message: 'update in progress', StartedAt: iso(T0) });
    await until(() => h.runningOf('nginx:2').length === 3);
    expect(seen.map((x) => x.slot)).toEqual([1, 2, 3]);
    expect(seen.map((x) => x.runningNew)).toEqual([0, 1, 2]); // the next slot waits for the previous
    expect(seen.every((x) => x.desired === 'ready' && x.oldShutdown)).toBe(true);
    for (const id of oldIDs) expect(h.view.get('task', id)).toMatchObject({ DesiredState: 'shutdown' });
    await until(() => h.events().some((e) => e.Kind === 'monitor')); // its window is armed
    expect(h.status()!.State).toBe('updating');
    // one more monitor period (5 s by default) after the last slot
    h.clock.advance(4_999);
    await settle();
    expect(h.status()!.State).toBe('updating');
    h.clock.advance(1);
    await until(() => h.status()?.State === 'completed');
    expect(h.status()).toEqual({
      State: 'completed',
      Message: 'update completed',
      StartedAt: iso(T0),
      CompletedAt: iso(T0 + 5_000),
    });
    // the timeline on the current serviceVersion
    const ev = h.events();
    expect(ev.map((e) => e.Kind)).toEqual([
      'started',
      'slot-started',
      'slot-running',
      'slot-started',
      'slot-running',
      'slot-started',
      'slot-running',
      'monitor',
      'completed',
    ]);
    const news = h.tasks('nginx:2').sort((a, b) => a.Slot - b.Slot);
    expect(ev.filter((e) => e.Kind === 'slot-started').map((e) => [e.Slot, e.TaskID, e.NodeID])).toEqual(
      news.map((t) => [t.Slot, t.ID, h.node.ID]),
    );
    expect(ev.find((e) => e.Kind === 'monitor')!.Message).toBe('monitor 5000ms');
    const v = currentVersion(h.view, h.service())!;
    expect(v.Update).toMatchObject({ State: 'completed', Message: 'update completed', CompletedAt: iso(T0 + 5_000) });
  });

  it('stop-first: the new task waits at desired READY until the old one stopped', async () => {
    const h = await setup(1);
    const old = h.tasks()[0]!;
    h.fake.hold.add(old.ID); // the old task takes its time to stop
    await h.update(image('nginx:2'));
    await until(() => h.tasks('nginx:2')[0]?.Status.State === 'ready');
    await settle();
    expect(h.tasks('nginx:2')[0]!.DesiredState).toBe('ready');
    expect(h.view.get('task', old.ID)!.DesiredState).toBe('shutdown');
    await report(h.store, old.ID, 'shutdown');
    await until(() => h.runningOf('nginx:2').length === 1);
  });

  it('start-first: the new task starts at once, the old one is shut down once it runs', async () => {
    const h = await setup(1, { UpdateConfig: { Parallelism: 1, Order: 'start-first' } });
    const old = h.tasks()[0]!;
    h.fake.fate = (t, to) => (img(t) === 'nginx:2' && to === 'running' ? null : to);
    await h.update(image('nginx:2'));
    await until(() => h.tasks('nginx:2').length === 1);
    await settle();
    const fresh = h.tasks('nginx:2')[0]!;
    expect(fresh.DesiredState).toBe('running');
    expect(h.view.get('task', old.ID)).toMatchObject({ DesiredState: 'running', Status: { State: 'running' } });
    await report(h.store, fresh.ID, 'starting');
    await settle();
    expect(h.view.get('task', old.ID)!.DesiredState).toBe('running'); // only exactly RUNNING counts
    await report(h.store, fresh.ID, 'running');
    await until(() => h.view.get('task', old.ID)!.DesiredState === 'shutdown');
  });

  it('start-first: a new task that fails leaves the old one running', async () => {
    const h = await setup(1, { UpdateConfig: { Parallelism: 1, Order: 'start-first', FailureAction: 'continue' } });
    const old = h.tasks()[0]!;
    h.fake.fate = (t, to) => (img(t) === 'nginx:2' && to === 'running' ? 'failed' : to);
    await h.update(image('nginx:2'));
    await until(() => h.tasks('nginx:2').some((t) => t.Status.State === 'failed'));
    await settle();
    expect(h.view.get('task', old.ID)).toMatchObject({ DesiredState: 'running', Status: { State: 'running' } });
  });

  it('paces slots by Parallelism and Delay', async () => {
    const h = await setup(5, { UpdateConfig: { Parallelism: 2, Delay: 10 * S } });
    await h.update(image('nginx:2'));
    const delays = () => h.events().filter((e) => e.Kind === 'delay');
    await until(() => delays().length === 2); // both workers wait out the delay
    expect(h.tasks('nginx:2')).toHaveLength(2);
    h.clock.advance(9_999);
    await settle();
    expect(h.tasks('nginx:2')).toHaveLength(2);
    h.clock.advance(1);
    await until(() => delays().length === 4);
    expect(h.runningOf('nginx:2')).toHaveLength(4);
    expect(h.tasks('nginx:2')).toHaveLength(4);
    h.clock.advance(10_000);
    await until(() => h.runningOf('nginx:2').length === 5);
    expect(delays()[0]).toMatchObject({ Message: 'delay 10000ms', At: iso(T0) });
    expect(delays()[2]).toMatchObject({ Message: 'delay 10000ms', At: iso(T0 + 10_000) });
  });

  it('Parallelism 0 replaces every dirty slot at once; 1 waits for each', async () => {
    const all = await setup(3, { UpdateConfig: { Parallelism: 0 } });
    const one = await setup(3);
    for (const x of [all, one]) {
      x.fake.enabled = false; // nothing new ever runs: only parallel workers get past the first slot
      await x.update(image('nginx:3'));
    }
    await until(() => all.tasks('nginx:3').length === 3);
    await until(() => one.tasks('nginx:3').length === 1);
    await settle();
    expect(one.tasks('nginx:3')).toHaveLength(1);
  });

  it('after the last slot, waits Delay then Delay + 1s when Delay ≥ Monitor', async () => {
    const h = await setup(1, { UpdateConfig: { Parallelism: 1, Delay: 3 * S, Monitor: 2 * S } });
    await h.update(image('nginx:2'));
    await until(() => h.runningOf('nginx:2').length === 1);
    await until(() => h.events().some((e) => e.Kind === 'delay'));
    h.clock.advance(3_000); // the worker's delay after its slot
    await until(() => h.events().some((e) => e.Kind === 'monitor'));
    expect(h.events().find((e) => e.Kind === 'monitor')).toMatchObject({
      Message: 'monitor 4000ms',
      At: iso(T0 + 3_000),
    });
    h.clock.advance(3_999);
    await settle();
    expect(h.status()!.State).toBe('updating');
    h.clock.advance(1);
    await until(() => h.status()?.State === 'completed');
    expect(h.status()!.CompletedAt).toBe(iso(T0 + 7_000));
  });

  it('pauses on a failure inside the monitor window and dispatches no more slots', async () => {
    const h = await setup(3, { UpdateConfig: { Parallelism: 1, Monitor: 5 * S } });
    // slot 2's new task never starts, so the run is still going when slot 1's fails
    h.fake.fate = (t, to) => (img(t) === 'nginx:2' && t.Slot === 2 && to === 'running' ? null : to);
    await h.update(image('nginx:2'));
    await until(() => h.runningOf('nginx:2').length === 1 && h.tasks('nginx:2').length === 2);
    const first = h.runningOf('nginx:2')[0]!;
    h.clock.advance(5_000); // still inside the window: ≤ Monitor counts
    await report(h.store, first.ID, 'failed');
    await until(() => h.status()?.State === 'paused');
    expect(h.status()).toEqual({
      State: 'paused',
      Message: `update paused due to failure or early termination of task ${first.ID}`,
      StartedAt: iso(T0),
    });
    // slot 2's task runs now, yet slot 3 is never dispatched while paused
    await report(h.store, h.tasks('nginx:2').find((t) => t.Slot === 2)!.ID, 'running');
    h.clock.advance(60_000);
    await settle(60);
    expect(h.tasks('nginx:2').filter((t) => t.Slot === 3)).toHaveLength(0);
    expect(h.status()!.State).toBe('paused');
    const ev = h.events();
    expect(ev.find((e) => e.Kind === 'task-failed')).toMatchObject({ TaskID: first.ID, Slot: 1, Message: 'failed' });
    expect(ev.find((e) => e.Kind === 'paused')).toMatchObject({ Message: h.status()!.Message });
    expect(currentVersion(h.view, h.service())!.Update!.State).toBe('paused');

    // the next `service update` (same spec) resets the status and resumes the update
    h.fake.fate = undefined;
    await h.update((s) => s);
    await until(() => h.tasks('nginx:2').some((t) => t.Slot === 3), { clock: h.clock, stepMs: 1_000 });
    await until(() => h.status()?.State === 'completed', { clock: h.clock, stepMs: 1_000 });
  });

  it('does not count a failure after the monitor window', async () => {
    const h = await setup(2, { UpdateConfig: { Parallelism: 1, Monitor: 5 * S } });
    h.fake.fate = (t, to) => (img(t) === 'nginx:2' && t.Slot === 2 && to === 'running' ? null : to);
    await h.update(image('nginx:2'));
    await until(() => h.runningOf('nginx:2').length === 1 && h.tasks('nginx:2').length === 2);
    const first = h.runningOf('nginx:2')[0]!;
    h.clock.advance(5_001);
    await report(h.store, first.ID, 'failed');
    await settle(60);
    expect(h.status()!.State).toBe('updating');
    expect(h.events().some((e) => e.Kind === 'task-failed')).toBe(false);
  });

  it('applies the action only when failures / dirty slots exceed MaxFailureRatio (0.5 of 4: 2 go on, 3 pause)', async () => {
    const h = await setup(4, { UpdateConfig: { Parallelism: 0, MaxFailureRatio: 0.5 } });
    h.fake.fate = (t, to) => (img(t) === 'nginx:2' && to === 'running' ? null : to);
    await h.update(image('nginx:2'));
    await until(() => h.tasks('nginx:2').filter((t) => t.DesiredState === 'running').length === 4);
    const news = h.tasks('nginx:2');
    await report(h.store, news[0]!.ID, 'failed');
    await report(h.store, news[1]!.ID, 'rejected');
    await settle(60);
    expect(h.status()!.State).toBe('updating');
    await report(h.store, news[2]!.ID, 'failed');
    await until(() => h.status()?.State === 'paused');
    expect(h.status()!.Message).toBe(`update paused due to failure or early termination of task ${news[2]!.ID}`);
  });

  it('CONTINUE does not act on failures and completes', async () => {
    const h = await setup(2, { UpdateConfig: { Parallelism: 1, FailureAction: 'continue' } });
    h.fake.fate = (t, to) => (img(t) === 'nginx:2' && to === 'running' ? 'failed' : to);
    await h.update(image('nginx:2'));
    await until(() => h.events().filter((e) => e.Kind === 'task-failed').length === 2);
    expect(h.status()!.State).toBe('updating');
    await until(() => h.status()?.State === 'completed', { clock: h.clock, stepMs: 1_000 });
  });

  it('ROLLBACK restores the previous spec, clears it, records it, and completes the rollback', async () => {
    const h = await setup(2, { UpdateConfig: { Parallelism: 1, FailureAction: 'rollback' } });
    const original = h.service();
    h.fake.fate = (t, to) => (img(t) === 'nginx:2' && to === 'running' ? 'failed' : to);
    await h.update(image('nginx:2'));
    const failedVersion = versionsOf(h.view, h.svc.ID).at(-1)!;
    await until(() => h.status()?.State === 'rollback_started');
    const failed = h.tasks('nginx:2')[0]!;
    const svc = h.service();
    expect(svc.UpdateStatus).toEqual({
      State: 'rollback_started',
      Message: `update rolled back due to failure or early termination of task ${failed.ID}`,
      StartedAt: iso(T0),
    });
    expect(svc.Spec).toEqual(original.Spec);
    expect(svc.SpecVersion).toEqual(original.SpecVersion);
    expect(svc.PreviousSpec).toBeUndefined();
    expect(svc.PreviousSpecVersion).toBeUndefined();
    // the failed update's record ends with the failure and the rollback; a new record says why the spec changed
    const old = h.view.get('serviceVersion', failedVersion.ID)!;
    expect(old.Update!.State).toBe('rollback_started');
    expect(old.Update!.Events.slice(-2).map((e) => [e.Kind, e.TaskID])).toEqual([
      ['task-failed', failed.ID],
      ['rollback-started', undefined],
    ]);
    const rec = versionsOf(h.view, h.svc.ID).at(-1)!;
    expect(rec).toMatchObject({ Cause: 'auto-rollback', SpecIndex: original.SpecVersion.Index });
    // slot 2 was never touched; slot 1 gets nginx:alpine again, then the rollback completes
    await until(() => h.runningOf('nginx:alpine').length === 2, { clock: h.clock, stepMs: 1_000 });
    await until(() => h.status()?.State === 'rollback_completed', { clock: h.clock, stepMs: 1_000 });
    expect(h.status()).toMatchObject({ Message: 'rollback completed', StartedAt: iso(T0) });
    expect(h.tasks('nginx:2').filter((t) => sv(t.DesiredState) <= sv('running'))).toHaveLength(0);
    const kinds = h.view.get('serviceVersion', rec.ID)!.Update!.Events.map((e) => e.Kind);
    expect(kinds[0]).toBe('rollback-started');
    expect(kinds.at(-1)).toBe('rollback-completed');
  });

  it.each([
    ['rollback', 'rollback paused due to failure or early termination of task'],
    ['pause', 'update paused due to failure or early termination of task'],
  ] as const)('never rolls back a rollback (RollbackConfig %s → rollback_paused)', async (action, message) => {
    const h = await setup(2, {
      UpdateConfig: { Parallelism: 1, FailureAction: 'rollback' },
      RollbackConfig: { Parallelism: 1, FailureAction: action },
    });
    // every new task fails, the rollback's new nginx:alpine ones too
    const initial = new Set(h.tasks().map((t) => t.ID));
    h.fake.fate = (t, to) => (!initial.has(t.ID) && to === 'running' ? 'failed' : to);
    await h.update(image('nginx:2'));
    await until(() => h.status()?.State === 'rollback_paused', { clock: h.clock, stepMs: 1_000 });
    // the culprit is the rollback's own new task
    const culprit = h.events().find((e) => e.Kind === 'task-failed')!.TaskID!;
    expect(img(h.view.get('task', culprit)!)).toBe('nginx:alpine');
    expect(h.status()!.Message).toBe(`${message} ${culprit}`);
    expect(h.events().at(-1)).toMatchObject({ Kind: 'paused', Message: h.status()!.Message });
    expect(h.service().Spec.TaskTemplate.ContainerSpec.Image).toBe('nginx:alpine');
    expect(versionsOf(h.view, h.svc.ID).filter((v) => v.Cause === 'auto-rollback')).toHaveLength(1);
  });

  it('ROLLBACK without a previous spec records why and leaves the status as it is', async () => {
    const h = await setup(1, { UpdateConfig: { Parallelism: 1, FailureAction: 'rollback' } });
    h.fake.fate = (t, to) => (img(t) === 'nginx:2' && to === 'running' ? null : to);
    await h.update(image('nginx:2'));
    await until(() => h.tasks('nginx:2')[0]?.DesiredState === 'running');
    await h.store.update((tx) => {
      const { PreviousSpec: _s, PreviousSpecVersion: _v, ...rest } = tx.get('service', h.svc.ID)!;
      tx.update('service', rest);
    });
    await report(h.store, h.tasks('nginx:2')[0]!.ID, 'failed');
    await until(() => h.events().some((e) => e.Kind === 'rollback-failed'));
    expect(h.events().find((e) => e.Kind === 'rollback-failed')!.Message).toBe(
      'cannot roll back service because no previous spec is available',
    );
    expect(h.status()!.State).toBe('updating');
    expect(h.service().Spec.TaskTemplate.ContainerSpec.Image).toBe('nginx:2');
  });

  it('a newer spec cancels a running update, which records the cancel', async () => {
    const h = await setup(2);
    h.fake.enabled = false; // the first slot's new task never runs, stalling the update
    await h.update(image('nginx:a'));
    await until(() => h.tasks('nginx:a').length === 1);
    const cancelled = currentVersion(h.view, h.service())!;
    await h.update(image('nginx:b'));
    h.fake.enabled = true;
    h.fake.kick();
    await until(() => h.tasks('nginx:b').filter((t) => sv(t.Status.State) === sv('running')).length === 2, {
      clock: h.clock,
      stepMs: 1000,
    });
    // no slot ever got a second nginx:a task
    expect(h.tasks('nginx:a')).toHaveLength(1);
    await until(() => h.view.get('serviceVersion', cancelled.ID)!.Update!.Events.some((e) => e.Kind === 'cancelled'));
    expect(h.view.get('serviceVersion', cancelled.ID)!.Update!.Events.at(-1)).toMatchObject({
      Kind: 'cancelled',
      Message: 'superseded by a newer spec',
    });
    await until(() => h.status()?.State === 'completed', { clock: h.clock, stepMs: 1000 });
  });

  it('a second pass over a clean new service, while the first run is still finishing, starts no rollout', async () => {
    // the orchestrator hands a service's slots over on every pass; a new service has no UpdateStatus,
    // which once read as "a no-op update reset it mid-run": the status went updating, then completed,
    // and the CLI's progress (stack deploy --detach=false) stopped at 0 of 2 tasks
    const h = await setup(2);
    await h.orch.idle();
    expect(h.status()).toBeUndefined();
    const slots = h.tasks().map((t) => [t]);
    h.orch.updater.update(h.svc.ID, slots);
    h.orch.updater.update(h.svc.ID, slots);
    await settle();
    await h.orch.idle();
    await settle();
    expect(h.status()).toBeUndefined();
    expect(h.events()).toEqual([]);
  });

  it('rolls no task for labels, replicas or a constraint the node still meets; ForceUpdate rolls all', async () => {
    const h = await setup(2);
    await h.update((s) => ({ ...s, Labels: { a: '1' }, Mode: { Replicated: { Replicas: 3 } } }));
    await until(() => h.tasks().length === 3);
    await h.update((s) => ({
      ...s,
      TaskTemplate: { ...s.TaskTemplate, Placement: { Constraints: ['node.labels.zone==a'] } },
    }));
    await settle();
    await h.orch.idle();
    await settle();
    expect(h.status()).toBeUndefined();
    expect(h.tasks().every((t) => t.DesiredState === 'running')).toBe(true);
    const before = new Set(h.tasks().map((t) => t.ID));
    await h.update((s) => ({ ...s, TaskTemplate: { ...s.TaskTemplate, ForceUpdate: 1 } }));
    await until(() => h.tasks().filter((t) => !before.has(t.ID) && t.Status.State === 'running').length === 3);
    for (const id of before) expect(h.view.get('task', id)!.DesiredState).toBe('shutdown');
  });

  it('updates a global service node by node', async () => {
    const clock = new ManualClock(T0);
    const s = await openTempStore({ clock: () => clock.now() });
    const nodes = [makeNode(), makeNode()];
    await s.store.update((tx) => nodes.forEach((n) => tx.create('node', n)));
    const orch = new Orchestrators(s.store, clock);
    const fake = new FakeAgents(s.store, () => '');
    fake.start();
    orch.start();
    cleanup.push(async () => {
      fake.stop();
      await orch.stop();
      await s.close();
    });
    const svc = makeService({ Spec: makeServiceSpec({ Mode: { Global: {} } }) });
    await s.store.update((tx) => tx.create('service', svc));
    const view = s.store.view;
    const running = (i: string) =>
      view.tasksByService(svc.ID).filter((t) => img(t) === i && t.Status.State === 'running');
    await until(() => running('nginx:alpine').length === 2);
    await updateSpec(s.store, svc.ID, image('nginx:2'));
    await until(() => running('nginx:2').length === 2);
    expect(new Set(running('nginx:2').map((t) => t.NodeID))).toEqual(new Set(nodes.map((n) => n.ID)));
    expect(running('nginx:2').every((t) => t.Slot === 0)).toBe(true);
    await until(() => view.get('service', svc.ID)!.UpdateStatus?.State === 'completed', { clock, stepMs: 1000 });
  });
});
