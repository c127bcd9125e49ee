import { afterEach, describe, expect, it } from 'vitest';
import type { RestartPolicy, Task, TaskState } from '../../api/types';
import { makeNode, makeService, makeServiceSpec, makeTask, openTempStore } from '../../store/test-support';
import { ManualClock } from '../../util/clock';
import { rebuildHistory, recordRestart, restartDelayMs, shouldRestart } from './restart';
import { Orchestrators } from './index';
import { report, until } from './testkit';

function failed(policy: RestartPolicy | undefined, state: TaskState = 'failed', over: Partial<Task> = {}): Task {
  const svc = makeService();
  return makeTask(svc, {
    Spec: { ContainerSpec: { Image: 'x' }, ForceUpdate: 0, RestartPolicy: policy },
    SpecVersion: { Index: 7 },
    Status: { State: state, Message: state, Timestamp: '2026-01-01T00:01:00.000Z' },
    ...over,
  });
}

describe('restart policy (pure)', () => {
  it('defaults the delay to 5s when nil; an explicit 0 means none', () => {
    expect(restartDelayMs(undefined)).toBe(5000);
    expect(restartDelayMs({})).toBe(5000);
    expect(restartDelayMs({ Delay: 0 })).toBe(0);
    expect(restartDelayMs({ Delay: 2_000_000_000 })).toBe(2000);
  });

  it('applies the condition: any restarts, on-failure skips exit 0, none never restarts', () => {
    expect(shouldRestart(failed(undefined, 'complete'), undefined)).toBe(true);
    expect(shouldRestart(failed({ Condition: 'on-failure' }, 'complete'), undefined)).toBe(false);
    expect(shouldRestart(failed({ Condition: 'on-failure' }, 'failed'), undefined)).toBe(true);
    expect(shouldRestart(failed({ Condition: 'none' }, 'failed'), undefined)).toBe(false);
    expect(shouldRestart(failed({ Condition: 'any' }, 'complete'), undefined, true)).toBe(false); // jobs
  });

  it('limits restarts by MaxAttempts without a window', () => {
    const t = failed({ MaxAttempts: 3 });
    expect(shouldRestart(t, undefined)).toBe(true);
    expect(shouldRestart(t, { specVersion: 7, total: 2, times: [] })).toBe(true);
    expect(shouldRestart(t, { specVersion: 7, total: 3, times: [] })).toBe(false);
  });

  it('resets the history on a new SpecVersion', () => {
    const t = failed({ MaxAttempts: 1 });
    expect(shouldRestart(t, { specVersion: 6, total: 5, times: [] })).toBe(true);
    const h = recordRestart({ specVersion: 6, total: 5, times: [1] }, 7, 2, 1);
    expect(h).toEqual({ specVersion: 7, total: 1, times: [2] });
  });

  it('counts only restarts inside the window before the failure', () => {
    const fail = Date.parse('2026-01-01T00:01:00.000Z');
    const t = failed({ MaxAttempts: 2, Window: 30e9 }); // 30 s
    const h = { specVersion: 7, total: 5, times: [fail - 50_000, fail - 40_000, fail - 10_000] };
    expect(shouldRestart(t, h)).toBe(true); // one restart inside (fail-30s, fail)
    h.times.push(fail - 5_000);
    expect(shouldRestart(t, h)).toBe(false);
  });

  it('rebuilds history from stored tasks: newest SpecVersion, all but the oldest', () => {
    const svc = makeService();
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
    const tasks = [
      makeTask(svc, { Slot: 1, SpecVersion: { Index: 3 }, CreatedAt: at(0) }),
      makeTask(svc, { Slot: 1, SpecVersion: { Index: 5 }, CreatedAt: at(10) }),
      makeTask(svc, { Slot: 1, SpecVersion: { Index: 5 }, CreatedAt: at(20) }),
      makeTask(svc, { Slot: 1, SpecVersion: { Index: 5 }, CreatedAt: at(30) }),
      makeTask(svc, { Slot: 2, SpecVersion: { Index: 5 }, CreatedAt: at(30) }),
    ];
    const h = rebuildHistory(tasks);
    expect(h.get(`${svc.ID}/1`)).toEqual({ specVersion: 5, total: 2, times: [Date.parse(at(20)), Date.parse(at(30))] });
    expect(h.has(`${svc.ID}/2`)).toBe(false);
  });
});

