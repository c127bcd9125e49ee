// One object that makes a control loop throw, written straight into a test
// store: the loop marks it and every other service still converges; the mark
// is written once (not per pass) and cleared when the object reconciles again.
//
// Where real spec data can make a loop throw, it is used (a replica count over
// the limit, a number where a constraint or a spread descriptor must be a
// string, a label that is not a string). Where the loops cope with any JSON,
// the fault is a property that throws when read by the loop but not when the
// object is serialized (so it reaches the store like any entry): it stands for
// every bug a loop may meet in an object.

import { afterEach, describe, expect, it } from 'vitest';
import type { Node, Service, ServiceSpec, Task, TaskSpec, TaskState } from '../api/types';
import type { ClusterStore } from '../store/cluster-store';
import { makeNode, makeService, makeServiceSpec, makeTask, openTempStore } from '../store/test-support';
import { ManualClock } from '../util/clock';
import { Allocator } from './allocator';
import { FAULT_STATUS_PREFIX } from './fault-policy';
import { Orchestrators } from './orchestrator';
import { REAPER_BATCH_MS, TaskReaper } from './orchestrator/task-reaper';
import { FakeAgents, report, settle, until } from './orchestrator/testkit';
import { Scheduler } from './scheduler/scheduler';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function world(nodes: Node[] = [makeNode(), makeNode()]) {
  const clock = new ManualClock(T0);
  const s = await openTempStore({ clock: () => clock.now() });
  cleanup.push(() => s.close());
  await s.store.update((tx) => {
    for (const n of nodes) tx.create('node', n);
  });
  const view = s.store.view;
  return {
    clock,
    store: s.store,
    view,
    nodes,
    service: (id: string) => view.get('service', id)!,
    running: (id: string) => view.tasksByService(id).filter((t) => t.Status.State === 'running').length,
  };
}

/** A property that throws when a loop reads it, but not while the object is serialized. */
function poison<T extends object>(o: T, key: string, message = `poisoned ${key}`): T {
  const value = (o as Record<string, unknown>)[key];
  Object.defineProperty(o, key, {
    enumerable: true,
    get() {
      if (new Error().stack?.includes('JSON.stringify')) return value;
      throw new TypeError(message);
    },
  });
  return o;
}

const replicated = (name: string, replicas: unknown, over: Partial<ServiceSpec> = {}): Service =>
  makeService({
    Spec: makeServiceSpec({ Name: name, Mode: { Replicated: { Replicas: replicas as number } }, ...over }),
  });

/** What the control API does on a spec update: new spec and SpecVersion, UpdateStatus reset. */
async function updateSpec(store: ClusterStore, id: string, change: (s: ServiceSpec) => ServiceSpec) {
  await store.update((tx) => {
    const s = tx.get('service', id)!;
    const next: Service = { ...s, Spec: change(s.Spec), SpecVersion: { Index: s.Version.Index }, PreviousSpec: s.Spec };
    delete next.UpdateStatus;
    tx.update('service', next);
  });
}

const faultOf = (s: Service | Node, loop: string) => s.Faults?.find((f) => f.Loop === loop);

