// RemoteDispatcher ↔ serveDispatcher over real ClusterTransports on real
// http.Servers, in front of a real Dispatcher on a real store. (The Agent
// end-to-end run lives in test/remote-dispatcher.test.ts: manager code may not
// import the agent layer.)
import { afterEach, describe, expect, it } from 'vitest';
import { SwarmError } from '../../../api/errors';
import type { Cluster, NodeDescription } from '../../../api/types';
import { RequestError } from '../../../raft/transport';
import { startMember, waitFor, type Member } from '../../../raft/transport/test-support';
import { makeNode, makeService, makeTask, openTempStore } from '../../../store/test-support';
import { iso, systemClock } from '../../../util/clock';
import type { NetworkView } from '../../../api/network-view';
import type { AssignmentsMessage } from '../api';
import { Dispatcher } from '../dispatcher';
import { RemoteDispatcher } from './remote-dispatcher';
import { UNHANDLED, routerFor } from './request-router';
import { serveDispatcher } from './serve';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const desc: NodeDescription = {
  Hostname: 'w1',
  Platform: { Architecture: 'x86_64', OS: 'linux' },
  Resources: { NanoCPUs: 1e9, MemoryBytes: 1024 ** 3 },
  Engine: { EngineVersion: 'swarmdeck' },
};

async function setup() {
  const s = await openTempStore();
  cleanup.push(() => s.close());
  const node = makeNode({ Status: { State: 'down', Addr: '' } });
  const other = makeNode();
  const svc = makeService();
  await s.store.update((tx) => {
    tx.create('cluster', {
      ID: 'c1',
      Version: { Index: 0 },
      CreatedAt: iso(0),
      UpdatedAt: iso(0),
      Spec: { Dispatcher: { HeartbeatPeriod: 2e9 } },
    } as unknown as Cluster);
    tx.create('node', node);
    tx.create('node', other);
    tx.create('service', svc);
  });
  const dispatcher = new Dispatcher(s.store, systemClock, { selfNodeID: 'mgr-a', random: () => 0.5 });
  dispatcher.start();
  cleanup.push(() => dispatcher.stop());

  const members: Member<Record<string, unknown>>[] = [];
  for (const id of ['a', 'b', 'c']) {
    const m = await startMember<Record<string, unknown>>(id);
    members.push(m);
    cleanup.push(() => m.stop());
  }
  const [a, b, c] = members as [Member<Record<string, unknown>>, ...Member<Record<string, unknown>>[]];
  c!.transport.addPeer('a', a.addr);
  c!.transport.addPeer('b', b!.addr);

  // Count the dispatcher requests `a` sees (this route is asked first and passes everything on).
  const seen: string[] = [];
  routerFor(a.transport).add((p) => {
    seen.push(String((p as { dispatcher?: unknown }).dispatcher));
    return UNHANDLED;
  });
  cleanup.push(serveDispatcher(a.transport, () => dispatcher, { maxWaitMs: 500 }));
  // `b` is a follower: it knows who leads.
  cleanup.push(serveDispatcher(b!.transport, () => undefined, { leaderHint: () => `a (${a.addr})` }));

  const remote = new RemoteDispatcher({ transport: c!.transport, leader: () => 'a', pollWaitMs: 300 });
  return { ...s, node, other, svc, dispatcher, a, b: b!, c: c!, seen, remote };
}

