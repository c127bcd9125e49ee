import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SwarmError } from '../../api/errors';
import type { Network, Task, TaskState } from '../../api/types';
import { makeNode, makeServiceSpec, makeTask, openTempStore } from '../../store/test-support';
import { ManualClock } from '../../util/clock';
import { initCluster } from '../bootstrap';
import { createControlApi, type ControlApi } from './index';

type Opened = Awaited<ReturnType<typeof openTempStore>>;

const SELF = 'selfmanager00000000000001';
let opened: Opened;
let api: ControlApi;

beforeEach(async () => {
  opened = await openTempStore();
  await initCluster(opened.store, {
    nodeID: SELF,
    description: makeNode({ hostname: 'manager1' }).Description,
    addr: '127.0.0.1',
  });
  api = createControlApi(opened.store, {
    selfNodeID: SELF,
    managerAddr: '127.0.0.1:2377',
    isLeader: () => true,
    clock: new ManualClock(),
  });
});
afterEach(async () => {
  await opened.close();
});

async function refusal(p: Promise<unknown> | (() => unknown)): Promise<SwarmError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof SwarmError) return e;
    throw e;
  }
  throw new Error('expected a SwarmError');
}

const overlay = (name: string, over: Partial<Network['Spec']> = {}): Network['Spec'] => ({
  Name: name,
  Labels: {},
  DriverConfiguration: { Name: 'overlay' },
  ...over,
});

const subnet = (s: string, extra: { Range?: string; Gateway?: string } = {}) => ({
  IPAMOptions: { Driver: { Name: 'default' }, Configs: [{ Subnet: s, ...extra }] },
});