describe('the orchestrator', () => {
  it('marks the services it cannot reconcile, reconciles the others, and clears the mark once fixed', async () => {
    const w = await world();
    const good = replicated('good', 3);
    const huge = replicated('huge', 1_000_000_000);
    const typo = replicated('typo', 'three');
    const globalBad = makeService({
      Spec: makeServiceSpec({
        Name: 'global-bad',
        Mode: { Global: {} },
        TaskTemplate: { ContainerSpec: { Image: 'x' }, ForceUpdate: 0, Placement: { Constraints: [5 as never] } },
      }),
    });
    const globalGood = makeService({ Spec: makeServiceSpec({ Name: 'global-good', Mode: { Global: {} } }) });
    await w.store.update((tx) => {
      for (const s of [huge, typo, globalBad, good, globalGood]) tx.create('service', s);
    });
    const orch = new Orchestrators(w.store, w.clock);
    const fake = new FakeAgents(w.store, () => w.nodes[0]!.ID);
    fake.start();
    orch.start();
    cleanup.push(async () => {
      fake.stop();
      await orch.stop();
    });

    await until(() => w.running(good.ID) === 3 && w.running(globalGood.ID) === 2);
    await orch.idle();
    for (const bad of [huge, typo, globalBad]) expect(w.view.tasksByService(bad.ID)).toEqual([]);
    expect(faultOf(w.service(huge.ID), 'orchestrator')?.Message).toBe(
      'Mode.Replicated.Replicas: 1000000000 is more than the limit of 100000 replicas',
    );
    expect(faultOf(w.service(typo.ID), 'orchestrator')?.Message).toMatch(/"three" is not a non-negative integer/);
    expect(faultOf(w.service(globalBad.ID), 'orchestrator')?.Message).toMatch(/is not a function/);
    // what `service inspect --pretty` and the waiting `service create` show
    expect(w.service(huge.ID).UpdateStatus).toEqual({
      State: 'paused',
      Message: `${FAULT_STATUS_PREFIX}orchestrator: Mode.Replicated.Replicas: 1000000000 is more than the limit of 100000 replicas`,
    });
    expect(w.service(good.ID).Faults).toBeUndefined();

    // more passes (events of the good services, a node change for the global ones) write no mark again
    const marked = w.service(huge.ID).Version.Index;
    await updateSpec(w.store, good.ID, (s) => ({ ...s, Mode: { Replicated: { Replicas: 4 } } }));
    await w.store.update((tx) => {
      const n = tx.get('node', w.nodes[1]!.ID)!;
      tx.update('node', { ...n, Spec: { ...n.Spec, Labels: { zone: 'b' } } });
    });
    await until(() => w.running(good.ID) === 4);
    await orch.idle();
    expect(w.service(huge.ID).Version.Index).toBe(marked);

    // fixed by a spec update: reconciled, mark and its status gone
    await updateSpec(w.store, huge.ID, (s) => ({ ...s, Mode: { Replicated: { Replicas: 2 } } }));
    await until(() => w.running(huge.ID) === 2);
    await orch.idle();
    expect(w.service(huge.ID).Faults).toBeUndefined();
    expect(w.service(huge.ID).UpdateStatus).toBeUndefined();
    expect(faultOf(w.service(typo.ID), 'orchestrator')).toBeDefined();
  });

  it('creates a big service in bounded parts, each its own raft entries, and ends where one pass would', async () => {
    const w = await world();
    const big = replicated('big', 3_500);
    const orch = new Orchestrators(w.store, w.clock);
    orch.start();
    cleanup.push(() => orch.stop());
    const before = w.view.index;
    await w.store.update((tx) => tx.create('service', big));
    await until(() => w.view.tasksByService(big.ID).length === 3_500);
    await orch.idle();
    const slots = w.view.tasksByService(big.ID).map((t) => t.Slot);
    expect(new Set(slots).size).toBe(3_500);
    expect(Math.max(...slots)).toBe(3_500);
    // PART_OPS (500) writes per part: at least 7 entries besides the service's own
    expect(w.view.index - before).toBeGreaterThanOrEqual(8);
  });
});

describe('the restart supervisor', () => {
  it('marks the service of a task it cannot restart and restarts the others', async () => {
    const w = await world();
    const policy = { Condition: 'any' as const, Delay: 0 };
    const spec = (name: string) =>
      makeServiceSpec({
        Name: name,
        TaskTemplate: { ContainerSpec: { Image: 'x' }, ForceUpdate: 0, RestartPolicy: policy },
      });
    const good = makeService({ Spec: spec('good') });
    const bad = makeService({ Spec: spec('bad') });
    // the bad service's one task is written with it; reading its restart policy throws
    const badSpec = poison<TaskSpec>({ ...bad.Spec.TaskTemplate }, 'RestartPolicy');
    const badTask = makeTask(bad, {
      Spec: badSpec,
      NodeID: w.nodes[0]!.ID,
      DesiredState: 'running',
      Status: { State: 'running', Message: 'started', Timestamp: new Date(T0).toISOString() },
    });
    await w.store.update((tx) => {
      tx.create('service', good);
      tx.create('service', bad);
      tx.create('task', badTask);
    });
    const orch = new Orchestrators(w.store, w.clock);
    const fake = new FakeAgents(w.store, () => w.nodes[0]!.ID);
    fake.hold.add(badTask.ID);
    fake.start();
    orch.start();
    cleanup.push(async () => {
      fake.stop();
      await orch.stop();
    });
    await until(() => w.running(good.ID) === 1);
    const first = w.view.tasksByService(good.ID)[0]!;

    await report(w.store, badTask.ID, 'failed');
    await report(w.store, first.ID, 'failed');
    // the good service's task is replaced and runs again
    await until(() => w.view.tasksByService(good.ID).some((t) => t.ID !== first.ID && t.Status.State === 'running'));
    await until(() => !!faultOf(w.service(bad.ID), 'restart'));
    expect(faultOf(w.service(bad.ID), 'restart')!.Message).toBe(`task ${badTask.ID}: poisoned RestartPolicy`);
    // the check's writes were undone: the failed task was not shut down, nothing replaced it
    expect(w.view.get('task', badTask.ID)!.DesiredState).toBe('running');
    expect(w.view.tasksByService(bad.ID)).toHaveLength(1);
    // a task-level fault leaves the service's UpdateStatus to the updater
    expect(w.service(bad.ID).UpdateStatus).toBeUndefined();

    const marked = w.service(bad.ID).Version.Index;
    const second = w.view.tasksByService(good.ID).find((t) => t.Status.State === 'running')!;
    await report(w.store, second.ID, 'failed');
    await until(() => w.view.tasksByService(good.ID).filter((t) => t.Status.State === 'running').length === 1);
    await orch.idle();
    expect(w.service(bad.ID).Version.Index).toBe(marked);
  });
});

