import { afterEach, describe, expect, it } from 'vitest';
import type { Node, Service, Task, TaskSpec, TaskState } from '../../api/types';
import type { ClusterStore } from '../../store/cluster-store';
import { makeNode, makeService, makeServiceSpec, makeTask, openTempStore } from '../../store/test-support';
import { ManualClock, iso } from '../../util/clock';
import { ASSIGNED_MESSAGE, PREASSIGNED_MESSAGE, Scheduler } from './scheduler';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function setup() {
  const s = await openTempStore();
  const clock = new ManualClock();
  const scheduler = new Scheduler(s.store, clock);
  cleanup.push(() => s.close());
  cleanup.push(() => scheduler.stop());
  const get = (id: string) => s.store.view.get('task', id)!;
  /** let the debounce expire and the pass it starts finish */
  const tick = async (ms = 50) => {
    clock.advance(ms);
    await scheduler.idle();
  };
  return { ...s, clock, scheduler, get, tick };
}

const pendingStatus = {
  Timestamp: '2026-01-01T00:00:00.000Z',
  State: 'pending' as const,
  Message: 'pending task scheduling',
};

function pendingTasks(svc: Service, n: number, over: Partial<Task> = {}): Task[] {
  return Array.from({ length: n }, (_, i) => makeTask(svc, { Slot: i + 1, Status: pendingStatus, ...over }));
}

function serviceWith(spec: Partial<TaskSpec>): Service {
  const s = makeServiceSpec();
  return makeService({ Spec: { ...s, TaskTemplate: { ...s.TaskTemplate, ...spec } } });
}

/**
 * A 2-CPU node, a service whose tasks reserve both CPUs, a task of it on the node in observed state `state`, and
 * a pending one behind it that fits only if the first does not count against the node.
 */
async function holderAndWaiting(store: ClusterStore, state: TaskState) {
  const node = makeNode(); // 2 CPUs
  const svc = serviceWith({ Resources: { Reservations: { NanoCPUs: 2e9 } } });
  const holder = makeTask(svc, { Slot: 1, NodeID: node.ID, Status: { Timestamp: '', State: state, Message: state } });
  const [waiting] = pendingTasks(svc, 1, { Slot: 2 });
  await store.update((tx) => {
    tx.create('node', node);
    tx.create('service', svc);
    tx.create('task', holder);
    tx.create('task', waiting!);
  });
  return { node, holder, waiting: waiting! };
}

