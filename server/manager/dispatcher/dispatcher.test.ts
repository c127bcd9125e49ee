import { afterEach, describe, expect, it } from 'vitest';
import { SwarmError } from '../../api/errors';
import type { Cluster, Node, Task, TaskState } from '../../api/types';
import type { AppliedEvent } from '../../store/batch';
import { makeNode, makeService, makeServiceSpec, makeTask, openTempStore } from '../../store/test-support';
import { ManualClock, iso } from '../../util/clock';
import type { AssignmentsMessage } from './api';
import {
  Dispatcher,
  MSG_HEARTBEAT_FAILURE,
  MSG_UNKNOWN_AFTER_LEADER_CHANGE,
  MSG_UNKNOWN_HEARTBEAT_FAILURE,
} from './dispatcher';
import { heartbeatPeriodMs, jitteredPeriodMs } from './period';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function setup(nodes: Node[] = [], opts: { start?: boolean } = {}) {
  const s = await openTempStore();
  const clock = new ManualClock();
  const d = new Dispatcher(s.store, clock, { selfNodeID: 'mgr1', random: () => 0.5 });
  cleanup.push(() => s.close());
  cleanup.push(() => d.stop());
  if (nodes.length) await s.store.update((tx) => nodes.forEach((n) => tx.create('node', n)));
  if (opts.start !== false) {
    d.start();
    await waitFor(() => nodes.every((n) => s.store.view.get('node', n.ID)!.Status.State !== 'ready'));
  }
  return { ...s, clock, d };
}

const desc = (hostname: string) => ({
  Hostname: hostname,
  Platform: { Architecture: 'x86_64', OS: 'linux' },
  Resources: { NanoCPUs: 1e9, MemoryBytes: 1024 ** 3 },
  Engine: { EngineVersion: 'swarmdeck' },
});

function withState(t: Task, State: TaskState, NodeID: string, DesiredState: TaskState = 'running'): Task {
  return { ...t, NodeID, DesiredState, Status: { ...t.Status, State } };
}

describe('heartbeat period', () => {
  it('reads the cluster period (ns) and jitters by ±500 ms, scaled down for short periods', () => {
    expect(heartbeatPeriodMs(undefined)).toBe(5000);
    expect(heartbeatPeriodMs({ Spec: { Dispatcher: { HeartbeatPeriod: 2e9 } } } as Cluster)).toBe(2000);
    expect(jitteredPeriodMs(5000, () => 0)).toBe(4500);
    expect(jitteredPeriodMs(5000, () => 1)).toBe(5500);
    expect(jitteredPeriodMs(500, () => 0)).toBe(450);
  });
});