describe('RemoteDispatcher over the cluster transport', () => {
  it('registers, heartbeats and reports task status through the leader', async () => {
    const { store, node, svc, remote } = await setup();
    const { sessionID, heartbeatPeriodMs } = await remote.register({
      nodeID: node.ID,
      description: desc,
      addr: '10.1.1.1',
    });
    expect(heartbeatPeriodMs).toBe(2000);
    expect(store.view.get('node', node.ID)!.Status).toMatchObject({ State: 'ready', Addr: '10.1.1.1' });
    expect(await remote.heartbeat(sessionID)).toEqual({ periodMs: 2000 });

    const t = makeTask(svc, { NodeID: node.ID, Status: { State: 'assigned', Message: '', Timestamp: iso(0) } });
    await store.update((tx) => tx.create('task', t));
    await remote.updateTaskStatus(sessionID, [
      { taskID: t.ID, status: { State: 'running', Message: 'started', Timestamp: iso(1) } },
    ]);
    await waitFor(() => store.view.get('task', t.ID)!.Status.State === 'running', 3_000, 'task running');
    expect(store.view.get('task', t.ID)!.Status.AppliedBy).toBe('mgr-a');
  });

  it("carries the dispatcher's errors across faithfully", async () => {
    const { store, dispatcher, other, node, svc, remote } = await setup();
    const local = await dispatcher.register({ nodeID: 'nope', description: desc, addr: '' }).catch((e: unknown) => e);
    const wired = await remote.register({ nodeID: 'nope', description: desc, addr: '' }).catch((e: unknown) => e);
    expect(wired).toBeInstanceOf(SwarmError);
    expect(wired).toMatchObject({ code: 'NotFound', status: 404, message: (local as Error).message });
    expect((wired as Error).message).toBe('rpc error: code = NotFound desc = node nope not found');

    const { sessionID } = await remote.register({ nodeID: node.ID, description: desc, addr: '' });
    const foreign = makeTask(svc, { NodeID: other.ID, Status: { State: 'assigned', Message: '', Timestamp: iso(0) } });
    await store.update((tx) => tx.create('task', foreign));
    const refused = await remote
      .updateTaskStatus(sessionID, [
        { taskID: foreign.ID, status: { State: 'running', Message: '', Timestamp: iso(1) } },
      ])
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'PermissionDenied',
      status: 403,
      message: 'rpc error: code = PermissionDenied desc = cannot update a task not assigned this node',
    });
    await expect(remote.heartbeat('no-such-session')).rejects.toMatchObject({ code: 'NotFound', status: 404 });
  });

  it('a manager that is not the leader answers Unavailable and names the leader', async () => {
    const { a, c, node } = await setup();
    const err = await c.transport
      .request('b', { dispatcher: 'heartbeat', sessionID: 'x' }, 2_000)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestError);
    expect(err).toMatchObject({ kind: 'remote', code: 'Unavailable', status: 503 });
    expect((err as Error).message).toBe(
      `rpc error: code = Unavailable desc = this manager is not the leader; the leader is a (${a.addr})`,
    );
    const remote = new RemoteDispatcher({ transport: c.transport, leader: () => 'b' });
    await expect(remote.register({ nodeID: 'n', description: desc, addr: '' })).rejects.toMatchObject({
      code: 'Unavailable',
      status: 503,
    });
    // a session is bound to the leader that issued it: once another leads, its calls fail fast
    let current = 'a';
    const follower = new RemoteDispatcher({ transport: c.transport, leader: () => current });
    const { sessionID } = await follower.register({ nodeID: node.ID, description: desc, addr: '' });
    await follower.heartbeat(sessionID);
    current = 'b';
    await expect(follower.heartbeat(sessionID)).rejects.toMatchObject({
      code: 'Unavailable',
      message: `rpc error: code = Unavailable desc = leader changed from a to b; session ${sessionID} is over`,
    });
    // no leader known at all: refused locally
    const none = new RemoteDispatcher({ transport: c.transport, leader: () => undefined });
    await expect(none.heartbeat('x')).rejects.toMatchObject({ code: 'Unavailable' });
  });

  it('other request kinds share the transport through the router', async () => {
    const { a, c } = await setup();
    routerFor(a.transport).add((p) => ((p as { ping?: unknown }).ping ? { pong: true } : UNHANDLED));
    expect(await c.transport.request('a', { ping: 1 }, 2_000)).toEqual({ pong: true });
    await expect(c.transport.request('a', { other: 1 }, 2_000)).rejects.toMatchObject({ kind: 'remote' });
    await expect(c.transport.request('a', { dispatcher: 'heartbeat' }, 2_000)).rejects.toMatchObject({
      code: 'InvalidArgument',
    });
  });

  it('streams assignments by long-poll, and stops polling once unsubscribed', async () => {
    const { store, node, svc, remote, seen } = await setup();
    const t = makeTask(svc, { NodeID: node.ID, Status: { State: 'assigned', Message: '', Timestamp: iso(0) } });
    await store.update((tx) => tx.create('task', t));
    const { sessionID } = await remote.register({ nodeID: node.ID, description: desc, addr: '' });
    const got: AssignmentsMessage[] = [];
    const views: NetworkView[] = [];
    const unsubscribe = remote.assignments(sessionID, (m) => {
      if (m.networkView) views.push(m.networkView);
      if (m.type === 'complete' || m.changes.length) got.push(m);
    });
    await waitFor(() => got.length >= 1, 3_000, 'complete message');
    expect(got[0]).toMatchObject({ type: 'complete', changes: [{ action: 'update', task: { ID: t.ID } }] });
    // the node's NetworkView rides with the complete set, and again when it changes
    expect(views[0]!.Tasks.map((x) => x.DesiredState)).toEqual(['running']);

    await store.update((tx) => tx.update('task', { ...tx.get('task', t.ID)!, DesiredState: 'shutdown' }));
    await waitFor(() => got.length >= 2, 3_000, 'incremental message');
    await waitFor(() => views.length >= 2, 3_000, 'a second view');
    expect(views[1]!.Tasks.map((x) => x.DesiredState)).toEqual(['shutdown']);
    expect(got[1]).toMatchObject({ type: 'incremental', changes: [{ task: { ID: t.ID, DesiredState: 'shutdown' } }] });
    // empty polls (nothing new within the wait) keep the loop going without delivering anything
    const before = seen.filter((x) => x === 'assignments').length;
    await waitFor(() => seen.filter((x) => x === 'assignments').length >= before + 2, 3_000, 'idle polls');
    expect(got).toHaveLength(2);

    unsubscribe();
    const atStop = seen.filter((x) => x === 'assignments').length;
    await new Promise((r) => setTimeout(r, 900)); // > one poll's wait (300 ms) + slack
    expect(seen.filter((x) => x === 'assignments').length).toBe(atStop);
    expect(got).toHaveLength(2);
  });

  it('ends the poll loop when the session is gone', async () => {
    const { node, remote, dispatcher, seen } = await setup();
    const { sessionID } = await remote.register({ nodeID: node.ID, description: desc, addr: '' });
    const got: AssignmentsMessage[] = [];
    remote.assignments(sessionID, (m) => got.push(m));
    await waitFor(() => got.length === 1, 3_000, 'complete message');
    await dispatcher.leave(sessionID); // ended on the leader's side, behind the poller's back
    const polls = () => seen.filter((x) => x === 'assignments').length;
    // the poll in flight returns empty after its wait; the next one learns the session is gone (NotFound)
    await new Promise((r) => setTimeout(r, 900));
    const settled = polls();
    await new Promise((r) => setTimeout(r, 900)); // a live loop would poll 3 times in here
    expect(polls()).toBe(settled);
    expect(got).toHaveLength(1);
  });
});
