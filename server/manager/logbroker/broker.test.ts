import { afterEach, describe, expect, it } from 'vitest';
import { SwarmError } from '../../api/errors';
import type { LogEnd, LogMessage, NodeLogSubscription } from '../../api/logs';
import type { Node, Task, TaskState } from '../../api/types';
import { makeNode, makeService, makeTask, openTempStore } from '../../store/test-support';
import { ManualClock } from '../../util/clock';
import { LogBroker } from './broker';
import { selectTasks } from './select';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const flush = () => new Promise((r) => setTimeout(r, 0));

function placed(t: Task, NodeID: string, State: TaskState = 'running'): Task {
  return { ...t, NodeID, Status: { ...t.Status, State } };
}

async function setup(opts: { nodes?: Node[] } = {}) {
  const s = await openTempStore();
  const clock = new ManualClock();
  const broker = new LogBroker(s.store, clock, { completionTimeoutMs: 5_000, reselectMs: 10 });
  cleanup.push(() => s.close());
  cleanup.push(() => broker.stop());
  const n1 = makeNode({ hostname: 'n1' });
  const n2 = makeNode({ hostname: 'n2' });
  const nodes = opts.nodes ?? [n1, n2];
  const svc = makeService();
  const other = makeService({ Spec: { ...svc.Spec, Name: 'other' } });
  const t1 = placed(makeTask(svc, { Slot: 1 }), nodes[0]!.ID);
  const t2 = placed(makeTask(svc, { Slot: 2 }), nodes[1]!.ID);
  const pending = makeTask(svc, { Slot: 3 });
  const o1 = placed(makeTask(other, { Slot: 1 }), nodes[0]!.ID);
  await s.store.update((tx) => {
    for (const n of nodes) tx.create('node', n);
    tx.create('service', svc);
    tx.create('service', other);
    for (const t of [t1, t2, pending, o1]) tx.create('task', t);
  });
  broker.start();
  return { ...s, clock, broker, nodes, svc, other, t1, t2, pending, o1 };
}

function collector() {
  const got: LogMessage[] = [];
  const ends: LogEnd[] = [];
  return {
    got,
    ends,
    sink: { messages: (b: LogMessage[]) => got.push(...b), end: (e: LogEnd) => ends.push(e) },
  };
}

/** What a node hears: the latest set of subscriptions. */
function listenAs(broker: LogBroker, nodeID: string) {
  const seen: NodeLogSubscription[][] = [];
  const off = broker.listen(nodeID, (subs) => seen.push(subs));
  return { seen, latest: () => seen[seen.length - 1] ?? [], off };
}

const line = (taskID: string, text: string, time = '2026-01-01T00:00:10.000Z') => ({
  taskID,
  time,
  stream: 'stdout' as const,
  line: text,
});

describe('selectTasks', () => {
  it('groups a service’s tasks that have logs by node; a task not yet prepared is left out', async () => {
    const { store, svc, t1, t2, nodes, other, o1 } = await setup();
    const sel = selectTasks(store.view, { serviceIDs: [svc.ID] });
    expect([...sel.keys()].sort()).toEqual([nodes[0]!.ID, nodes[1]!.ID].sort());
    expect([...sel.get(nodes[0]!.ID)!.keys()]).toEqual([t1.ID]);
    expect([...sel.get(nodes[1]!.ID)!.keys()]).toEqual([t2.ID]);
    const byTask = selectTasks(store.view, { taskIDs: [o1.ID] });
    expect(byTask.get(nodes[0]!.ID)!.get(o1.ID)).toBe(other.ID);
  });
});

