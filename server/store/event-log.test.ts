import { describe, expect, it } from 'vitest';
import { eventMatches, type ClusterEvent } from '../api/events';
import type { Secret, Service } from '../api/types';
import type { Batch } from './batch';
import { EVENT_LABEL_CHARS } from './cluster-events';
import { EventLog } from './event-log';
import { MemoryStore } from './memory-store';
import { batchShapeError } from './shape';
import { makeNode, makeService, makeTask } from './test-support';

const T = Date.UTC(2026, 11, 6, 11, 0, 0, 123);

function apply(s: MemoryStore, batch: Batch): ClusterEvent[] {
  const r = s.apply(s.index + 1, batch);
  expect(r.failed ?? r.error?.message).toBeUndefined();
  return (r.event.events ?? []).map((l) => l.event);
}

describe('the event log written by apply', () => {
  it("makes dockerd's service events, stamped with the entry's time", () => {
    const s = new MemoryStore();
    const svc = makeService({ ID: 'svc1', Spec: { ...makeService().Spec, Name: 'web', Labels: { tier: 'front' } } });
    expect(apply(s, { ops: [{ op: 'create', kind: 'service', object: svc }], time: T })).toEqual([
      {
        Type: 'service',
        Action: 'create',
        Actor: { ID: 'svc1', Attributes: { name: 'web', tier: 'front' } },
        scope: 'swarm',
        time: Math.floor(T / 1000),
        timeNano: T * 1_000_000,
      },
    ]);
    const cur = s.get('service', 'svc1')!;
    const next: Service = {
      ...cur,
      Spec: {
        ...cur.Spec,
        Mode: { Replicated: { Replicas: 3 } },
        TaskTemplate: { ...cur.Spec.TaskTemplate, ContainerSpec: { Image: 'nginx:1.27' } },
      },
      UpdateStatus: { State: 'updating', Message: '' },
    };
    const [upd] = apply(s, {
      ops: [{ op: 'update', kind: 'service', object: next, expect: cur.Version.Index }],
      time: T + 5,
    });
    expect(upd!.Action).toBe('update');
    expect(upd!.Actor.Attributes).toEqual({
      name: 'web',
      tier: 'front',
      'image.old': 'nginx:alpine',
      'image.new': 'nginx:1.27',
      'replicas.old': '1',
      'replicas.new': '3',
      'updatestate.new': 'updating',
    });
    expect(upd!.timeNano).toBe((T + 5) * 1_000_000);
    const [rm] = apply(s, { ops: [{ op: 'delete', kind: 'service', id: 'svc1', expect: s.index }], time: T + 9 });
    expect(rm).toMatchObject({ Type: 'service', Action: 'remove', Actor: { ID: 'svc1', Attributes: { name: 'web' } } });
  });

  it('names node changes as dockerd does, and task state moves only', () => {
    const s = new MemoryStore();
    const node = makeNode({ ID: 'n1', hostname: 'edge-1' });
    const svc = makeService({ ID: 's1' });
    const task = makeTask(svc, { ID: 't1', NodeID: 'n1' });
    apply(s, {
      ops: [
        { op: 'create', kind: 'node', object: node },
        { op: 'create', kind: 'service', object: svc },
        { op: 'create', kind: 'task', object: task },
      ],
      time: T,
    });
    const n = s.get('node', 'n1')!;
    const [nu] = apply(s, {
      ops: [
        {
          op: 'update',
          kind: 'node',
          object: { ...n, Spec: { ...n.Spec, Availability: 'drain' }, Status: { ...n.Status, State: 'down' } },
          expect: n.Version.Index,
        },
      ],
      time: T,
    });
    expect(nu!.Actor.Attributes).toEqual({
      name: 'edge-1',
      'availability.old': 'active',
      'availability.new': 'drain',
      'state.old': 'ready',
      'state.new': 'down',
    });
    const t = s.get('task', 't1')!;
    // a task update that moves neither state makes no event
    expect(
      apply(s, {
        ops: [{ op: 'update', kind: 'task', object: { ...t, Labels: { a: 'b' } }, expect: t.Version.Index }],
      }),
    ).toEqual([]);
    const t2 = s.get('task', 't1')!;
    const [tu] = apply(s, {
      ops: [
        {
          op: 'update',
          kind: 'task',
          object: { ...t2, Status: { ...t2.Status, State: 'failed', Err: 'task: non-zero exit (1)' } },
          expect: t2.Version.Index,
        },
      ],
    });
    expect(tu!.Type).toBe('task');
    expect(tu!.Actor.Attributes).toMatchObject({
      name: 'web.1.t1',
      'com.docker.swarm.service.name': 'web',
      'state.old': 'new',
      'state.new': 'failed',
      error: 'task: non-zero exit (1)',
    });
    // an entry without a time of its own takes its objects' UpdatedAt
    expect(tu!.timeNano).toBe(Date.parse(t2.UpdatedAt) * 1_000_000);
  });

  it('carries labels up to a budget, the same ones on every manager', () => {
    const s = new MemoryStore();
    const big = 'v'.repeat(EVENT_LABEL_CHARS);
    const svc = makeService({ Spec: { ...makeService().Spec, Labels: { a: 'small', big, z: 'also' } } });
    const [e] = apply(s, { ops: [{ op: 'create', kind: 'service', object: svc }], time: T });
    expect(e!.Actor.Attributes).toEqual({ name: 'web', a: 'small', z: 'also' });
  });

  it("never puts a secret's data in an event", () => {
    const s = new MemoryStore();
    const secret: Secret = {
      ID: 'sec1',
      Version: { Index: 0 },
      CreatedAt: new Date(T).toISOString(),
      UpdatedAt: new Date(T).toISOString(),
      Spec: { Name: 'db_pw', Labels: {}, Data: Buffer.from('hunter2').toString('base64') },
    } as Secret;
    const [e] = apply(s, { ops: [{ op: 'create', kind: 'secret', object: secret }], time: T });
    expect(e!.Actor.Attributes).toEqual({ name: 'db_pw' });
    expect(JSON.stringify(e)).not.toContain(secret.Spec.Data);
  });

  it('keeps the newest events within its bound and survives a snapshot', () => {
    const s = new MemoryStore();
    for (let i = 0; i < 1100; i++)
      apply(s, {
        ops: [
          { op: 'create', kind: 'service', object: makeService({ Spec: { ...makeService().Spec, Name: `s${i}` } }) },
        ],
        time: T + i,
      });
    const all = s.events.list();
    expect(all).toHaveLength(1000);
    expect(all[0]!.event.Actor.Attributes.name).toBe('s100');
    expect(all.at(-1)!.event.Actor.Attributes.name).toBe('s1099');

    const copy = new MemoryStore();
    copy.restore({ ...s.image(), events: JSON.parse(JSON.stringify(s.events.image())) });
    expect(copy.events.list()).toEqual(all);
    // an image from before the log existed restores to an empty one; a damaged event is left out
    expect(new EventLog().restore(undefined)).toBe(0);
    const log = new EventLog();
    expect(log.restore({ objects: [all[0], { index: 1, seq: 0, event: { Type: 'volume' } }], tasks: 'x' })).toBe(1);
    expect(log.list()).toHaveLength(1);
  });

  it('checks the batch time like the rest of the batch', () => {
    expect(batchShapeError({ ops: [], time: 5 })).toBeUndefined();
    expect(batchShapeError({ ops: [], time: -1 })).toMatch(/batch time/);
    expect(batchShapeError({ ops: [], time: '2026' })).toMatch(/batch time/);
  });
});