describe('Dispatcher sessions', () => {
  it('marks a registered node ready and a silent one down after 3× the heartbeat period', async () => {
    const n = makeNode({ Status: { State: 'down', Addr: '' } });
    const { store, clock, d } = await setup([n]);
    const res = await d.register({ nodeID: n.ID, description: desc('w1'), addr: '10.0.0.7' });
    expect(res.heartbeatPeriodMs).toBe(5000);
    const ready = store.view.get('node', n.ID)!;
    expect(ready.Status).toEqual({ State: 'ready', Addr: '10.0.0.7' });
    expect(ready.Description.Hostname).toBe('w1');

    // heartbeats keep it alive well past 3× period
    clock.advance(10_000);
    await d.heartbeat(res.sessionID);
    clock.advance(10_000);
    await d.heartbeat(res.sessionID);
    clock.advance(14_999);
    await new Promise((r) => setTimeout(r, 20));
    expect(store.view.get('node', n.ID)!.Status.State).toBe('ready');

    clock.advance(2);
    await waitFor(() => store.view.get('node', n.ID)!.Status.State === 'down');
    expect(store.view.get('node', n.ID)!.Status).toMatchObject({ State: 'down', Message: MSG_HEARTBEAT_FAILURE });
    // the expired session is gone
    await expect(d.heartbeat(res.sessionID)).rejects.toThrow(/node not registered/);
  });

  it('refuses to register a node that is not in the store', async () => {
    const { d } = await setup();
    await expect(d.register({ nodeID: 'nope', description: desc('x'), addr: '' })).rejects.toMatchObject({
      code: 'NotFound',
    });
  });

  it('follows the cluster heartbeat period', async () => {
    const n = makeNode();
    const { store, d } = await setup([n]);
    const cluster = {
      ID: 'c1',
      Version: { Index: 0 },
      CreatedAt: iso(0),
      UpdatedAt: iso(0),
      Spec: { Dispatcher: { HeartbeatPeriod: 1e9 } },
    } as unknown as Cluster;
    await store.update((tx) => tx.create('cluster', cluster));
    const res = await d.register({ nodeID: n.ID, description: desc('w'), addr: '' });
    expect(res.heartbeatPeriodMs).toBe(1000);
  });

  it('on start marks live nodes unknown and downs those that do not register within 6× the period', async () => {
    const a = makeNode();
    const b = makeNode();
    const c = makeNode({ Status: { State: 'down', Addr: '', Message: MSG_HEARTBEAT_FAILURE } });
    const { store, clock, d } = await setup([a, b, c]);
    expect(store.view.get('node', a.ID)!.Status).toMatchObject({
      State: 'unknown',
      Message: MSG_UNKNOWN_AFTER_LEADER_CHANGE,
    });
    expect(store.view.get('node', c.ID)!.Status.State).toBe('down');

    clock.advance(20_000);
    const res = await d.register({ nodeID: a.ID, description: desc('a'), addr: '' });
    clock.advance(10_001);
    await d.heartbeat(res.sessionID);
    await waitFor(() => store.view.get('node', b.ID)!.Status.State === 'down');
    expect(store.view.get('node', b.ID)!.Status.Message).toBe(MSG_UNKNOWN_HEARTBEAT_FAILURE);
    expect(store.view.get('node', a.ID)!.Status.State).toBe('ready');
  });

  it('orphans the live tasks of a node that stays DOWN for 24 hours, and only those', async () => {
    const n = makeNode();
    const { store, clock, d } = await setup([n]);
    const svc = makeService();
    const running = withState(makeTask(svc), 'running', n.ID);
    const assigned = withState(makeTask(svc), 'assigned', n.ID);
    const failed = withState(makeTask(svc), 'failed', n.ID, 'shutdown');
    await store.update((tx) => {
      tx.create('service', svc);
      for (const t of [running, assigned, failed]) tx.create('task', t);
    });
    await d.register({ nodeID: n.ID, description: desc('w'), addr: '' });
    clock.advance(15_001);
    await waitFor(() => store.view.get('node', n.ID)!.Status.State === 'down');
    clock.advance(24 * 60 * 60 * 1000 - 10);
    await new Promise((r) => setTimeout(r, 20));
    expect(store.view.get('task', running.ID)!.Status.State).toBe('running');
    clock.advance(10);
    await waitFor(() => store.view.get('task', running.ID)!.Status.State === 'orphaned');
    expect(store.view.get('task', assigned.ID)!.Status.State).toBe('orphaned');
    expect(store.view.get('task', failed.ID)!.Status.State).toBe('failed');
  });

  it('rate-limits a node that registers more than 3 times within 8 s', async () => {
    const n = makeNode();
    const { d } = await setup([n]);
    for (let i = 0; i < 3; i++) await d.register({ nodeID: n.ID, description: desc('w'), addr: '' });
    await expect(d.register({ nodeID: n.ID, description: desc('w'), addr: '' })).rejects.toThrow(
      /exceeded rate limit count of registrations/,
    );
  });
});