describe('LogBroker', () => {
  it('tells each node about its own tasks only, with tail and since', async () => {
    const { broker, svc, t1, t2, nodes } = await setup();
    const a = listenAs(broker, nodes[0]!.ID);
    const b = listenAs(broker, nodes[1]!.ID);
    expect(a.latest()).toEqual([]);
    broker.open({ serviceIDs: [svc.ID] }, { follow: false, tail: 5, since: 1000 }, collector().sink);
    expect(a.latest()).toHaveLength(1);
    expect(a.latest()[0]!.tasks).toEqual([{ taskID: t1.ID, tail: 5, since: 1000 }]);
    expect(b.latest()[0]!.tasks).toEqual([{ taskID: t2.ID, tail: 5, since: 1000 }]);
    expect(a.latest()[0]!.id).toBe(b.latest()[0]!.id);
  });

  it('relays published lines with their context and ends once every node closed', async () => {
    const { broker, svc, t1, t2, nodes } = await setup();
    const c = collector();
    broker.open({ serviceIDs: [svc.ID] }, { follow: false }, c.sink);
    const [sub] = broker.subscriptionsOf(nodes[0]!.ID);
    await broker.publish(nodes[0]!.ID, { subscriptionID: sub!.id, lines: [line(t1.ID, 'one')], close: true });
    expect(c.got).toEqual([
      {
        context: { nodeID: nodes[0]!.ID, serviceID: svc.ID, taskID: t1.ID },
        time: '2026-01-01T00:00:10.000Z',
        stream: 'stdout',
        line: 'one',
      },
    ]);
    expect(c.ends).toEqual([]);
    // the closed node no longer lists it; the other still does
    expect(broker.subscriptionsOf(nodes[0]!.ID)).toEqual([]);
    expect(broker.subscriptionsOf(nodes[1]!.ID)).toHaveLength(1);
    await broker.publish(nodes[1]!.ID, { subscriptionID: sub!.id, lines: [line(t2.ID, 'two')], close: true });
    expect(c.got.map((m) => m.line)).toEqual(['one', 'two']);
    expect(c.ends).toEqual([{}]);
    expect(broker.subscriptionCount).toBe(0);
    await expect(broker.publish(nodes[1]!.ID, { subscriptionID: sub!.id, lines: [] })).rejects.toMatchObject({
      code: 'NotFound',
    });
  });

  it('drops lines of a stream that was not asked for, and lines before since', async () => {
    const { broker, t1, nodes } = await setup();
    const c = collector();
    const since = Date.parse('2026-01-01T00:00:05.000Z');
    broker.open({ taskIDs: [t1.ID] }, { follow: true, streams: ['stderr'], since }, c.sink);
    const [sub] = broker.subscriptionsOf(nodes[0]!.ID);
    await broker.publish(nodes[0]!.ID, {
      subscriptionID: sub!.id,
      lines: [
        { ...line(t1.ID, 'out'), stream: 'stdout' },
        { ...line(t1.ID, 'err'), stream: 'stderr' },
        { ...line(t1.ID, 'old err', '2026-01-01T00:00:01.000Z'), stream: 'stderr' },
      ],
    });
    expect(c.got.map((m) => m.line)).toEqual(['err']);
  });

  it('refuses a node publishing for a subscription it was not given or for another node’s task', async () => {
    const { broker, svc, t1, t2, o1, nodes } = await setup();
    const c = collector();
    broker.open({ taskIDs: [t1.ID] }, { follow: true }, c.sink);
    const [sub] = broker.subscriptionsOf(nodes[0]!.ID);
    // node 2 was not asked
    await expect(
      broker.publish(nodes[1]!.ID, { subscriptionID: sub!.id, lines: [line(t2.ID, 'x')] }),
    ).rejects.toMatchObject({ code: 'PermissionDenied' });
    // node 1 runs o1, but o1 is not part of this subscription
    await expect(
      broker.publish(nodes[0]!.ID, { subscriptionID: sub!.id, lines: [line(o1.ID, 'x')] }),
    ).rejects.toBeInstanceOf(SwarmError);
    // the other node's task, published by node 1
    broker.open({ serviceIDs: [svc.ID] }, { follow: true }, collector().sink);
    const both = broker.subscriptionsOf(nodes[0]!.ID).find((s) => s.id !== sub!.id)!;
    await expect(
      broker.publish(nodes[0]!.ID, { subscriptionID: both.id, lines: [line(t2.ID, 'spoof')] }),
    ).rejects.toMatchObject({ code: 'PermissionDenied' });
    expect(c.got).toEqual([]);
  });

  it('ends a non-follow subscription after the timeout, naming the node that did not answer', async () => {
    const { broker, svc, nodes, clock, t1 } = await setup();
    const c = collector();
    broker.open({ serviceIDs: [svc.ID] }, { follow: false }, c.sink);
    const [sub] = broker.subscriptionsOf(nodes[0]!.ID);
    await broker.publish(nodes[0]!.ID, { subscriptionID: sub!.id, lines: [line(t1.ID, 'a')], close: true });
    clock.advance(4_999);
    expect(c.ends).toEqual([]);
    clock.advance(1);
    expect(c.ends).toHaveLength(1);
    expect(c.ends[0]!.warning).toBe(
      `warning: incomplete log stream. some logs could not be retrieved for the following reasons: node ${nodes[1]!.ID} did not answer within 5000 ms`,
    );
    expect(broker.subscriptionsOf(nodes[1]!.ID)).toEqual([]);
  });

  it('does not wait for a node that is down', async () => {
    const down = makeNode({ hostname: 'down', Status: { State: 'down', Addr: '127.0.0.1' } });
    const { broker, svc, nodes, t1 } = await setup({ nodes: [makeNode({ hostname: 'up' }), down] });
    const c = collector();
    broker.open({ serviceIDs: [svc.ID] }, { follow: false }, c.sink);
    expect(broker.subscriptionsOf(down.ID)).toEqual([]);
    const [sub] = broker.subscriptionsOf(nodes[0]!.ID);
    await broker.publish(nodes[0]!.ID, { subscriptionID: sub!.id, lines: [line(t1.ID, 'a')], close: true });
    expect(c.ends).toEqual([
      {
        warning: `warning: incomplete log stream. some logs could not be retrieved for the following reasons: node ${down.ID} is not available`,
      },
    ]);
  });

  it('ends at once when nothing is selected', async () => {
    const { broker, pending } = await setup();
    const c = collector();
    broker.open({ taskIDs: [pending.ID] }, { follow: false }, c.sink);
    expect(c.ends).toEqual([]);
    await flush();
    expect(c.ends).toEqual([{}]);
  });

  it('follow: keeps going, takes in tasks that start later (from the subscription start), and stops on cancel', async () => {
    const { broker, store, svc, pending, nodes, clock } = await setup();
    const c = collector();
    const a = listenAs(broker, nodes[0]!.ID);
    const startedAt = clock.now();
    const cancel = broker.open({ serviceIDs: [svc.ID] }, { follow: true, tail: 10 }, c.sink);
    const first = a.latest()[0]!;
    expect(first.follow).toBe(true);
    expect(first.tasks).toHaveLength(1);
    await store.update((tx) => tx.update('task', placed(tx.get('task', pending.ID)!, nodes[0]!.ID, 'ready')));
    clock.advance(10);
    const later = a.latest()[0]!;
    expect(later.id).toBe(first.id);
    expect(later.tasks).toHaveLength(2);
    expect(later.tasks[1]).toEqual({ taskID: pending.ID, since: startedAt });
    await broker.publish(nodes[0]!.ID, { subscriptionID: first.id, lines: [line(pending.ID, 'late')] });
    expect(c.got.map((m) => m.line)).toEqual(['late']);
    cancel();
    expect(a.latest()).toEqual([]);
    expect(c.ends).toEqual([]);
  });

  it('stop ends open subscriptions with a warning and empties every node’s set', async () => {
    const { broker, svc, nodes } = await setup();
    const c = collector();
    const a = listenAs(broker, nodes[0]!.ID);
    broker.open({ serviceIDs: [svc.ID] }, { follow: true }, c.sink);
    expect(a.latest()).toHaveLength(1);
    await broker.stop();
    expect(a.latest()).toEqual([]);
    expect(c.ends[0]!.warning).toMatch(/no longer the leader/);
    expect(() => broker.open({ serviceIDs: [svc.ID] }, { follow: true }, c.sink)).toThrow(/not running/);
  });

  it('refuses lines as busy while the reader is behind, and waits for a busy node instead of timing it out', async () => {
    const { broker, svc, nodes, clock, t1, t2 } = await setup();
    const c = collector();
    let behind: Promise<void> | undefined = new Promise<void>(() => {});
    broker.open({ serviceIDs: [svc.ID] }, { follow: false }, { ...c.sink, ready: () => behind });
    const [sub] = broker.subscriptionsOf(nodes[0]!.ID);
    await broker.publish(nodes[1]!.ID, { subscriptionID: sub!.id, lines: [line(t2.ID, 'b')], close: true });
    expect(c.got).toEqual([]);
    // the node keeps offering its lines for longer than the completion timeout: it is not late
    for (let i = 0; i < 4; i++) {
      clock.advance(4_000);
      expect(
        await broker.publish(nodes[0]!.ID, { subscriptionID: sub!.id, lines: [line(t1.ID, 'a')], close: true }),
      ).toEqual({ busy: true });
    }
    expect(c.got).toEqual([]);
    expect(c.ends).toEqual([]);
    behind = undefined;
    expect(
      await broker.publish(nodes[0]!.ID, { subscriptionID: sub!.id, lines: [line(t1.ID, 'a')], close: true }),
    ).toBeNull();
    expect(
      await broker.publish(nodes[1]!.ID, { subscriptionID: sub!.id, lines: [line(t2.ID, 'b')], close: true }),
    ).toBeNull();
    expect(c.got.map((m) => m.line)).toEqual(['a', 'b']);
    expect(c.ends).toEqual([{}]);
  });

  it('a follow subscription whose reader is behind stays open, however long', async () => {
    const { broker, svc, nodes, clock, t1 } = await setup();
    const c = collector();
    let behind: Promise<void> | undefined = new Promise<void>(() => {});
    broker.open({ serviceIDs: [svc.ID] }, { follow: true }, { ...c.sink, ready: () => behind });
    const [sub] = broker.subscriptionsOf(nodes[0]!.ID);
    expect(await broker.publish(nodes[0]!.ID, { subscriptionID: sub!.id, lines: [line(t1.ID, 'a')] })).toEqual({
      busy: true,
    });
    clock.advance(60_000);
    expect(c.ends).toEqual([]);
    behind = undefined;
    expect(await broker.publish(nodes[0]!.ID, { subscriptionID: sub!.id, lines: [line(t1.ID, 'a')] })).toBeNull();
    expect(c.got.map((m) => m.line)).toEqual(['a']);
  });
});
