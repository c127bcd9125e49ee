import { describe, expect, it } from 'vitest';
import type { ChangesFrame, WireChange } from '../api/realtime';
import type { ServiceVersion } from '../api/types';
import { makeService, makeTask } from '../store/test-support';
import { ManualClock } from '../util/clock';
import { EventRing, FrameBuffer, FramePacer, toWireChanges } from './frames';

const svc = makeService();
const task = (state: 'assigned' | 'running' | 'shutdown', id = 't1') =>
  makeTask(svc, { ID: id, Status: { Timestamp: '2026-01-01T00:00:00Z', State: state, Message: state } });
const up = (state: 'assigned' | 'running' | 'shutdown', id = 't1'): WireChange => ({
  kind: 'task',
  action: 'update',
  id,
  object: task(state, id),
});
const cr = (state: 'assigned' | 'running', id: string): WireChange => ({
  kind: 'task',
  action: 'create',
  id,
  object: task(state, id),
});

describe('toWireChanges', () => {
  it('keeps objects for create/update and only the ID for deletes', () => {
    const t = task('running');
    const wire = toWireChanges([
      { kind: 'task', action: 'update', object: t },
      { kind: 'task', action: 'delete', object: t },
    ]);
    expect(wire[0]).toEqual({ kind: 'task', action: 'update', id: 't1', object: t });
    expect(wire[1]).toEqual({ kind: 'task', action: 'delete', id: 't1' });
  });

  it('sends a spec-history record as a small notice naming its service, deletes included', () => {
    const v: ServiceVersion = {
      ID: 'v1',
      Version: { Index: 42 },
      CreatedAt: '2026-01-01T00:00:00Z',
      UpdatedAt: '2026-01-01T00:00:00Z',
      Seq: 1,
      ServiceID: svc.ID,
      SpecIndex: 7,
      Spec: svc.Spec,
      Cause: 'update',
      Update: { State: 'updating', Message: 'update in progress', Events: [{ At: '', Kind: 'started', Message: '' }] },
    };
    const notice = { ID: 'v1', ServiceID: svc.ID, SpecIndex: 7, Index: 42 };
    expect(
      toWireChanges([
        { kind: 'serviceVersion', action: 'update', object: v },
        { kind: 'serviceVersion', action: 'delete', object: v },
      ]),
    ).toEqual([
      { kind: 'serviceVersion', action: 'update', id: 'v1', object: notice },
      { kind: 'serviceVersion', action: 'delete', id: 'v1', object: notice },
    ]);
  });
});

describe('FrameBuffer', () => {
  it('collapses several updates of one object to the last', () => {
    const b = new FrameBuffer(10);
    b.add(11, [up('assigned')]);
    b.add(12, [up('running'), up('assigned', 't2')]);
    const f = b.take()!;
    expect(f.from).toBe(10);
    expect(f.to).toBe(12);
    expect(f.changes).toHaveLength(2);
    const t1 = f.changes.find((c) => c.id === 't1')!;
    expect(t1.action === 'update' && t1.kind === 'task' && t1.object.Status.State).toBe('running');
  });

  it('nets create+update to create, create+delete to nothing, update+delete to delete', () => {
    const b = new FrameBuffer(0);
    b.add(1, [cr('assigned', 'a'), up('assigned', 'b'), up('assigned', 'c')]);
    b.add(2, [up('running', 'a'), { kind: 'task', action: 'delete', id: 'b' }]);
    b.add(3, [{ kind: 'task', action: 'delete', id: 'a' }]);
    const f = b.take()!;
    expect(f.changes.map((c) => `${c.id}:${c.action}`).sort()).toEqual(['b:delete', 'c:update']);
  });

  it('turns delete then re-create into an update the client can upsert', () => {
    const b = new FrameBuffer(0);
    b.add(1, [{ kind: 'task', action: 'delete', id: 'a' }]);
    b.add(2, [cr('running', 'a')]);
    expect(b.take()!.changes.map((c) => c.action)).toEqual(['update']);
  });

  it('chains frames and ignores entries it already covered', () => {
    const b = new FrameBuffer(5);
    expect(b.take()).toBeNull();
    b.add(5, [up('running')]);
    expect(b.take()).toBeNull();
    b.add(7, [up('running')]);
    expect(b.take()).toMatchObject({ from: 5, to: 7 });
    b.add(8, []);
    expect(b.take()).toEqual({ from: 7, to: 8, changes: [] });
  });
});