describe('network create', () => {
  it('stores the spec alone, under a new swarm ID, readable by ID, name or prefix', async () => {
    const n = await api.createNetwork(overlay('appnet', { Attachable: true, ...subnet('10.20.0.0/24') }));
    expect(n.ID).toMatch(/^[0-9a-z]{25}$/);
    expect(n.Spec).toEqual(overlay('appnet', { Attachable: true, ...subnet('10.20.0.0/24') }));
    expect(n.IPAMOptions).toBeUndefined();
    expect(n.DriverState).toBeUndefined();
    for (const ref of [n.ID, 'appnet', n.ID.slice(0, 5)]) expect(api.getNetwork(ref).ID).toBe(n.ID);
    expect((await refusal(() => api.getNetwork('nonet'))).message).toBe('network nonet not found');
    // no driver given: swarm's default, overlay
    expect((await api.createNetwork({ Name: 'plain', Labels: {} })).Spec.DriverConfiguration).toEqual({
      Name: 'overlay',
    });
  });

  it("refuses what swarmkit's validateNetworkSpec refuses, with its texts", async () => {
    const cases: [Network['Spec'], number, string][] = [
      [
        overlay('ing', { Ingress: true, Attachable: true }),
        400,
        'rpc error: code = InvalidArgument desc = ingress network cannot be attachable',
      ],
      [overlay(''), 400, 'rpc error: code = InvalidArgument desc = meta: name must be provided'],
      [overlay('bad name'), 400, 'rpc error: code = InvalidArgument desc = name must be valid as a DNS name component'],
      [
        overlay('x', { Labels: { 'com.docker.swarm.predefined': 'true' } }),
        403,
        'rpc error: code = PermissionDenied desc = label com.docker.swarm.predefined is for internally created predefined networks and cannot be applied by users',
      ],
      [
        overlay('x', { DriverConfiguration: { Name: 'macvlan' }, Ingress: true }),
        400,
        'rpc error: code = Unimplemented desc = only overlay driver is currently supported for ingress network',
      ],
      [
        overlay('x', { DriverConfiguration: { Name: '' } }),
        400,
        'rpc error: code = InvalidArgument desc = driver name: if driver is specified name is required',
      ],
      [
        overlay('x', { IPAMOptions: { Driver: { Name: 'dhcp' }, Configs: [] } }),
        400,
        'rpc error: code = InvalidArgument desc = plugin dhcp not supported',
      ],
      [
        overlay('x', subnet('10.1.0.0')),
        400,
        'rpc error: code = InvalidArgument desc = ipam configuration: invalid subnet 10.1.0.0',
      ],
      [
        overlay('x', subnet('10.1.0.0/24', { Range: '10.2.0.0/25' })),
        400,
        'rpc error: code = InvalidArgument desc = ipam configuration: subnet 10.1.0.0/24 does not contain range 10.2.0.0/25',
      ],
      [
        overlay('x', subnet('10.1.0.0/24', { Range: 'x' })),
        400,
        'rpc error: code = InvalidArgument desc = ipam configuration: invalid range x',
      ],
      [
        overlay('x', subnet('10.1.0.0/24', { Gateway: '10.1.1.1' })),
        400,
        'rpc error: code = InvalidArgument desc = ipam configuration: subnet 10.1.0.0/24 does not contain gateway 10.1.1.1',
      ],
      [
        overlay('x', subnet('10.1.0.0/24', { Gateway: '10.1.0.300' })),
        400,
        'rpc error: code = InvalidArgument desc = ipam configuration: invalid gateway 10.1.0.300',
      ],
    ];
    for (const [spec, status, message] of cases) {
      const e = await refusal(api.createNetwork(spec));
      expect([spec.Name, e.status, e.message]).toEqual([spec.Name, status, message]);
    }
    // only the ingress network swarm init made
    expect(api.listNetworks().map((x) => x.Spec.Name)).toEqual(['ingress']);
  });

  it('allows one ingress network, and one network per name (case-insensitive, as swarm indexes names)', async () => {
    // swarm init made it
    const ingress = api.getNetwork('ingress');
    const second = await refusal(api.createNetwork(overlay('ingress2', { Ingress: true })));
    expect([second.status, second.message]).toEqual([
      409,
      `rpc error: code = AlreadyExists desc = ingress network (${ingress.ID}) is already present`,
    ]);
    await api.createNetwork(overlay('appnet'));
    const dup = await refusal(api.createNetwork(overlay('AppNet')));
    expect([dup.status, dup.message]).toEqual([
      409,
      'rpc error: code = AlreadyExists desc = name conflicts with an existing object: network AppNet already exists',
    ]);
    // two creates racing for a name: the store takes the first committed and refuses the other at apply
    const raced = await Promise.allSettled([api.createNetwork(overlay('race')), api.createNetwork(overlay('RACE'))]);
    expect(raced.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(api.listNetworks().filter((n) => n.Spec.Name.toLowerCase() === 'race')).toHaveLength(1);
  });

  it("refuses a subnet that overlaps another network's, naming it", async () => {
    const a = await api.createNetwork(overlay('a', subnet('10.20.0.0/24')));
    const e = await refusal(api.createNetwork(overlay('b', subnet('10.20.0.0/16'))));
    expect(e.message).toBe(
      `rpc error: code = InvalidArgument desc = invalid pool request: Pool overlaps with other one on this address space: subnet 10.20.0.0/16 overlaps 10.20.0.0/24 of network a (${a.ID})`,
    );
    await api.createNetwork(overlay('c', subnet('10.21.0.0/24')));
  });

  it('lists with id and name prefixes and labels; an unknown filter is a 400', async () => {
    await api.createNetwork(overlay('front', { Labels: { tier: 'web' } }));
    await api.createNetwork(overlay('back'));
    expect(api.listNetworks({ name: ['fr'] }).map((n) => n.Spec.Name)).toEqual(['front']);
    expect(api.listNetworks({ label: ['tier=web'] }).map((n) => n.Spec.Name)).toEqual(['front']);
    expect((await refusal(() => api.listNetworks({ driver: ['overlay'] }))).message).toBe("invalid filter 'driver'");
  });
});

describe('network remove', () => {
  const put = (t: Task) => opened.store.update((tx) => tx.create('task', t));

  it("refuses while a service is attached, then while a task is meant to run, as swarmkit's removeNetwork", async () => {
    const n = await api.createNetwork(overlay('appnet'));
    const svc = await api.createService(
      makeServiceSpec({
        TaskTemplate: { ContainerSpec: { Image: 'nginx' }, ForceUpdate: 0, Networks: [{ Target: 'appnet' }] },
      }),
    );
    expect(svc.Spec.TaskTemplate.Networks).toEqual([{ Target: n.ID }]);
    const bySvc = await refusal(api.removeNetwork('appnet'));
    expect([bySvc.status, bySvc.message]).toEqual([
      400,
      `rpc error: code = FailedPrecondition desc = network ${n.ID} is in use by service ${svc.ID}`,
    ]);
    // the service lets go of the network; its tasks from before still name it
    await api.updateService(svc.ID, svc.Version.Index, {
      ...svc.Spec,
      TaskTemplate: { ...svc.Spec.TaskTemplate, Networks: [] },
    });
    const task = (desired: TaskState, state: TaskState) => {
      const t = makeTask(svc, { DesiredState: desired });
      return {
        ...t,
        Status: { ...t.Status, State: state },
        Spec: { ...t.Spec, Networks: [{ Target: n.ID }] },
      };
    };
    // a task that has stopped, or been told to, no longer holds the network
    await put(task('shutdown', 'running'));
    await put(task('running', 'failed'));
    const live = task('running', 'starting');
    await put(live);
    const byTask = await refusal(api.removeNetwork(n.ID));
    expect(byTask.message).toBe(
      `rpc error: code = FailedPrecondition desc = network ${n.ID} is in use by task ${live.ID}`,
    );
    await opened.store.update((tx) => tx.update('task', { ...tx.get('task', live.ID)!, DesiredState: 'shutdown' }));
    await api.removeNetwork(n.ID.slice(0, 6));
    await api.removeService(svc.ID);
    // only the ingress network swarm init made
    expect(api.listNetworks().map((x) => x.Spec.Name)).toEqual(['ingress']);
    expect((await refusal(api.removeNetwork(n.ID))).status).toBe(404);
  });

  it("is free the moment its last service is removed, though that service's tasks still run (docker stack rm)", async () => {
    const n = await api.createNetwork(overlay('stacknet'));
    const svc = await api.createService(
      makeServiceSpec({
        TaskTemplate: { ContainerSpec: { Image: 'nginx' }, ForceUpdate: 0, Networks: [{ Target: 'stacknet' }] },
      }),
    );
    const running = (slot: number): Task => {
      const t = makeTask(svc, { Slot: slot, NodeID: SELF });
      return {
        ...t,
        Status: { ...t.Status, State: 'running' },
        NetworksAttachments: [{ Network: n, Addresses: [`10.0.1.${slot + 2}/24`] }],
      };
    };
    await put(running(1));
    await put(running(2));
    // no orchestrator runs here: only the removal itself can have let go of the tasks
    await api.removeService(svc.ID);
    expect(api.listTasks().map((t) => t.DesiredState)).toEqual(['remove', 'remove']);
    await api.removeNetwork('stacknet');
    expect(api.listNetworks().map((x) => x.Spec.Name)).toEqual(['ingress']);
  });

  it('takes no live task of a deleted service for a user (one an orchestrator pass created as it went)', async () => {
    const n = await api.createNetwork(overlay('latenet'));
    const svc = await api.createService(
      makeServiceSpec({
        TaskTemplate: { ContainerSpec: { Image: 'nginx' }, ForceUpdate: 0, Networks: [{ Target: 'latenet' }] },
      }),
    );
    await api.removeService(svc.ID);
    const late = makeTask(svc, { NodeID: SELF, Spec: { ...svc.Spec.TaskTemplate, Networks: [{ Target: n.ID }] } });
    await put({ ...late, Status: { ...late.Status, State: 'running' } });
    await api.removeNetwork('latenet');
    expect(api.listNetworks().map((x) => x.Spec.Name)).toEqual(['ingress']);
  });

  it('keeps ingress while a service publishes an ingress port; host-mode ports do not need it', async () => {
    const ingress = api.getNetwork('ingress');
    const pub = await api.createService(
      makeServiceSpec({
        Name: 'pub',
        EndpointSpec: { Mode: 'vip', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080 }] },
      }),
    );
    await api.createService(
      makeServiceSpec({
        Name: 'hostport',
        EndpointSpec: {
          Mode: 'vip',
          Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 9090, PublishMode: 'host' }],
        },
      }),
    );
    const e = await refusal(api.removeNetwork('ingress'));
    expect(e.message).toBe(
      `rpc error: code = FailedPrecondition desc = ingress network cannot be removed because service ${pub.ID} depends on it`,
    );
    await api.removeService(pub.ID);
    await api.removeNetwork(ingress.ID);
  });

  it('refuses a swarm predefined network', async () => {
    const id = 'predefinedbridge000000001';
    await opened.store.update((tx) =>
      tx.create('network', {
        ID: id,
        Version: { Index: 0 },
        CreatedAt: tx.now,
        UpdatedAt: tx.now,
        Spec: { Name: 'bridge', Labels: { 'com.docker.swarm.predefined': 'true' } },
      }),
    );
    expect((await refusal(api.removeNetwork(id))).message).toBe(
      `rpc error: code = FailedPrecondition desc = network ${id} (bridge) is a swarm predefined network and cannot be removed`,
    );
  });
});

