import { afterEach, describe, expect, it } from 'vitest';
import type { Task } from '../api/types';
import { makeService, makeTask, openTempStore } from '../store/test-support';
import { ManualClock, iso } from '../util/clock';
import { Allocator, allocateTask } from './allocator';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function setup() {
  const s = await openTempStore();
  const clock = new ManualClock();
  const allocator = new Allocator(s.store, clock);
  cleanup.push(() => s.close());
  cleanup.push(() => allocator.stop());
  return { ...s, clock, allocator };
}

describe('allocateTask', () => {
  it('moves NEW to PENDING unless the task is already told to stop', () => {
    const t = makeTask(makeService());
    expect(allocateTask(t, 'now')?.Status).toEqual({
      Timestamp: 'now',
      State: 'pending',
      Message: 'pending task scheduling',
    });
    expect(allocateTask({ ...t, DesiredState: 'complete' }, 'now')?.Status.State).toBe('pending'); // job task
    expect(allocateTask({ ...t, DesiredState: 'shutdown' }, 'now')).toBeUndefined();
    expect(allocateTask({ ...t, DesiredState: 'remove' }, 'now')).toBeUndefined();
    expect(allocateTask({ ...t, Status: { ...t.Status, State: 'pending' } }, 'now')).toBeUndefined();
  });
});

describe('Allocator', () => {
  it('moves existing NEW tasks to PENDING in one batch on start', async () => {
    const { store, clock, allocator } = await setup();
    const svc = makeService();
    const tasks = Array.from({ length: 5 }, (_, i) => makeTask(svc, { Slot: i + 1 }));
    const stopped = makeTask(svc, { Slot: 9, DesiredState: 'shutdown' });
    await store.update((tx) => {
      tx.create('service', svc);
      for (const t of [...tasks, stopped]) tx.create('task', t);
    });
    const before = store.view.index;

    allocator.start();
    await allocator.idle();

    const after = tasks.map((t) => store.view.get('task', t.ID)!);
    for (const t of after) {
      expect(t.Status).toMatchObject({
        State: 'pending',
        Message: 'pending task scheduling',
        Timestamp: iso(clock.now()),
      });
    }
    // one entry for the whole pass
    expect(store.view.index).toBe(before + 1);
    expect(new Set(after.map((t) => t.Version.Index))).toEqual(new Set([before + 1]));
    // left for the orchestrator/reaper
    expect(store.view.get('task', stopped.ID)!.Status.State).toBe('new');
  });

  it('picks up tasks created while running', async () => {
    const { store, allocator } = await setup();
    allocator.start();
    await allocator.idle();
    const svc = makeService();
    const t: Task = makeTask(svc);
    await store.update((tx) => {
      tx.create('service', svc);
      tx.create('task', t);
    });
    await allocator.idle();
    expect(store.view.get('task', t.ID)!.Status.State).toBe('pending');
  });

  it('does nothing after stop', async () => {
    const { store, allocator } = await setup();
    allocator.start();
    await allocator.stop();
    const svc = makeService();
    const t = makeTask(svc);
    await store.update((tx) => tx.create('task', t));
    await allocator.idle();
    expect(store.view.get('task', t.ID)!.Status.State).toBe('new');
  });
});