describe('FramePacer', () => {
  it('sends at most one frame per interval and coalesces in between', () => {
    const clock = new ManualClock();
    const sent: ChangesFrame[] = [];
    const p = new FramePacer(0, clock, (f) => sent.push(f), 50);
    p.add(1, [up('assigned')]); // after a quiet period: sent at once
    expect(sent).toHaveLength(1);
    for (let i = 2; i <= 40; i++) {
      clock.advance(1);
      p.add(i, [up(i % 2 ? 'assigned' : 'running'), up('running', `x${i}`)]);
    }
    expect(sent).toHaveLength(1); // 39 ms later: still within the interval
    clock.advance(11);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({ from: 1, to: 40 });
    expect(sent[1]!.changes).toHaveLength(40); // t1 once + 39 x-tasks
    // a second of continuous changes gives about 20 frames, never more
    for (let i = 41; i <= 1040; i++) {
      clock.advance(1);
      p.add(i, [up('running')]);
    }
    clock.advance(100);
    const frames = sent.length - 2;
    expect(frames).toBeGreaterThanOrEqual(19);
    expect(frames).toBeLessThanOrEqual(21);
    // frames chain without gaps
    for (let i = 1; i < sent.length; i++) expect(sent[i]!.from).toBe(sent[i - 1]!.to);
    expect(sent.at(-1)!.to).toBe(1040);
  });

  it('sends nothing for entries that changed nothing in scope, and the next frame covers them', () => {
    const clock = new ManualClock();
    const sent: ChangesFrame[] = [];
    const p = new FramePacer(0, clock, (f) => sent.push(f), 50);
    for (let i = 1; i <= 30; i++) {
      p.add(i, []); // another service's tasks, scoped out
      clock.advance(10);
    }
    expect(sent).toEqual([]);
    p.add(31, [up('running')]);
    expect(sent).toEqual([{ from: 0, to: 31, changes: [expect.objectContaining({ id: 't1' })] }]);
    p.add(32, []);
    clock.advance(1000);
    expect(sent).toHaveLength(1);
    // at the beat, the entries with nothing in them still move the client's index
    p.catchUp();
    expect(sent[1]).toEqual({ from: 31, to: 32, changes: [] });
    p.catchUp(); // nothing new since
    expect(sent).toHaveLength(2);
    p.add(33, [up('shutdown')]);
    p.catchUp(); // a change waits for its own frame, not the beat's
    clock.advance(100);
    expect(sent.slice(2)).toEqual([{ from: 32, to: 33, changes: [expect.objectContaining({ id: 't1' })] }]);
  });

  it('sends a frame early once it holds maxChanges objects, split between entries so frames still chain', () => {
    const clock = new ManualClock();
    const sent: ChangesFrame[] = [];
    const p = new FramePacer(
      0,
      clock,
      (f) => sent.push(f),
      50,
      () => true,
      100,
    );
    p.add(1, [up('running', 'first')]); // after a quiet period: at once
    // a burst with no time passing (entries applied back to back after the manager paused): 30 entries of 15
    for (let i = 2; i <= 31; i++)
      p.add(
        i,
        Array.from({ length: 15 }, (_, k) => up('running', `b${i}-${k}`)),
      );
    // 450 changes: four frames went at 105 changes each, the rest waits for the interval
    expect(sent.map((f) => f.changes.length)).toEqual([1, 105, 105, 105, 105]);
    clock.advance(50);
    expect(sent.map((f) => f.changes.length)).toEqual([1, 105, 105, 105, 105, 30]);
    for (let i = 1; i < sent.length; i++) expect(sent[i]!.from).toBe(sent[i - 1]!.to);
    expect(sent.at(-1)!.to).toBe(31);
    // one entry larger than the cap goes whole
    p.add(
      32,
      Array.from({ length: 250 }, (_, k) => up('running', `big${k}`)),
    );
    expect(sent.at(-1)).toMatchObject({ from: 31, to: 32 });
    expect(sent.at(-1)!.changes).toHaveLength(250);
  });

  it('holds a full frame while the client is behind, like any other', () => {
    const clock = new ManualClock();
    const sent: ChangesFrame[] = [];
    let ready = false;
    const p = new FramePacer(
      0,
      clock,
      (f) => sent.push(f),
      50,
      () => ready,
      10,
    );
    for (let i = 1; i <= 5; i++)
      p.add(
        i,
        Array.from({ length: 5 }, (_, k) => up('running', `h${i}-${k}`)),
      );
    expect(sent).toEqual([]);
    ready = true;
    clock.advance(50);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ from: 0, to: 5 });
    expect(sent[0]!.changes).toHaveLength(25);
  });

  it('close cancels a pending flush', () => {
    const clock = new ManualClock();
    const sent: ChangesFrame[] = [];
    const p = new FramePacer(0, clock, (f) => sent.push(f), 50);
    p.add(1, []);
    p.add(2, [up('running')]);
    p.close();
    clock.advance(1000);
    expect(sent).toHaveLength(1);
  });
});