describe('service create racing network rm', () => {
  const onNet = (name: string, net: string) =>
    makeServiceSpec({
      Name: name,
      TaskTemplate: { ContainerSpec: { Image: 'nginx' }, ForceUpdate: 0, Networks: [{ Target: net }] },
    });

  it('never leaves a service pointing at a removed network: whichever commits second is refused', async () => {
    for (let round = 0; round < 6; round++) {
      const n = await api.createNetwork(overlay(`net${round}`));
      // both read a store where the network exists and no service uses it; the order alternates
      const create = () => api.createService(onNet(`web${round}`, n.ID));
      const remove = () => api.removeNetwork(n.ID);
      const [first, second] = round % 2 === 0 ? [create(), remove()] : [remove(), create()];
      const settled = await Promise.allSettled([first, second]);
      expect(settled.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const why = (settled.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as SwarmError;
      const svc = api.listServices().find((s) => s.Spec.Name === `web${round}`);
      if (svc) {
        expect(api.listNetworks().map((x) => x.ID)).toContain(n.ID);
        expect(why.message).toBe(
          `rpc error: code = FailedPrecondition desc = network ${n.ID} is in use by service ${svc.ID}`,
        );
        await api.removeService(svc.ID);
      } else {
        expect(api.listNetworks().map((x) => x.ID)).not.toContain(n.ID);
        expect([why.status, why.message]).toEqual([404, `network ${n.ID} not found`]);
      }
    }
  });
});

describe('service networks', () => {
  const withNets = (name: string, targets: string[]) =>
    makeServiceSpec({
      Name: name,
      TaskTemplate: {
        ContainerSpec: { Image: 'nginx' },
        ForceUpdate: 0,
        Networks: targets.map((t) => ({ Target: t, Aliases: ['alias'] })),
      },
    });

  it('stores network IDs for names, IDs and prefixes, keeping aliases', async () => {
    const a = await api.createNetwork(overlay('a'));
    const b = await api.createNetwork(overlay('b'));
    const s = await api.createService(withNets('web', ['a', b.ID.slice(0, 7)]));
    expect(s.Spec.TaskTemplate.Networks).toEqual([
      { Target: a.ID, Aliases: ['alias'] },
      { Target: b.ID, Aliases: ['alias'] },
    ]);
  });

  it("refuses the daemon's own networks, missing ones, ingress and ambiguous prefixes", async () => {
    const bridge = await refusal(api.createService(withNets('web', ['bridge'])));
    expect([bridge.status, bridge.message]).toEqual([
      403,
      'The network bridge cannot be used with services. Only networks scoped to the swarm can be used, such as those created with the overlay driver.',
    ]);
    const missing = await refusal(api.createService(withNets('web', ['nonet'])));
    expect([missing.status, missing.message]).toEqual([404, 'network nonet not found']);
    expect((await refusal(api.createService(withNets('web', ['ingress'])))).message).toBe(
      'rpc error: code = InvalidArgument desc = Service cannot be explicitly attached to the ingress network "ingress"',
    );
    // 36 alphabet letters, so some one-character prefix is shared by two of 40 IDs
    for (let i = 0; i < 40; i++) await api.createNetwork(overlay(`n${i}`));
    const ids = api.listNetworks().map((n) => n.ID[0]!);
    const shared = ids.find((c, i) => ids.indexOf(c) !== i)!;
    const count = ids.filter((c) => c === shared).length;
    const amb = await refusal(api.createService(withNets('web', [shared])));
    expect([amb.status, amb.message]).toEqual([400, `network ${shared} is ambiguous (${count} matches found)`]);
  });
});