describe("dockerd's event filter", () => {
  const ev = (over: Partial<ClusterEvent> & { name?: string; attrs?: Record<string, string> }): ClusterEvent => ({
    Type: over.Type ?? 'service',
    Action: over.Action ?? 'create',
    Actor: { ID: over.Actor?.ID ?? 'abc123', Attributes: { name: over.name ?? 'web', ...over.attrs } },
    scope: 'swarm',
    time: 1,
    timeNano: 1e9,
  });
  it('matches type, event and scope exactly; names and IDs by prefix; labels by key or key=value', () => {
    expect(eventMatches({ type: ['service'] }, ev({}))).toBe(true);
    expect(eventMatches({ type: ['node'] }, ev({}))).toBe(false);
    expect(eventMatches({ event: ['update'] }, ev({}))).toBe(false);
    expect(eventMatches({ scope: ['local'] }, ev({}))).toBe(false);
    expect(eventMatches({ service: ['we'] }, ev({}))).toBe(true);
    expect(eventMatches({ service: ['abc'] }, ev({}))).toBe(true);
    expect(eventMatches({ service: ['api'] }, ev({}))).toBe(false);
    // as in dockerd, a name filter holds for every event type
    expect(eventMatches({ node: ['web'] }, ev({}))).toBe(true);
    expect(eventMatches({ label: ['tier'] }, ev({ attrs: { tier: 'front' } }))).toBe(true);
    expect(eventMatches({ label: ['tier=back'] }, ev({ attrs: { tier: 'front' } }))).toBe(false);
    expect(eventMatches({ label: ['tier'] }, ev({}))).toBe(false);
    expect(eventMatches({ nonsense: ['x'] }, ev({}))).toBe(true);
  });
  it('shows task and cluster events only to a type filter that names them', () => {
    expect(eventMatches({}, ev({ Type: 'task' }))).toBe(false);
    expect(eventMatches({ type: ['task'] }, ev({ Type: 'task' }))).toBe(true);
    expect(eventMatches({ type: ['cluster', 'service'] }, ev({ Type: 'cluster' }))).toBe(true);
  });
});
