import { afterEach, describe, expect, it } from 'vitest';
import type { Network, Task } from '../../api/types';
import { makeNode, makeService, makeServiceSpec, makeTask, openTempStore } from '../../store/test-support';

const T = '2026-01-01T00:00:00Z';
import { ManualClock, iso } from '../../util/clock';
import { Allocator } from './runner';

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

describe('Allocator and networks', () => {
  const ingress = (): Network => ({
    ID: 'ingressid0000000000000000',
    Version: { Index: 0 },
    CreatedAt: T,
    UpdatedAt: T,
    Spec: { Name: 'ingress', Labels: {}, Ingress: true },
  });
  const overlay = (id: string, name: string): Network => ({
    ID: id,
    Version: { Index: 0 },
    CreatedAt: T,
    UpdatedAt: T,
    Spec: { Name: name, Labels: {}, DriverConfiguration: { Name: 'overlay' } },
  });
  const addrs = (t: Task | undefined) => (t?.NetworksAttachments ?? []).map((a) => a.Addresses?.[0]);

  it('allocates stored networks, the service endpoint, task and node addresses, through the store', async () => {
    const { store, allocator } = await setup();
    const node = makeNode();
    await store.update((tx) => {
      tx.create('network', ingress());
      tx.create('network', overlay('appnet', 'appnet'));
      tx.create('node', node);
    });
    allocator.start();
    await allocator.idle();
    expect(store.view.get('network', 'ingressid0000000000000000')!.IPAMOptions?.Configs).toEqual([
      { Subnet: '10.0.0.0/24', Gateway: '10.0.0.1' },
    ]);
    expect(store.view.get('network', 'appnet')!.IPAMOptions?.Configs?.[0]?.Subnet).toBe('10.0.1.0/24');
    expect(store.view.get('node', node.ID)!.Attachments?.map((a) => a.Addresses)).toEqual([['10.0.0.2/24']]);

    const svc = makeService({
      Spec: makeServiceSpec({
        TaskTemplate: { ContainerSpec: { Image: 'nginx' }, ForceUpdate: 0, Networks: [{ Target: 'appnet' }] },
        EndpointSpec: { Ports: [{ TargetPort: 80 }] },
      }),
    });
    const t = makeTask(svc, { NodeID: node.ID });
    await store.update((tx) => {
      tx.create('service', svc);
      tx.create('task', t);
    });
    await allocator.idle();
    const s = store.view.get('service', svc.ID)!;
    expect(s.Endpoint.Ports).toEqual([
      { TargetPort: 80, PublishedPort: 30000, Protocol: 'tcp', PublishMode: 'ingress' },
    ]);
    expect(s.Endpoint.VirtualIPs).toEqual([
      { NetworkID: 'ingressid0000000000000000', Addr: '10.0.0.3/24' },
      { NetworkID: 'appnet', Addr: '10.0.1.2/24' },
    ]);
    const task = store.view.get('task', t.ID)!;
    expect(task.Status.State).toBe('pending');
    expect(addrs(task)).toEqual(['10.0.0.4/24', '10.0.1.3/24']);
    expect(task.Endpoint?.Ports).toEqual(s.Endpoint.Ports);
    // the node serves appnet now that a task on it is attached to it
    await allocator.idle();
    expect(store.view.get('node', node.ID)!.Attachments?.map((a) => a.Network.ID)).toEqual([
      'ingressid0000000000000000',
      'appnet',
    ]);
  });

  it('a new leader rebuilds from the store: no address is handed out twice; stopped tasks give theirs back', async () => {
    const { store, clock, allocator } = await setup();
    await store.update((tx) => tx.create('network', overlay('appnet', 'appnet')));
    const svc = makeService({
      Spec: makeServiceSpec({
        TaskTemplate: { ContainerSpec: { Image: 'nginx' }, ForceUpdate: 0, Networks: [{ Target: 'appnet' }] },
      }),
    });
    const first = [1, 2, 3].map((slot) => makeTask(svc, { Slot: slot }));
    await store.update((tx) => {
      tx.create('service', svc);
      for (const t of first) tx.create('task', t);
    });
    allocator.start();
    await allocator.idle();
    await allocator.stop();
    const taken = first.map((t) => addrs(store.view.get('task', t.ID))[0]);
    expect(new Set(taken).size).toBe(3);

    // the next leader: a fresh allocator over the same store
    const next = new Allocator(store, clock);
    cleanup.push(() => next.stop());
    next.start();
    const more = [4, 5].map((slot) => makeTask(svc, { Slot: slot }));
    await store.update((tx) => {
      for (const t of more) tx.create('task', t);
    });
    await next.idle();
    const all = [...first, ...more].map((t) => addrs(store.view.get('task', t.ID))[0]);
    expect(new Set(all).size).toBe(5);
    expect(all).not.toContain(store.view.get('service', svc.ID)!.Endpoint.VirtualIPs![0]!.Addr);

    // a task told to stop that stopped gives its address back to the pool
    const dead = store.view.get('task', first[0]!.ID)!;
    await store.update((tx) =>
      tx.update('task', { ...dead, DesiredState: 'shutdown', Status: { ...dead.Status, State: 'shutdown' } }),
    );
    await next.idle();
    expect(next.state!.ipam.addressesInUse('appnet')['10.0.0.0/24']).toBe(2 + 1 + 1 + 4); // .0/.255, gateway, VIP, 4 live tasks
  });

  it('a service whose ingress port clashes is marked, and its tasks stay NEW saying why', async () => {
    const { store, allocator } = await setup();
    await store.update((tx) => tx.create('network', ingress()));
    const spec = (name: string) =>
      makeServiceSpec({ Name: name, EndpointSpec: { Ports: [{ TargetPort: 80, PublishedPort: 8080 }] } });
    const a = makeService({ Spec: spec('a'), CreatedAt: '2026-01-01T00:00:00Z' });
    const b = makeService({ Spec: spec('b'), CreatedAt: '2026-01-01T00:00:01Z' });
    const tb = makeTask(b);
    await store.update((tx) => tx.create('service', a));
    allocator.start();
    await allocator.idle();
    // b got past the control API's check (a race): the allocator refuses it
    await store.update((tx) => {
      tx.create('service', b);
      tx.create('task', tb);
    });
    await allocator.idle();
    const text = `port '8080' is already in use by service 'a' (${a.ID}) as an ingress port`;
    expect(store.view.get('service', b.ID)!.Faults?.[0]?.Message).toBe(text);
    const t = store.view.get('task', tb.ID)!;
    expect(t.Status.State).toBe('new');
    expect(t.Status.Err).toBe(`allocator: service ${b.ID} is not allocated: ${text}`);
    // a is removed: b fits now, and its task moves on
    await store.update((tx) => tx.delete('service', a.ID));
    await allocator.idle();
    expect(store.view.get('service', b.ID)!.Faults).toBeUndefined();
    expect(store.view.get('service', b.ID)!.Endpoint.Ports?.[0]?.PublishedPort).toBe(8080);
    expect(store.view.get('task', tb.ID)!.Status).toMatchObject({ State: 'pending' });
    expect(store.view.get('task', tb.ID)!.Status.Err).toBeUndefined();
  });
  it('a service left on a network that is gone (stored before removals were checked at apply) is marked, and recovers without it', async () => {
    const { store, allocator } = await setup();
    const svc = makeService({
      Spec: makeServiceSpec({
        TaskTemplate: { ContainerSpec: { Image: 'nginx' }, ForceUpdate: 0, Networks: [{ Target: 'appnet' }] },
      }),
    });
    const t = makeTask(svc);
    await store.update((tx) => {
      tx.create('network', ingress());
      tx.create('network', overlay('appnet', 'appnet'));
      tx.create('service', svc);
      tx.create('task', t);
    });
    // the store refuses that removal now; an older store image may still hold such a service
    const img = store.view.image();
    store.view.restore({
      ...img,
      objects: { ...img.objects, network: img.objects.network.filter((n) => n.ID !== 'appnet') },
    });
    allocator.start();
    await allocator.idle();
    const marked = store.view.get('service', svc.ID)!;
    expect(marked.Faults?.[0]?.Message).toBe('networkallocator: could not find local network state');
    expect(store.view.get('task', t.ID)!.Status).toMatchObject({ State: 'new' });
    expect(store.view.get('task', t.ID)!.Status.Err).toMatch(
      /not allocated: networkallocator: could not find local network state$/,
    );
    // the spec without it allocates; the orchestrator replaces the waiting task (its own spec names the
    // network), and the service no longer shows the fault
    await store.update((tx) => {
      const cur = tx.get('service', svc.ID)!;
      tx.update('service', { ...cur, Spec: { ...cur.Spec, TaskTemplate: { ...cur.Spec.TaskTemplate, Networks: [] } } });
    });
    await allocator.idle();
    const next = makeTask(store.view.get('service', svc.ID)!, { Slot: 1 });
    await store.update((tx) => {
      tx.update('task', { ...tx.get('task', t.ID)!, DesiredState: 'shutdown' });
      tx.create('task', next);
    });
    await allocator.idle();
    expect(store.view.get('task', next.ID)!.Status.State).toBe('pending');
    expect(store.view.get('service', svc.ID)!.Faults).toBeUndefined();
  });
});
