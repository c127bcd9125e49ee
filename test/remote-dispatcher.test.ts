// An Agent on one cluster member reaching the leader's Dispatcher on another
// through RemoteDispatcher / serveDispatcher: real ClusterTransports on real
// http.Servers, a real Dispatcher on a real store, a SimExecutor. Then the
// leader changes to a third member and the agent follows it.
import { afterEach, describe, expect, it } from 'vitest';
import type { Cluster, Node, Task, TaskState } from '../server/api/types';
import { Agent } from '../server/agent/agent';
import { SimExecutor } from '../server/agent/executor/sim';
import { Dispatcher } from '../server/manager/dispatcher/dispatcher';
import { RemoteDispatcher, UNHANDLED, routerFor, serveDispatcher } from '../server/manager/dispatcher/remote';
import { startMember, waitFor, type Member } from '../server/raft/transport/test-support';
import { makeNode, makeService, makeTask, openTempStore } from '../server/store/test-support';
import { iso, systemClock } from '../server/util/clock';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

type M = Member<Record<string, unknown>>;

describe('Agent → RemoteDispatcher → leader', () => {
  it('runs and stops tasks through the leader, and follows a leader change', async () => {
    const s = await openTempStore();
    cleanup.push(() => s.close());
    const { store } = s;
    const node: Node = makeNode({ Status: { State: 'down', Addr: '' } });
    const svc = makeService();
    await store.update((tx) => {
      tx.create('cluster', {
        ID: 'c1',
        Version: { Index: 0 },
        CreatedAt: iso(0),
        UpdatedAt: iso(0),
        Spec: { Dispatcher: { HeartbeatPeriod: 300e6 } }, // 300 ms: the agent notices a new leader quickly
      } as unknown as Cluster);
      tx.create('node', node);
      tx.create('service', svc);
    });

    const members: Record<string, M> = {};
    for (const id of ['a', 'b', 'c']) {
      const m = await startMember<Record<string, unknown>>(id);
      members[id] = m;
      cleanup.push(() => m.stop());
    }
    const { a, b, c } = members as { a: M; b: M; c: M };
    c.transport.addPeer('a', a.addr);
    c.transport.addPeer('b', b.addr);

    let leader: 'a' | 'b' = 'a';
    const dispatchers: Partial<Record<'a' | 'b', Dispatcher>> = {};
    const served: Record<'a' | 'b', string[]> = { a: [], b: [] };
    for (const id of ['a', 'b'] as const) {
      routerFor(members[id]!.transport).add((p) => {
        served[id].push(String((p as { dispatcher?: unknown }).dispatcher));
        return UNHANDLED;
      });
      const stop = serveDispatcher(members[id]!.transport, () => (leader === id ? dispatchers[id] : undefined), {
        leaderHint: () => leader,
        maxWaitMs: 2_000,
      });
      cleanup.push(stop);
    }
    const da = new Dispatcher(store, systemClock, { selfNodeID: 'mgr-a' });
    dispatchers.a = da;
    da.start();
    cleanup.push(() => da.stop());

    const remote = new RemoteDispatcher({
      transport: c.transport,
      leader: () => leader,
      pollWaitMs: 1_000,
      requestTimeoutMs: 2_000,
    });
    const executor = new SimExecutor({ speed: 0 });
    const agent = new Agent({
      nodeID: node.ID,
      dispatcher: remote,
      executor,
      addr: '10.0.0.9',
      description: { ...node.Description, Hostname: 'remote-1' },
    });
    cleanup.push(() => agent.stop());

    // registers: the node becomes ready on the leader's store
    await agent.start();
    await waitFor(() => store.view.get('node', node.ID)!.Status.State === 'ready', 5_000, 'node ready');
    expect(store.view.get('node', node.ID)!.Status.Addr).toBe('10.0.0.9');
    expect(store.view.get('node', node.ID)!.Description.Hostname).toBe('remote-1');

    const state = (id: string): TaskState | undefined => store.view.get('task', id)?.Status.State;
    const assign = async (): Promise<Task> => {
      const t = makeTask(svc, {
        NodeID: node.ID,
        Status: { State: 'assigned', Message: 'scheduler assigned task to node', Timestamp: iso(0) },
      });
      await store.update((tx) => tx.create('task', t));
      return t;
    };

    // an assigned task is started and reported running
    const t1 = await assign();
    await waitFor(() => state(t1.ID) === 'running', 5_000, 't1 running');
    expect(store.view.get('task', t1.ID)!.Status.AppliedBy).toBe('mgr-a');
    expect(executor.runningCount).toBe(1);

    // desired shutdown stops it
    await store.update((tx) => tx.update('task', { ...tx.get('task', t1.ID)!, DesiredState: 'shutdown' }));
    await waitFor(() => state(t1.ID) === 'shutdown', 5_000, 't1 shutdown');
    expect(executor.runningCount).toBe(0);

    // leader change: a's dispatcher stops, b's starts on the same store
    await da.stop();
    const db = new Dispatcher(store, systemClock, { selfNodeID: 'mgr-b' });
    dispatchers.b = db;
    leader = 'b';
    db.start();
    cleanup.push(() => db.stop());
    await waitFor(() => served.b.includes('register'), 5_000, 'registration with the new leader');
    await waitFor(() => store.view.get('node', node.ID)!.Status.State === 'ready', 5_000, 'node ready again');

    // and keeps working through the new leader
    const t2 = await assign();
    await waitFor(() => state(t2.ID) === 'running', 5_000, 't2 running');
    expect(store.view.get('task', t2.ID)!.Status.AppliedBy).toBe('mgr-b');
    expect(executor.runningCount).toBe(1);
    await store.update((tx) => tx.update('task', { ...tx.get('task', t2.ID)!, DesiredState: 'shutdown' }));
    await waitFor(() => state(t2.ID) === 'shutdown', 5_000, 't2 shutdown');

    // the old leader is no longer asked for assignments once the agent moved on
    const polled = served.a.filter((x) => x === 'assignments').length;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(served.a.filter((x) => x === 'assignments').length).toBe(polled);
    expect(agent.connected).toBe(true);
  });
});
