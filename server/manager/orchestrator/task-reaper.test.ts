import { afterEach, describe, expect, it } from 'vitest';
import type { Task, TaskState } from '../../api/types';
import { makeService, makeServiceSpec, makeTask, openTempStore } from '../../store/test-support';
import { ManualClock } from '../../util/clock';
import { planSlotPrune, reapNow, retentionLimit, TaskReaper } from './task-reaper';
import { settle, until } from './testkit';

const svc = makeService();
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
function task(sec: number, state: TaskState, desired: TaskState = 'shutdown', over: Partial<Task> = {}): Task {
  return makeTask(svc, {
    Slot: 1,
    DesiredState: desired,
    Status: { State: state, Message: state, Timestamp: at(sec) },
    ...over,
  });
}

describe('task history retention (pure)', () => {
  it('keeps the limit per slot counting the current task, pruning oldest first', () => {
    const hist = [0, 1, 2, 3, 4, 5].map((s) => task(s, 'failed'));
    const cur = task(6, 'running', 'running');
    const plan = planSlotPrune([cur, ...hist.reverse()], 5);
    expect(plan.delete.map((t) => t.Status.Timestamp)).toEqual([at(0), at(1)]);
  });

  it('orders by AppliedAt before the agent timestamp', () => {
    const a = task(9, 'failed', 'shutdown', {
      Status: { State: 'failed', Message: '', Timestamp: at(9), AppliedAt: at(1) },
    });
    const b = task(2, 'failed');
    expect(planSlotPrune([b, a], 1).delete).toEqual([a]);
  });

  it('never deletes non-terminal tasks, but deletes never-runnable ones', () => {
    const live = [task(0, 'running', 'shutdown'), task(1, 'starting', 'running')];
    const never = task(2, 'pending', 'shutdown');
    const plan = planSlotPrune([...live, never], 0);
    expect(plan.delete).toEqual([never]);
    expect(plan.keepDirty).toBe(true); // two live tasks: look again later
  });

  it('does nothing within the limit or with a negative limit; 0 prunes all terminal', () => {
    const ts = [task(0, 'failed'), task(1, 'complete')];
    expect(planSlotPrune(ts, 5).delete).toEqual([]);
    expect(planSlotPrune(ts, -1).delete).toEqual([]);
    expect(planSlotPrune(ts, 0).delete).toHaveLength(2);
  });

  it('uses MaxAttempts+1 over the cluster limit, default 5', () => {
    expect(retentionLimit(undefined, svc)).toBe(5);
    expect(retentionLimit(-1, svc)).toBe(-1);
    const limited = makeService({
      Spec: makeServiceSpec({
        TaskTemplate: { ContainerSpec: { Image: 'x' }, ForceUpdate: 0, RestartPolicy: { MaxAttempts: 1 } },
      }),
    });
    expect(retentionLimit(10, limited)).toBe(2);
    expect(retentionLimit(-1, limited)).toBe(2);
  });

  it('reaps REMOVE tasks at once only when never dispatched or stopped', () => {
    expect(reapNow(task(0, 'pending', 'remove'), true)).toBe(true);
    expect(reapNow(task(0, 'shutdown', 'remove'), true)).toBe(true);
    expect(reapNow(task(0, 'running', 'remove'), true)).toBe(false);
    expect(reapNow(task(0, 'assigned', 'remove'), true)).toBe(false);
    expect(reapNow(task(0, 'orphaned', 'shutdown'), false)).toBe(true);
    expect(reapNow(task(0, 'orphaned', 'shutdown'), true)).toBe(false);
  });
});

describe('TaskReaper (loop)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });

  async function setup(service = makeService()) {
    const clock = new ManualClock(Date.parse('2026-01-01T00:10:00.000Z'));
    const s = await openTempStore({ clock: () => clock.now() });
    await s.store.update((tx) => tx.create('service', service));
    const reaper = new TaskReaper(s.store, clock);
    cleanup.push(async () => {
      await reaper.stop();
      await s.close();
    });
    return { clock, store: s.store, view: s.store.view, reaper, service };
  }

  it('prunes a slot to 5 tasks (current included) 250 ms after a new task, never the running one', async () => {
    const { clock, store, view, reaper, service } = await setup();
    reaper.start();
    const hist = [0, 1, 2, 3, 4, 5].map((s) =>
      makeTask(service, {
        Slot: 1,
        DesiredState: 'shutdown',
        Status: { State: 'failed', Message: '', Timestamp: at(s) },
      }),
    );
    const cur = makeTask(service, { Slot: 1, Status: { State: 'running', Message: '', Timestamp: at(0) } });
    const other = makeTask(service, {
      Slot: 2,
      DesiredState: 'shutdown',
      Status: { State: 'failed', Message: '', Timestamp: at(0) },
    });
    await store.update((tx) => {
      for (const t of [...hist, cur, other]) tx.create('task', t);
    });
    clock.advance(249);
    await settle();
    expect(view.tasksBySlot(`${service.ID}/1`)).toHaveLength(7);
    clock.advance(1);
    await until(() => view.tasksBySlot(`${service.ID}/1`).length === 5);
    await reaper.idle();
    const left = view.tasksBySlot(`${service.ID}/1`).map((t) => t.ID);
    expect(left).toContain(cur.ID);
    expect(left).not.toContain(hist[0]!.ID);
    expect(left).not.toContain(hist[1]!.ID);
    expect(view.get('task', other.ID)).toBeDefined();
  });

  it('honours MaxAttempts+1 as the slot limit', async () => {
    const limited = makeService({
      Spec: makeServiceSpec({
        TaskTemplate: { ContainerSpec: { Image: 'x' }, ForceUpdate: 0, RestartPolicy: { MaxAttempts: 1 } },
      }),
    });
    const { clock, store, view, reaper } = await setup(limited);
    reaper.start();
    await store.update((tx) => {
      for (const s of [0, 1, 2]) {
        tx.create(
          'task',
          makeTask(limited, {
            Slot: 1,
            DesiredState: 'shutdown',
            Status: { State: 'failed', Message: '', Timestamp: at(s) },
          }),
        );
      }
    });
    clock.advance(250);
    await until(() => view.tasksBySlot(`${limited.ID}/1`).length === 2);
  });

  it('deletes stopped REMOVE tasks without touching running ones, also at start-up', async () => {
    const { clock, store, view, reaper, service } = await setup();
    const stopped = makeTask(service, {
      Slot: 1,
      DesiredState: 'remove',
      Status: { State: 'shutdown', Message: '', Timestamp: at(0) },
    });
    const running = makeTask(service, {
      Slot: 2,
      DesiredState: 'remove',
      Status: { State: 'running', Message: '', Timestamp: at(0) },
    });
    await store.update((tx) => {
      tx.create('task', stopped);
      tx.create('task', running);
    });
    reaper.start(); // start-up scan finds the stopped one
    await until(() => !view.get('task', stopped.ID));
    expect(view.get('task', running.ID)).toBeDefined();
    await store.update((tx) => {
      const t = tx.get('task', running.ID)!;
      tx.update('task', { ...t, Status: { ...t.Status, State: 'shutdown' } });
    });
    clock.advance(250);
    await until(() => !view.get('task', running.ID));
  });
});