describe('EventRing', () => {
  it('resumes with exactly the missed entries', () => {
    const ring = new EventRing(100);
    ring.push(101, [up('assigned')]);
    ring.push(103, [up('running')]); // 102 was a skipped entry: no event
    ring.push(104, [up('shutdown')]);
    expect(ring.since(104, 104)).toEqual([]);
    expect(ring.since(102, 104)!.map((e) => e.index)).toEqual([103, 104]);
    expect(ring.since(100, 104)!.map((e) => e.index)).toEqual([101, 103, 104]);
  });

  it('asks for a snapshot when the client is too old or ahead of this store', () => {
    const ring = new EventRing(100, 3);
    for (let i = 101; i <= 110; i++) ring.push(i, [up('running')]);
    expect(ring.size).toBe(3);
    expect(ring.since(106, 110)).toBeUndefined(); // 107 was evicted
    expect(ring.since(107, 110)!.map((e) => e.index)).toEqual([108, 109, 110]);
    expect(ring.since(99, 110)).toBeUndefined();
    expect(ring.since(500, 110)).toBeUndefined(); // from another data dir
    expect(ring.since(Number.NaN, 110)).toBeUndefined();
  });

  it('bounds the total number of changes held', () => {
    const ring = new EventRing(0, 1000, 10);
    for (let i = 1; i <= 10; i++)
      ring.push(i, [up('running', `a${i}`), up('running', `b${i}`), up('running', `c${i}`)]);
    expect(ring.size).toBe(3);
    expect(ring.since(7, 10)).toHaveLength(3);
    expect(ring.since(6, 10)).toBeUndefined();
  });

  it('bounds the size of what it holds, keeping at least the newest entry', () => {
    const one = JSON.stringify([up('running', 'a1')]).length;
    const ring = new EventRing(0, 1000, 1000, one * 3 + 3); // a10 is one character longer than a1
    for (let i = 1; i <= 10; i++) ring.push(i, [up('running', `a${i}`)]);
    expect(ring.size).toBe(3);
    expect(ring.since(7, 10)).toHaveLength(3);
    expect(ring.since(6, 10)).toBeUndefined();
    const tiny = new EventRing(0, 1000, 1000, 1);
    tiny.push(1, [up('running', 'a1')]);
    tiny.push(2, [up('running', 'a2')]);
    expect(tiny.since(1, 2)).toHaveLength(1);
  });
});