describe('restart supervisor (loop)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });

  async function setup(policy?: RestartPolicy) {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00.000Z'));
    const s = await openTempStore({ clock: () => clock.now() });
    const node = makeNode();
    const svc = makeService({
      Spec: makeServiceSpec({
        TaskTemplate: { ContainerSpec: { Image: 'nginx' }, ForceUpdate: 0, RestartPolicy: policy },
      }),
    });
    await s.store.update((tx) => {
      tx.create('node', node);
      tx.create('service', svc);
    });
    const orch = new Orchestrators(s.store, clock);
    orch.start();
    cleanup.push(async () => {
      await orch.stop();
      await s.close();
    });
    const view = s.store.view;
    await until(() => view.tasksByService(svc.ID).length === 1);
    const first = view.tasksByService(svc.ID)[0]!;
    expect(first).toMatchObject({ Slot: 1, DesiredState: 'running', Status: { State: 'new', Message: 'created' } });
    await report(s.store, first.ID, 'running', node.ID);
    return { clock, store: s.store, view, node, svc, orch, first };
  }

  it('creates the replacement with desired ready, then starts it only after the 5s default delay', async () => {
    const { clock, store, view, svc, orch, first } = await setup();
    await report(store, first.ID, 'failed');
    await until(() => view.tasksByService(svc.ID).length === 2);
    await orch.idle();
    const repl = view.tasksByService(svc.ID).find((t) => t.ID !== first.ID)!;
    expect(repl).toMatchObject({ Slot: 1, DesiredState: 'ready' });
    expect(view.get('task', first.ID)!.DesiredState).toBe('shutdown');
    clock.advance(4_999);
    await orch.idle();
    expect(view.get('task', repl.ID)!.DesiredState).toBe('ready');
    clock.advance(1);
    await until(() => view.get('task', repl.ID)!.DesiredState === 'running');
  });

  it('waits for the old task to stop before starting the replacement (drained node: no delay)', async () => {
    const { clock, store, view, svc, node, first } = await setup();
    await store.update((tx) => {
      const n = tx.get('node', node.ID)!;
      tx.update('node', { ...n, Spec: { ...n.Spec, Availability: 'drain' } });
    });
    await until(() => view.tasksByService(svc.ID).length === 2);
    const repl = view.tasksByService(svc.ID).find((t) => t.ID !== first.ID)!;
    expect(view.get('task', first.ID)!.DesiredState).toBe('shutdown');
    clock.advance(10_000); // well past any delay; the old task is still running
    await new Promise((r) => setTimeout(r, 30));
    expect(view.get('task', repl.ID)!.DesiredState).toBe('ready');
    await report(store, first.ID, 'shutdown');
    await until(() => view.get('task', repl.ID)!.DesiredState === 'running');
  });

  it('starts the replacement of a task on a DOWN node at once: its node was lost, the task did not fail', async () => {
    const { store, view, svc, node, first } = await setup();
    await store.update((tx) => {
      const n = tx.get('node', node.ID)!;
      tx.update('node', { ...n, Status: { ...n.Status, State: 'down' } });
    });
    await until(() => view.tasksByService(svc.ID).length === 2);
    const repl = view.tasksByService(svc.ID).find((t) => t.ID !== first.ID)!;
    // no clock advance: neither the 5 s delay nor the old task's stop is waited for
    await until(() => view.get('task', repl.ID)!.DesiredState === 'running');
    expect(view.get('task', first.ID)!.DesiredState).toBe('shutdown');
  });

  it('gives up waiting for the old task after one minute', async () => {
    const { clock, store, view, svc, node, first } = await setup({ Delay: 0 });
    await store.update((tx) => {
      const n = tx.get('node', node.ID)!;
      tx.update('node', { ...n, Spec: { ...n.Spec, Availability: 'drain' } });
    });
    await until(() => view.tasksByService(svc.ID).length === 2);
    const repl = view.tasksByService(svc.ID).find((t) => t.ID !== first.ID)!;
    clock.advance(59_999);
    await new Promise((r) => setTimeout(r, 30));
    expect(view.get('task', repl.ID)!.DesiredState).toBe('ready');
    clock.advance(1);
    await until(() => view.get('task', repl.ID)!.DesiredState === 'running');
  });

  it('does not restart with condition none; with MaxAttempts stops after the limit', async () => {
    const a = await setup({ Condition: 'none' });
    await report(a.store, a.first.ID, 'failed');
    await until(() => a.view.get('task', a.first.ID)!.DesiredState === 'shutdown');
    await a.orch.idle();
    a.clock.advance(10_000);
    await a.orch.idle();
    expect(a.view.tasksByService(a.svc.ID)).toHaveLength(1);

    const b = await setup({ MaxAttempts: 1, Delay: 0 });
    await report(b.store, b.first.ID, 'failed');
    await until(() => b.view.tasksByService(b.svc.ID).length === 2);
    const second = b.view.tasksByService(b.svc.ID).find((t) => t.ID !== b.first.ID)!;
    await until(() => b.view.get('task', second.ID)!.DesiredState === 'running');
    await report(b.store, second.ID, 'running', b.node.ID);
    await report(b.store, second.ID, 'failed');
    await until(() => b.view.get('task', second.ID)!.DesiredState === 'shutdown');
    await b.orch.idle();
    await new Promise((r) => setTimeout(r, 30));
    await b.orch.idle();
    expect(b.view.tasksByService(b.svc.ID)).toHaveLength(2); // exhausted: the slot stays satisfied, dead
  });
});