describe('the updater', () => {
  it('marks a service whose update run throws, completes the others, and clears the mark with a good spec', async () => {
    const node = makeNode({ Spec: { Labels: { zone: 'a' }, Role: 'worker', Availability: 'active' } });
    const w = await world([node]);
    const a = replicated('a', 2);
    const b = replicated('b', 2);
    await w.store.update((tx) => {
      tx.create('service', a);
      tx.create('service', b);
    });
    const orch = new Orchestrators(w.store, w.clock);
    const fake = new FakeAgents(w.store, () => node.ID);
    fake.start();
    orch.start();
    cleanup.push(async () => {
      fake.stop();
      await orch.stop();
    });
    await until(() => w.running(a.ID) === 2 && w.running(b.ID) === 2);

    // a placement-only change to a constraint that is a number: the updater's dirtiness check throws
    const constrain = (c: unknown[]) => (s: ServiceSpec) => ({
      ...s,
      TaskTemplate: { ...s.TaskTemplate, Placement: { Constraints: c as string[] } },
    });
    await updateSpec(w.store, a.ID, constrain([5]));
    await updateSpec(w.store, b.ID, (s) => ({
      ...s,
      UpdateConfig: { Monitor: 0 },
      TaskTemplate: { ...s.TaskTemplate, ContainerSpec: { Image: 'nginx:1.27' } },
    }));
    await until(() => w.service(b.ID).UpdateStatus?.State === 'completed', { clock: w.clock, stepMs: 100 });
    await until(() => !!faultOf(w.service(a.ID), 'updater'));
    expect(faultOf(w.service(a.ID), 'updater')!.Message).toMatch(/is not a function/);
    expect(w.service(a.ID).UpdateStatus).toMatchObject({ State: 'paused' });
    expect(w.service(a.ID).UpdateStatus!.Message).toMatch(/^fault: updater: /);
    expect(w.running(a.ID)).toBe(2);

    await updateSpec(w.store, a.ID, constrain(['node.labels.zone==a']));
    await until(() => !w.service(a.ID).Faults);
    expect(w.service(a.ID).UpdateStatus?.State).not.toBe('paused');
  });
});

describe('the scheduler', () => {
  const pending = { Timestamp: new Date(T0).toISOString(), State: 'pending' as TaskState, Message: 'pending' };
  const pendingTasks = (svc: Service, n: number): Task[] =>
    Array.from({ length: n }, (_, i) => makeTask(svc, { Slot: i + 1, Status: pending }));

  it('places every other service when one spec and one node make placement throw, and marks both', async () => {
    const zoned = (zone: unknown) =>
      makeNode({ Spec: { Labels: { zone: zone as string }, Role: 'worker', Availability: 'active' } });
    const [a, bad, other] = [zoned('a'), zoned(5), makeNode()];
    const w = await world([a!, bad!, other!]);
    const withTemplate = (name: string, over: Partial<TaskSpec>) =>
      makeService({
        Spec: makeServiceSpec({ Name: name, TaskTemplate: { ContainerSpec: { Image: 'x' }, ForceUpdate: 0, ...over } }),
      });
    const good = withTemplate('good', {});
    const spread = withTemplate('spread', {
      Placement: { Preferences: [{ Spread: { SpreadDescriptor: 5 as never } }] },
    });
    const zonal = withTemplate('zonal', { Placement: { Constraints: ['node.labels.zone==a'] } });
    const [g, s, z] = [pendingTasks(good, 3), pendingTasks(spread, 2), pendingTasks(zonal, 2)];
    await w.store.update((tx) => {
      for (const svc of [good, spread, zonal]) tx.create('service', svc);
      for (const t of [...g, ...s, ...z]) tx.create('task', t);
    });
    const scheduler = new Scheduler(w.store, w.clock);
    cleanup.push(() => scheduler.stop());
    scheduler.start();
    await scheduler.idle();

    const task = (t: Task) => w.view.get('task', t.ID)!;
    expect(g.map((t) => task(t).Status.State)).toEqual(['assigned', 'assigned', 'assigned']);
    // the node whose label is a number is rejected by the constraint filter, not the whole group
    expect(z.map((t) => task(t).NodeID)).toEqual([a!.ID, a!.ID]);
    expect(faultOf(w.view.get('node', bad!.ID)!, 'scheduler')?.Message).toMatch(
      /^Constraints filter: .*not a function/,
    );
    // the spec whose spread descriptor is a number: its tasks say why (service ps ERROR), the service is marked
    for (const t of s) {
      expect(task(t).Status.State).toBe('pending');
      expect(task(t).Status.Err).toMatch(/^scheduler: .*toLowerCase is not a function/);
    }
    expect(faultOf(w.service(spread.ID), 'scheduler')?.Message).toMatch(/toLowerCase is not a function/);
    expect(w.service(good.ID).Faults).toBeUndefined();

    // another pass writes no mark again
    const versions = () =>
      [w.service(spread.ID), ...s.map(task), w.view.get('node', bad!.ID)!].map((o) => o.Version.Index);
    const before = versions();
    await w.store.update((tx) => tx.create('task', makeTask(good, { Slot: 9, Status: pending })));
    w.clock.advance(100);
    await scheduler.idle();
    expect(versions()).toEqual(before);

    // fixed: the tasks place, the service's mark goes; the node's goes once a pass checks it cleanly
    await w.store.update((tx) => {
      for (const t of s) {
        const cur = tx.get('task', t.ID)!;
        tx.update('task', { ...cur, Spec: good.Spec.TaskTemplate });
      }
      const n = tx.get('node', bad!.ID)!;
      tx.update('node', { ...n, Spec: { ...n.Spec, Labels: { zone: 'b' } } });
    });
    w.clock.advance(100);
    await scheduler.idle();
    expect(s.map((t) => task(t).Status.State)).toEqual(['assigned', 'assigned']);
    expect(w.service(spread.ID).Faults).toBeUndefined();
    expect(w.view.get('node', bad!.ID)!.Faults).toBeUndefined();
  });
});