describe('Scheduler', () => {
  it('assigns pending tasks on start, spread over the ready nodes, in one batch', async () => {
    const { store, scheduler, get, clock } = await setup();
    const nodes = [makeNode(), makeNode(), makeNode()];
    const svc = makeService();
    const tasks = pendingTasks(svc, 6);
    const fresh = makeTask(svc, { Slot: 7 }); // still NEW: not the scheduler's yet
    await store.update((tx) => {
      for (const n of nodes) tx.create('node', n);
      tx.create('service', svc);
      for (const t of [...tasks, fresh]) tx.create('task', t);
    });
    const before = store.view.index;

    scheduler.start();
    await scheduler.idle();

    expect(store.view.index).toBe(before + 1);
    const placed = tasks.map((t) => get(t.ID));
    for (const t of placed) {
      expect(t.Status).toEqual({ Timestamp: iso(clock.now()), State: 'assigned', Message: ASSIGNED_MESSAGE });
      expect(t.Scheduling).toBeUndefined();
    }
    const perNode = nodes.map((n) => placed.filter((t) => t.NodeID === n.ID).length);
    expect(perNode).toEqual([2, 2, 2]);
    expect(get(fresh.ID).Status.State).toBe('new');
    expect(scheduler.lastPass).toMatchObject({ assigned: 6, unschedulable: 0, written: 6 });
  });

  it('generic resources: a task needing a gpu lands only where one is free, counted per node', async () => {
    const { store, scheduler, get } = await setup();
    const plain = makeNode();
    const gpus = (n: number, hostname: string) => {
      const node = makeNode({ hostname });
      node.Description.Resources.GenericResources = [{ DiscreteResourceSpec: { Kind: 'gpu', Value: n } }];
      return node;
    };
    const two = gpus(2, 'two');
    const one = gpus(1, 'one');
    const svc = serviceWith({
      Resources: { Reservations: { GenericResources: [{ DiscreteResourceSpec: { Kind: 'gpu', Value: 1 } }] } },
    });
    const tasks = pendingTasks(svc, 4);
    await store.update((tx) => {
      for (const n of [plain, two, one]) tx.create('node', n);
      tx.create('service', svc);
      for (const t of tasks) tx.create('task', t);
    });
    scheduler.start();
    await scheduler.idle();
    const placed = tasks.map((t) => get(t.ID));
    // three gpus in the swarm: three tasks placed, none on the node without one, the fourth pending
    expect(placed.filter((t) => t.NodeID === plain.ID)).toHaveLength(0);
    expect(placed.filter((t) => t.NodeID === two.ID)).toHaveLength(2);
    expect(placed.filter((t) => t.NodeID === one.ID)).toHaveLength(1);
    const waiting = placed.filter((t) => t.Status.State === 'pending');
    expect(waiting).toHaveLength(1);
    expect(waiting[0]!.Status.Err).toBe('no suitable node (insufficient resources on 3 nodes)');
  });

  it('leaves unschedulable tasks pending with the explanation, then places them when a node fits', async () => {
    const { store, scheduler, get, tick } = await setup();
    const nodes = [makeNode(), makeNode(), makeNode()];
    const svc = serviceWith({ Placement: { Constraints: ['node.labels.disk==ssd'] } });
    const [t] = pendingTasks(svc, 1);
    await store.update((tx) => {
      for (const n of nodes) tx.create('node', n);
      tx.create('service', svc);
      tx.create('task', t!);
    });
    scheduler.start();
    await scheduler.idle();

    let cur = get(t!.ID);
    expect(cur.Status.State).toBe('pending');
    expect(cur.Status.Message).toBe('pending task scheduling');
    expect(cur.Status.Err).toBe('no suitable node (scheduling constraints not satisfied on 3 nodes)');
    expect(cur.Scheduling).toMatchObject({
      Filters: [{ Name: 'Constraints', Nodes: 3, Text: 'scheduling constraints not satisfied on 3 nodes' }],
      TotalNodes: 3,
    });
    const version = cur.Version.Index;

    // an event that changes nothing for this task: no new write
    const n0 = store.view.get('node', nodes[0]!.ID)!;
    await store.update((tx) => tx.update('node', { ...n0, Spec: { ...n0.Spec, Labels: { other: 'x' } } }));
    await tick();
    expect(get(t!.ID).Version.Index).toBe(version);

    // a node with the label joins: the task is placed there
    const ssd = makeNode({ Spec: { Labels: { disk: 'ssd' }, Role: 'worker', Availability: 'active' } });
    await store.update((tx) => tx.create('node', ssd));
    await tick();
    cur = get(t!.ID);
    expect(cur.Status).toMatchObject({ State: 'assigned', Message: ASSIGNED_MESSAGE });
    expect(cur.Status.Err).toBeUndefined();
    expect(cur.Scheduling).toBeUndefined();
    expect(cur.NodeID).toBe(ssd.ID);
  });

  it('writes the combined explanation and updates it when it changes', async () => {
    const { store, scheduler, get, tick } = await setup();
    const down = makeNode({ Status: { State: 'down', Addr: '' } });
    const small = makeNode();
    small.Description = { ...small.Description, Resources: { NanoCPUs: 1e9, MemoryBytes: 1024 ** 3 } };
    const svc = serviceWith({ Resources: { Reservations: { MemoryBytes: 2 * 1024 ** 3 } } });
    const [t] = pendingTasks(svc, 1);
    await store.update((tx) => {
      tx.create('node', down);
      tx.create('node', small);
      tx.create('service', svc);
      tx.create('task', t!);
    });
    scheduler.start();
    await scheduler.idle();
    expect(get(t!.ID).Status.Err).toBe(
      'no suitable node (1 node not available for new tasks; insufficient resources on 1 node)',
    );
    const small2 = makeNode();
    small2.Description = { ...small2.Description, Resources: { NanoCPUs: 1e9, MemoryBytes: 1024 ** 3 } };
    await store.update((tx) => tx.create('node', small2));
    await tick();
    expect(get(t!.ID).Status.Err).toBe(
      'no suitable node (insufficient resources on 2 nodes; 1 node not available for new tasks)',
    );
    expect(get(t!.ID).Scheduling?.TotalNodes).toBe(3);
  });

  it('retries when a finishing task frees resources', async () => {
    const { store, scheduler, get, tick } = await setup();
    const { node, holder, waiting } = await holderAndWaiting(store, 'running');
    scheduler.start();
    await scheduler.idle();
    expect(get(waiting.ID).Status.Err).toBe('no suitable node (insufficient resources on 1 node)');

    const h = get(holder.ID);
    await store.update((tx) =>
      tx.update('task', { ...h, Status: { Timestamp: '', State: 'failed', Message: 'started', Err: 'exit 1' } }),
    );
    await tick();
    expect(get(waiting.ID)).toMatchObject({ NodeID: node.ID, Status: { State: 'assigned' } });
  });

  it('counts a task against its node in every state from assigned to running, and not once it is history', async () => {
    const placed: Record<string, string> = {};
    for (const State of ['assigned', 'accepted', 'preparing', 'ready', 'starting', 'running', 'complete'] as const) {
      const { store, scheduler, get } = await setup();
      const { waiting } = await holderAndWaiting(store, State);
      scheduler.start();
      await scheduler.idle();
      placed[State] = get(waiting.ID).Status.State;
      await scheduler.stop();
    }
    expect(placed).toEqual({
      assigned: 'pending',
      accepted: 'pending',
      preparing: 'pending',
      ready: 'pending',
      starting: 'pending',
      running: 'pending',
      complete: 'assigned',
    });
  });

  it('debounces: 50 ms after the last event, at most 1 s after the first', async () => {
    const { store, scheduler, get, clock } = await setup();
    scheduler.start();
    await scheduler.idle();
    const svc = makeService();
    await store.update((tx) => {
      tx.create('node', makeNode());
      tx.create('service', svc);
    });
    const [t] = pendingTasks(svc, 1);
    await store.update((tx) => tx.create('task', t!));
    clock.advance(49);
    await scheduler.idle();
    expect(get(t!.ID).Status.State).toBe('pending');
    clock.advance(1);
    await scheduler.idle();
    expect(get(t!.ID).Status.State).toBe('assigned');

    // a steady stream of events every 40 ms still gets a pass after 1 s
    const [u] = pendingTasks(svc, 1, { Slot: 2 });
    await store.update((tx) => tx.create('task', u!));
    const start = clock.now();
    let extra: Node | undefined;
    while (get(u!.ID).Status.State === 'pending') {
      expect(clock.now() - start).toBeLessThanOrEqual(1000);
      extra = makeNode();
      const n = extra;
      await store.update((tx) => tx.create('node', n));
      clock.advance(40);
      await scheduler.idle();
    }
    expect(clock.now() - start).toBeGreaterThanOrEqual(1000);
  });

  it('confirms pre-assigned (global) tasks on their node, or explains without the prefix', async () => {
    const { store, scheduler, get } = await setup();
    const ready = makeNode();
    const down = makeNode({ Status: { State: 'down', Addr: '' } });
    const svc = makeService({ Spec: makeServiceSpec({ Mode: { Global: {} } }) });
    const onReady = makeTask(svc, { Slot: 0, NodeID: ready.ID, Status: pendingStatus });
    const onDown = makeTask(svc, { Slot: 0, NodeID: down.ID, Status: pendingStatus });
    await store.update((tx) => {
      tx.create('node', ready);
      tx.create('node', down);
      tx.create('service', svc);
      tx.create('task', onReady);
      tx.create('task', onDown);
    });
    scheduler.start();
    await scheduler.idle();
    expect(get(onReady.ID)).toMatchObject({
      NodeID: ready.ID,
      Status: { State: 'assigned', Message: PREASSIGNED_MESSAGE },
    });
    expect(get(onDown.ID)).toMatchObject({
      NodeID: down.ID,
      Status: { State: 'pending', Err: '1 node not available for new tasks' },
    });
  });

  it('shuts down a pending task whose desired state is already shutdown', async () => {
    const { store, scheduler, get } = await setup();
    const svc = makeService();
    const [t] = pendingTasks(svc, 1, { DesiredState: 'shutdown' });
    await store.update((tx) => {
      tx.create('node', makeNode());
      tx.create('service', svc);
      tx.create('task', { ...t!, Status: { ...pendingStatus, Err: 'no suitable node' } });
    });
    scheduler.start();
    await scheduler.idle();
    const cur = get(t!.ID);
    expect(cur.Status.State).toBe('shutdown');
    expect(cur.Status.Err).toBeUndefined();
    expect(cur.NodeID).toBe('');
  });

  it('skips a decision whose task changed before the write', async () => {
    const { store, scheduler, get, tick } = await setup();
    const svc = makeService();
    const [t] = pendingTasks(svc, 1);
    await store.update((tx) => {
      tx.create('node', makeNode());
      tx.create('service', svc);
      tx.create('task', t!);
    });
    // the orchestrator's write is in flight while the scheduler decides on the old task
    const cur = get(t!.ID);
    const orchestrator = store.update((tx) => tx.update('task', { ...cur, DesiredState: 'shutdown' }));
    scheduler.start();
    await orchestrator;
    await scheduler.idle();
    expect(get(t!.ID).Status.State).toBe('pending'); // the stale decision was dropped
    await tick();
    // never assigned: the later pass saw desired shutdown
    expect(get(t!.ID).Status.State).toBe('shutdown');
    expect(get(t!.ID).NodeID).toBe('');
  });

  it('schedules 10,000 tasks onto 1,000 nodes in one pass', async () => {
    const { store, scheduler, get } = await setup();
    const nodes = Array.from({ length: 1000 }, () => makeNode());
    const svc = makeService();
    const tasks = pendingTasks(svc, 10_000);
    // a bulk seed: independent writes, so it may be committed in parts like a control loop's pass
    await store.update(
      (tx) => {
        for (const n of nodes) tx.create('node', n);
        tx.create('service', svc);
        for (const t of tasks) tx.create('task', t);
      },
      { retry: true },
    );
    const t0 = performance.now();
    scheduler.start();
    await scheduler.idle();
    const ms = performance.now() - t0;
    const counts = new Map<string, number>();
    for (const t of tasks) {
      const cur = get(t.ID);
      expect(cur.Status.State).toBe('assigned');
      counts.set(cur.NodeID, (counts.get(cur.NodeID) ?? 0) + 1);
    }
    expect(counts.size).toBe(1000);
    expect([...counts.values()].every((c) => c === 10)).toBe(true);
    expect(ms).toBeLessThan(10_000);
  });
});