describe('start-up fix-ups (new leader)', () => {
  it('re-arms a staged task with the remaining delay, rebuilds history, deletes service-less tasks', async () => {
    const T = Date.parse('2026-01-01T00:01:00.000Z');
    const clock = new ManualClock(T);
    const s = await openTempStore({ clock: () => clock.now() });
    const node = makeNode();
    const svc = makeService({
      SpecVersion: { Index: 3 },
      Spec: makeServiceSpec({
        TaskTemplate: { ContainerSpec: { Image: 'nginx' }, ForceUpdate: 0, RestartPolicy: { MaxAttempts: 1 } },
      }),
    });
    const iso = (ms: number) => new Date(ms).toISOString();
    const old = makeTask(svc, {
      Slot: 1,
      NodeID: node.ID,
      DesiredState: 'shutdown',
      CreatedAt: iso(T - 20_000),
      Status: { State: 'failed', Message: '', Timestamp: iso(T - 10_000) },
    });
    const staged = makeTask(svc, {
      Slot: 1,
      NodeID: node.ID,
      DesiredState: 'ready',
      CreatedAt: iso(T - 2_000),
      Status: { State: 'ready', Message: 'prepared', Timestamp: iso(T - 2_000) },
    });
    const stray = makeTask(makeService(), { Slot: 1 });
    await s.store.update((tx) => {
      tx.create('node', node);
      tx.create('service', svc);
      for (const t of [old, staged, stray]) tx.create('task', t);
    });
    const orch = new Orchestrators(s.store, clock);
    orch.start();
    try {
      const view = s.store.view;
      await until(() => !view.get('task', stray.ID));
      await orch.idle();
      expect(orch.restarts.historyOf(`${svc.ID}/1`)).toMatchObject({ specVersion: 3, total: 1 });
      clock.advance(2_999);
      await orch.idle();
      expect(view.get('task', staged.ID)!.DesiredState).toBe('ready');
      clock.advance(1);
      await until(() => view.get('task', staged.ID)!.DesiredState === 'running');
      // the rebuilt history says MaxAttempts is used up: no further restart
      await report(s.store, staged.ID, 'running');
      await report(s.store, staged.ID, 'failed');
      await until(() => view.get('task', staged.ID)!.DesiredState === 'shutdown');
      await orch.idle();
      expect(view.tasksByService(svc.ID)).toHaveLength(2);
    } finally {
      await orch.stop();
      await s.close();
    }
  });
});