describe('the allocator', () => {
  it('moves every other NEW task on and marks the service of the one it cannot allocate', async () => {
    const w = await world();
    const good = replicated('good', 3);
    const bad = replicated('bad', 1);
    const fresh = (svc: Service, slot: number) => makeTask(svc, { Slot: slot });
    const badTask = fresh(bad, 1);
    badTask.Status = poison({ ...badTask.Status }, 'Message');
    await w.store.update((tx) => {
      tx.create('service', good);
      tx.create('service', bad);
      for (const t of [fresh(good, 1), fresh(good, 2), fresh(good, 3), badTask]) tx.create('task', t);
    });
    const allocator = new Allocator(w.store, w.clock);
    cleanup.push(() => allocator.stop());
    allocator.start();
    await allocator.idle();
    expect(w.view.tasksByService(good.ID).map((t) => t.Status.State)).toEqual(['pending', 'pending', 'pending']);
    expect(w.view.get('task', badTask.ID)!.Status.State).toBe('new');
    expect(faultOf(w.service(bad.ID), 'allocator')?.Message).toBe(`task ${badTask.ID}: poisoned Message`);
    const marked = w.service(bad.ID).Version.Index;
    await w.store.update((tx) => tx.create('task', fresh(good, 4)));
    await settle();
    await allocator.idle();
    expect(w.view.tasksByService(good.ID).filter((t) => t.Status.State === 'pending')).toHaveLength(4);
    expect(w.service(bad.ID).Version.Index).toBe(marked);
  });
});

describe('the task reaper', () => {
  it('prunes every other slot and marks the service of a slot whose history it cannot read', async () => {
    const w = await world();
    const good = replicated('good', 1);
    const bad = replicated('bad', 1);
    const at = (s: number) => new Date(T0 + s * 1000).toISOString();
    const history = (svc: Service) =>
      Array.from({ length: 8 }, (_, i) =>
        makeTask(svc, {
          Slot: 1,
          DesiredState: i === 7 ? 'running' : 'shutdown',
          Status: { State: i === 7 ? 'running' : 'failed', Message: '', Timestamp: at(i) },
        }),
      );
    const goodTasks = history(good);
    const badTasks = history(bad);
    badTasks[2]!.Status = poison({ ...badTasks[2]!.Status }, 'AppliedAt');
    const reaper = new TaskReaper(w.store, w.clock);
    cleanup.push(() => reaper.stop());
    reaper.start();
    await w.store.update((tx) => {
      tx.create('service', good);
      tx.create('service', bad);
      for (const t of [...goodTasks, ...badTasks]) tx.create('task', t);
    });
    w.clock.advance(REAPER_BATCH_MS);
    await until(() => w.view.tasksByService(good.ID).length === 5);
    await reaper.idle();
    expect(w.view.tasksByService(bad.ID)).toHaveLength(8);
    expect(faultOf(w.service(bad.ID), 'reaper')?.Message).toBe(`slot ${bad.ID}/1: poisoned AppliedAt`);
    expect(w.service(good.ID).Faults).toBeUndefined();
  });
});