describe('Dispatcher task status', () => {
  it('drops a backwards report and applies a forward one, stamping AppliedAt/AppliedBy', async () => {
    const n = makeNode();
    const { store, clock, d } = await setup([n]);
    const svc = makeService();
    const t = withState(makeTask(svc), 'running', n.ID);
    await store.update((tx) => {
      tx.create('service', svc);
      tx.create('task', t);
    });
    const { sessionID } = await d.register({ nodeID: n.ID, description: desc('w'), addr: '' });
    const before = store.view.get('task', t.ID)!;

    await d.updateTaskStatus(sessionID, [
      { taskID: t.ID, status: { State: 'starting', Message: 'starting', Timestamp: iso(clock.now()) } },
      { taskID: t.ID, status: { State: 'running', Message: 'started', Timestamp: iso(clock.now()) } },
    ]);
    clock.advance(100);
    await new Promise((r) => setTimeout(r, 30));
    expect(store.view.get('task', t.ID)).toBe(before);

    clock.advance(1000);
    const at = iso(clock.now());
    await d.updateTaskStatus(sessionID, [
      { taskID: t.ID, status: { State: 'failed', Message: 'started', Err: 'boom', Timestamp: at, AppliedBy: 'liar' } },
    ]);
    clock.advance(100);
    await waitFor(() => store.view.get('task', t.ID)!.Status.State === 'failed');
    expect(store.view.get('task', t.ID)!.Status).toMatchObject({ Err: 'boom', AppliedAt: at, AppliedBy: 'mgr1' });

    // still monotonic after the write: a late 'complete' is dropped
    await d.updateTaskStatus(sessionID, [
      { taskID: t.ID, status: { State: 'complete', Message: 'finished', Timestamp: at } },
    ]);
    clock.advance(100);
    await new Promise((r) => setTimeout(r, 30));
    expect(store.view.get('task', t.ID)!.Status.State).toBe('failed');
  });

  it('applies a same-state report that only changes the health, never a lower state', async () => {
    const n = makeNode();
    const { store, clock, d } = await setup([n]);
    const svc = makeService();
    const t = withState(makeTask(svc), 'ready', n.ID);
    await store.update((tx) => tx.create('task', t));
    const { sessionID } = await d.register({ nodeID: n.ID, description: desc('w'), addr: '' });
    const cs = { ContainerID: 'c1', PID: 42 };
    const report = async (State: TaskState, Message: string, Health?: 'starting' | 'healthy' | 'unhealthy') => {
      const ContainerStatus = Health ? { ...cs, Health } : cs;
      await d.updateTaskStatus(sessionID, [
        { taskID: t.ID, status: { State, Message, Timestamp: iso(clock.now()), ContainerStatus } },
      ]);
      clock.advance(100);
      await new Promise((r) => setTimeout(r, 30));
    };
    const status = () => store.view.get('task', t.ID)!.Status;

    await report('starting', 'starting');
    await waitFor(() => status().State === 'starting');
    const startedAt = status().AppliedAt;
    await report('starting', 'starting', 'starting');
    await waitFor(() => status().ContainerStatus?.Health === 'starting');
    // The state's own time stays: only the container status is news.
    expect(status()).toMatchObject({ State: 'starting', Message: 'starting', AppliedAt: startedAt });

    const before = store.view.get('task', t.ID);
    await report('starting', 'starting', 'starting'); // identical: dropped
    await report('starting', 'starting'); // no health: dropped
    await report('ready', 'prepared', 'healthy'); // lower state: dropped despite the health
    expect(store.view.get('task', t.ID)).toBe(before);

    await report('running', 'started', 'healthy');
    await waitFor(() => status().State === 'running');
    await report('running', 'started', 'unhealthy');
    await waitFor(() => status().ContainerStatus?.Health === 'unhealthy');
    expect(status()).toMatchObject({ State: 'running', Message: 'started' });
  });

  it('refuses to update a task assigned to another node', async () => {
    const a = makeNode();
    const b = makeNode();
    const { store, clock, d } = await setup([a, b]);
    const svc = makeService();
    const t = withState(makeTask(svc), 'assigned', b.ID);
    await store.update((tx) => tx.create('task', t));
    const { sessionID } = await d.register({ nodeID: a.ID, description: desc('a'), addr: '' });
    const err = await d
      .updateTaskStatus(sessionID, [
        { taskID: t.ID, status: { State: 'accepted', Message: 'accepted', Timestamp: iso(clock.now()) } },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SwarmError);
    expect((err as SwarmError).code).toBe('PermissionDenied');
    expect((err as SwarmError).message).toContain('cannot update a task not assigned this node');
    clock.advance(200);
    await new Promise((r) => setTimeout(r, 20));
    expect(store.view.get('task', t.ID)!.Status.State).toBe('assigned');
  });

  it('writes many reports in one store entry', async () => {
    const n = makeNode();
    const { store, clock, d } = await setup([n]);
    const svc = makeService();
    const tasks = Array.from({ length: 200 }, (_, i) => withState(makeTask(svc, { Slot: i + 1 }), 'assigned', n.ID));
    await store.update((tx) => tasks.forEach((t) => tx.create('task', t)));
    const { sessionID } = await d.register({ nodeID: n.ID, description: desc('w'), addr: '' });
    const events: AppliedEvent[] = [];
    store.view.watch((e) => events.push(e));
    const ts = iso(clock.now());
    for (const state of ['accepted', 'preparing', 'ready'] as const) {
      await d.updateTaskStatus(
        sessionID,
        tasks.map((t) => ({ taskID: t.ID, status: { State: state, Message: state, Timestamp: ts } })),
      );
    }
    clock.advance(100);
    await waitFor(() => events.length > 0);
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toHaveLength(1);
    expect(events[0]!.changes).toHaveLength(200);
    expect(tasks.every((t) => store.view.get('task', t.ID)!.Status.State === 'ready')).toBe(true);
  });
});

describe('Dispatcher assignments', () => {
  it('sends a complete set, then batched incremental changes for that node only', async () => {
    const a = makeNode();
    const b = makeNode();
    const { store, clock, d } = await setup([a, b]);
    const svc = makeService();
    const onA = withState(makeTask(svc, { Slot: 1 }), 'running', a.ID);
    const onA2 = withState(makeTask(svc, { Slot: 2 }), 'assigned', a.ID);
    const unassigned = makeTask(svc, { Slot: 3 });
    const onB = withState(makeTask(svc, { Slot: 4 }), 'assigned', b.ID);
    await store.update((tx) =>
      [svc, onA, onA2, unassigned, onB].forEach((o) => tx.create(o === svc ? 'service' : 'task', o as Task)),
    );

    const { sessionID } = await d.register({ nodeID: a.ID, description: desc('a'), addr: '' });
    const msgs: AssignmentsMessage[] = [];
    // NetworkView pushes (no changes) are looked at in their own test
    d.assignments(sessionID, (m) => (m.type === 'complete' || m.changes.length ? msgs.push(m) : 0));
    await Promise.resolve();
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.type).toBe('complete');
    expect(msgs[0]!.changes.map((c) => c.task.ID).sort()).toEqual([onA.ID, onA2.ID].sort());

    const fresh = withState(makeTask(svc, { Slot: 5 }), 'assigned', a.ID);
    await store.update((tx) => {
      const cur = tx.get('task', onA.ID)!;
      tx.update('task', { ...cur, DesiredState: 'shutdown' });
      tx.delete('task', onA2.ID);
      const curB = tx.get('task', onB.ID)!;
      tx.update('task', { ...curB, DesiredState: 'shutdown' });
      tx.create('task', fresh);
    });
    expect(msgs).toHaveLength(1); // coalesced, not pushed yet
    clock.advance(100);
    expect(msgs).toHaveLength(2);
    expect(msgs[1]!.type).toBe('incremental');
    const byID = new Map(msgs[1]!.changes.map((c) => [c.task.ID, c]));
    expect(byID.size).toBe(3);
    expect(byID.get(onA.ID)).toMatchObject({ action: 'update', task: { DesiredState: 'shutdown' } });
    expect(byID.get(onA2.ID)!.action).toBe('remove');
    expect(byID.get(fresh.ID)!.action).toBe('update');

    // the agent's own status report (no desired change) is not echoed back
    await store.update((tx) => {
      const cur = tx.get('task', fresh.ID)!;
      tx.update('task', { ...cur, Status: { ...cur.Status, State: 'accepted' } });
    });
    clock.advance(100);
    expect(msgs).toHaveLength(2);
  });

  it('pushes the node’s NetworkView with the complete set, then coalesced and only when it changed', async () => {
    const a = makeNode();
    const { store, clock, d } = await setup([a]);
    const web = makeService({ Endpoint: { Spec: { Ports: [{ TargetPort: 80, PublishedPort: 18080 }] } } });
    const t1 = withState(makeTask(web, { Slot: 1 }), 'starting', a.ID);
    await store.update((tx) => {
      tx.create('service', web);
      tx.create('task', t1);
    });
    const { sessionID } = await d.register({ nodeID: a.ID, description: desc('a'), addr: '' });
    const msgs: AssignmentsMessage[] = [];
    d.assignments(sessionID, (m) => msgs.push(m));
    await Promise.resolve();
    const first = msgs[0]!.networkView!;
    expect(first.Services.map((s) => s.ID)).toEqual([web.ID]);
    expect(first.Tasks.map((t) => t.Status.State)).toEqual(['starting']);

    // two changes within 100 ms: one push, with a later revision
    await store.update((tx) =>
      tx.update('task', { ...tx.get('task', t1.ID)!, Status: { ...t1.Status, State: 'running' } }),
    );
    await store.update((tx) => tx.create('task', withState(makeTask(web, { Slot: 2 }), 'assigned', a.ID)));
    clock.advance(50);
    expect(msgs.filter((m) => m.networkView)).toHaveLength(1);
    clock.advance(50);
    const views = msgs.filter((m) => m.networkView).map((m) => m.networkView!);
    expect(views).toHaveLength(2);
    expect(views[1]!.Revision).toBeGreaterThan(first.Revision);
    expect(views[1]!.Tasks.map((t) => t.Status.State).sort()).toEqual(['assigned', 'running']);

    // a change the view does not show (a node's hostname) pushes nothing
    await store.update((tx) => {
      const cur = tx.get('node', a.ID)!;
      tx.update('node', { ...cur, Description: { ...cur.Description, Hostname: 'renamed' } });
    });
    clock.advance(100);
    expect(msgs.filter((m) => m.networkView)).toHaveLength(2);
  });

  it('derives again only the views something changed in: the node’s own tasks, or a service it holds whole', async () => {
    const [a, b, c] = [makeNode(), makeNode(), makeNode()];
    const { store, clock, d } = await setup([a, b, c]);
    // web publishes an ingress port (every node holds it whole); batch is on no network and publishes nothing
    const web = makeService({ Endpoint: { Spec: { Ports: [{ TargetPort: 80, PublishedPort: 18080 }] } } });
    const batch = makeService({ Spec: makeServiceSpec({ Name: 'batch' }) });
    const w1 = withState(makeTask(web, { Slot: 1 }), 'running', a.ID);
    const b1 = withState(makeTask(batch, { Slot: 1 }), 'running', b.ID);
    const b2 = withState(makeTask(batch, { Slot: 2 }), 'running', c.ID);
    await store.update((tx) => {
      tx.create('service', web);
      tx.create('service', batch);
      [w1, b1, b2].forEach((t) => tx.create('task', t));
    });
    const views = new Map<string, AssignmentsMessage[]>();
    for (const n of [a, b, c]) {
      const { sessionID } = await d.register({ nodeID: n.ID, description: desc(n.ID), addr: '' });
      const got: AssignmentsMessage[] = [];
      views.set(n.ID, got);
      d.assignments(sessionID, (m) => m.networkView && got.push(m));
    }
    await Promise.resolve();
    clock.advance(100); // the first pass owes every view
    const count = () => [a, b, c].map((n) => views.get(n.ID)!.length);
    const before = count();
    const reads: string[] = [];
    const tasksByNode = store.view.tasksByNode.bind(store.view);
    store.view.tasksByNode = (id: string) => (reads.push(id), tasksByNode(id));

    // a batch task on b changes: b's view is derived again (and changed); a's and c's are not even read
    await store.update((tx) => tx.update('task', withState(tx.get('task', b1.ID)!, 'shutdown', b.ID, 'shutdown')));
    clock.advance(100);
    expect(reads).toEqual([b.ID]);
    expect(count()).toEqual([before[0], before[1]! + 1, before[2]]);
    expect(
      views
        .get(b.ID)!
        .at(-1)!
        .networkView!.Tasks.map((t) => t.ID),
    ).toEqual([w1.ID]);

    // a web task on a changes: every node holds web whole, so every view is owed again and pushed
    reads.length = 0;
    await store.update((tx) => tx.update('task', withState(tx.get('task', w1.ID)!, 'complete', a.ID, 'shutdown')));
    clock.advance(100);
    expect(reads.sort()).toEqual([a.ID, b.ID, c.ID].sort());
    expect(count()).toEqual([before[0]! + 1, before[1]! + 2, before[2]! + 1]);
    for (const n of [b, c])
      expect(
        views
          .get(n.ID)!
          .at(-1)!
          .networkView!.Tasks.map((t) => t.ID),
      ).not.toContain(w1.ID);
  });

  it('shows the mesh’s bind failures as the node’s Status.Message, and clears them', async () => {
    const a = makeNode();
    const { store, d } = await setup([a]);
    const { sessionID } = await d.register({ nodeID: a.ID, description: desc('a'), addr: '127.0.0.2' });
    const text = 'routing mesh: cannot listen on 127.0.0.2:18080/tcp for service web: address already in use';
    await d.heartbeat(sessionID, { meshErrors: [text] });
    await waitFor(() => store.view.get('node', a.ID)!.Status.Message === text);
    expect(store.view.get('node', a.ID)!.Status.State).toBe('ready');
    await d.heartbeat(sessionID, { meshErrors: [] });
    await waitFor(() => store.view.get('node', a.ID)!.Status.Message === undefined);
  });

  it('stores the bind failures per service and port on the node (the service’s MeshErrors), and clears them', async () => {
    const a = makeNode();
    const { store, d } = await setup([a]);
    const { sessionID } = await d.register({ nodeID: a.ID, description: desc('a'), addr: '127.0.0.2' });
    const text = 'routing mesh: cannot listen on 127.0.0.2:18080/tcp for service web: EADDRINUSE';
    const portError = {
      ServiceID: 'svc1',
      PublishedPort: 18080,
      Protocol: 'tcp' as const,
      PublishMode: 'ingress' as const,
      Message: text,
    };
    await d.heartbeat(sessionID, { meshErrors: [text], meshPortErrors: [portError] });
    await waitFor(() => store.view.get('node', a.ID)!.MeshErrors?.length === 1);
    expect(store.view.get('node', a.ID)!.MeshErrors).toEqual([portError]);
    expect(store.view.get('node', a.ID)!.Status.Message).toBe(text);
    await d.heartbeat(sessionID, { meshErrors: [], meshPortErrors: [] });
    await waitFor(() => store.view.get('node', a.ID)!.MeshErrors === undefined);
    expect(store.view.get('node', a.ID)!.Status.Message).toBeUndefined();
  });
});
