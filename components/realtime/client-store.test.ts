import { describe, expect, it } from 'vitest';
import type { ConsoleState } from '@/server/api/realtime';
import { fixtureService as makeService, fixtureTask as makeTask } from '../cluster/test-fixtures';
import { ClientClusterStore } from './client-store';

const svc = makeService({ ID: 's1' });
const t = (id: string, state: 'running' | 'shutdown' = 'running') =>
  makeTask(svc, { ID: id, Status: { Timestamp: '2026-01-01T00:00:00Z', State: state, Message: '' } });

function snapshot(index: number): ConsoleState {
  return {
    index,
    objects: {
      cluster: [],
      node: [],
      service: [svc],
      task: [t('a'), t('b')],
      network: [],
      secret: [],
      config: [],
    },
  };
}

describe('ClientClusterStore', () => {
  it('applies a snapshot, then chained frames, touching only changed kinds', () => {
    const s = new ClientClusterStore();
    let notified = 0;
    s.subscribe(() => notified++);
    expect(s.applyChanges({ from: 0, to: 1, changes: [] })).toBe('gap'); // nothing loaded yet
    s.applySnapshot(snapshot(10));
    const before = s.getView();
    expect(
      s.applyChanges({
        from: 10,
        to: 12,
        changes: [
          { kind: 'task', action: 'update', id: 'a', object: t('a', 'shutdown') },
          { kind: 'task', action: 'delete', id: 'b' },
          { kind: 'task', action: 'create', id: 'c', object: t('c') },
        ],
      }),
    ).toBe('applied');
    const after = s.getView();
    expect(after.index).toBe(12);
    expect([...after.tables.task.keys()].sort()).toEqual(['a', 'c']);
    expect(after.tables.task.get('a')!.Status.State).toBe('shutdown');
    expect(after.tables.service).toBe(before.tables.service);
    expect(before.tables.task.get('a')!.Status.State).toBe('running'); // old view untouched
    expect(notified).toBe(2);
  });

  it('copies a table once per read, never changing one it handed out', () => {
    const s = new ClientClusterStore();
    s.applySnapshot(snapshot(10));
    const read = s.getView();
    const frame = (from: number, id: string) =>
      s.applyChanges({ from, to: from + 1, changes: [{ kind: 'task', action: 'create', id, object: t(id) }] });
    // unread between frames: the second frame adds to the table the first one made
    frame(10, 'c');
    frame(11, 'd');
    frame(12, 'e');
    const next = s.getView();
    expect([...next.tables.task.keys()].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect([...read.tables.task.keys()].sort()).toEqual(['a', 'b']); // what was handed out stays as it was
    // read again: the next frame makes a new table and leaves this one alone
    frame(13, 'f');
    expect(next.tables.task.has('f')).toBe(false);
    expect(s.getView().tables.task.has('f')).toBe(true);
    expect(s.getView().tables.task).not.toBe(next.tables.task);
  });

  it('ignores covered frames and reports gaps', () => {
    const s = new ClientClusterStore();
    s.applySnapshot(snapshot(10));
    expect(s.applyChanges({ from: 8, to: 10, changes: [] })).toBe('stale');
    expect(s.applyChanges({ from: 11, to: 12, changes: [] })).toBe('gap');
    expect(s.applyChanges({ from: 9, to: 11, changes: [] })).toBe('applied'); // overlap is fine: upserts
    expect(s.getView().index).toBe(11);
  });

  it('keeps the newer of two snapshots (first load racing the socket)', () => {
    const s = new ClientClusterStore();
    expect(s.applySnapshot(snapshot(12))).toBe(true);
    expect(s.applySnapshot(snapshot(11))).toBe(false);
    expect(s.getView().index).toBe(12);
  });

  it('keeps spec-history notices out of the tables and tells listeners which services changed', () => {
    const s = new ClientClusterStore();
    const heard: (string[] | 'all')[] = [];
    s.onVersionsChanged((c) => heard.push(c === 'all' ? 'all' : [...c]));
    s.applySnapshot(snapshot(10));
    const notice = (id: string, serviceID: string) => ({ ID: id, ServiceID: serviceID, SpecIndex: 3, Index: 11 });
    const before = s.getView();
    s.applyChanges({
      from: 10,
      to: 11,
      changes: [
        { kind: 'serviceVersion', action: 'create', id: 'v1', object: notice('v1', 's1') },
        { kind: 'serviceVersion', action: 'delete', id: 'v0', object: notice('v0', 's1') },
        { kind: 'serviceVersion', action: 'update', id: 'v9', object: notice('v9', 's2') },
      ],
    });
    expect(heard).toEqual(['all', ['s1', 's2']]);
    expect(Object.keys(s.getView().tables)).not.toContain('serviceVersion');
    expect(s.getView().tables.task).toBe(before.tables.task);
    // frames without history changes stay quiet
    s.applyChanges({ from: 11, to: 12, changes: [] });
    expect(heard).toHaveLength(2);
  });

  it('holds only the tasks of its scope: narrows at once, widens only with a snapshot, drops stray tasks', () => {
    const other = makeService({ ID: 's2' });
    const s = new ClientClusterStore();
    s.applySnapshot({
      ...snapshot(10),
      objects: { ...snapshot(10).objects, task: [t('a'), makeTask(other, { ID: 'x' })] },
    });
    expect(s.getView().taskScope).toBe('all');
    expect(s.narrowTasks({ services: ['s1'] })).toBe(true);
    expect([...s.getView().tables.task.keys()]).toEqual(['a']);
    expect(s.getView().taskScope).toEqual({ services: ['s1'] });
    // a frame sent before the server heard of the scope still carries the other service's task
    s.applyChanges({
      from: 10,
      to: 11,
      changes: [
        { kind: 'task', action: 'update', id: 'x', object: makeTask(other, { ID: 'x' }) },
        { kind: 'task', action: 'create', id: 'c', object: t('c') },
      ],
    });
    expect([...s.getView().tables.task.keys()].sort()).toEqual(['a', 'c']);
    // wider than what it holds: the caller must ask the server for a snapshot
    expect(s.narrowTasks({ services: ['s1', 's2'] })).toBe(false);
    expect(s.narrowTasks('all')).toBe(false);
    expect(s.getView().taskScope).toEqual({ services: ['s1'] });
    s.applySnapshot({ ...snapshot(12), tasks: { services: ['s1', 's2'] } });
    expect(s.getView().taskScope).toEqual({ services: ['s1', 's2'] });
    const held = s.getView();
    expect(s.narrowTasks({ services: ['s2', 's1'] })).toBe(true);
    expect(s.getView()).toBe(held); // the same scope: nothing changes
  });

  it('hands a holder what it holds and every frame after, keeping no task itself, and asks again when let go', () => {
    const s = new ClientClusterStore();
    s.applySnapshot(snapshot(10));
    const got: string[] = [];
    let heldTasks = 0;
    const release = s.holdTasksIn({
      snapshot: (x) => {
        got.push(`snapshot ${x.index}`);
        heldTasks = x.objects.task.length;
      },
      changes: (f) => got.push(`changes ${f.from}-${f.to}`),
      narrow: (scope) => got.push(`narrow ${JSON.stringify(scope)}`),
    });
    expect(got).toEqual(['snapshot 10']);
    expect(heldTasks).toBe(2);
    expect(s.getView().tables.task.size).toBe(0);
    expect(s.getView().tables.service.size).toBe(1);
    expect(s.getView().taskScope).toBe('all'); // the scope the server sends: the holder keeps it
    const create = (from: number) =>
      s.applyChanges({
        from,
        to: from + 1,
        changes: [{ kind: 'task', action: 'create', id: `c${from}`, object: t('c') }],
      });
    expect(create(10)).toBe('applied');
    expect(create(10)).toBe('stale'); // not handed on: the holder has it
    expect(create(13)).toBe('gap');
    expect(s.getView().tables.task.size).toBe(0);
    expect(s.narrowTasks({ services: ['s1'] })).toBe(true);
    s.applySnapshot(snapshot(20));
    expect(got).toEqual(['snapshot 10', 'changes 10-11', 'narrow {"services":["s1"]}', 'snapshot 20']);
    expect(s.getView().tables.task.size).toBe(0);

    let dropped = 0;
    s.onTasksDropped(() => dropped++);
    release();
    expect(dropped).toBe(1);
    // it holds no task now, and says so: any page's scope is wider, so the store asks the server again
    expect(s.getView().taskScope).toEqual({ services: [] });
    expect(s.narrowTasks('all')).toBe(false);
    s.applySnapshot(snapshot(21));
    expect(s.getView().tables.task.size).toBe(2);
    expect(got).toHaveLength(4);
  });
});