describe('Scheduler faulty nodes', () => {
  it('places away from a node where this spec failed 5 times in 5 minutes, and back once they age out', async () => {
    const { store, scheduler, get, tick, clock } = await setup();
    const [bad, busy] = [makeNode({ hostname: 'bad' }), makeNode({ hostname: 'busy' })];
    const svc = makeService();
    const other = makeService({ Spec: { ...makeServiceSpec(), Name: 'other' } });
    await store.update((tx) => {
      for (const n of [bad, busy]) tx.create('node', n);
      tx.create('service', svc);
      tx.create('service', other);
      // busy already runs a task of another service: an empty `bad` would normally win
      tx.create('task', makeTask(other, { NodeID: busy.ID, Status: { ...pendingStatus, State: 'running' } }));
    });
    scheduler.start();
    const failures = Array.from({ length: 5 }, (_, i) =>
      makeTask(svc, { Slot: 10 + i, NodeID: bad.ID, Status: { ...pendingStatus, State: 'running' } }),
    );
    await store.update((tx) => failures.forEach((t) => tx.create('task', t)));
    await store.update((tx) => {
      for (const t of failures) {
        const cur = tx.get('task', t.ID)!;
        tx.update('task', { ...cur, Status: { ...cur.Status, State: 'failed', Err: 'boom' } });
      }
    });
    const [first] = pendingTasks(svc, 1);
    await store.update((tx) => tx.create('task', first!));
    await tick();
    expect(get(first!.ID).NodeID).toBe(busy.ID);

    clock.advance(5 * 60 * 1000);
    const [second] = pendingTasks(svc, 1, { Slot: 2 });
    await store.update((tx) => tx.create('task', second!));
    await tick();
    expect(get(second!.ID).NodeID).toBe(bad.ID);
  });
});
