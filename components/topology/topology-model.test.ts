import { describe, expect, it } from 'vitest';
import { fixtureService } from '../cluster/test-fixtures';
import { runningTask, swarmFixture } from './test-fixtures';
import { applyTopologyFilter, assignable, buildTopology, UNASSIGNED_NODE } from './topology-model';

describe('buildTopology', () => {
  it('networks carry subnet, gateway, flags, VXLAN ID and the addresses in use', () => {
    const m = buildTopology(swarmFixture());
    const [app, ing] = m.networks; // sorted by name: appnet, ingress
    expect(ing).toMatchObject({
      name: 'ingress',
      ingress: true,
      attachable: false,
      internal: false,
      subnets: [{ subnet: '10.0.0.0/24', gateway: '10.0.0.1' }],
      vxlan: '4096',
      // one VIP, three tasks, one node load-balancer address
      inUse: 5,
      capacity: 253,
    });
    expect(app).toMatchObject({ name: 'appnet', attachable: true, ingress: false, inUse: 4, stack: 'shop' });
  });

  it('falls back to the spec IPAM before the allocator has written its own, and to none at all', () => {
    const f = swarmFixture();
    const { IPAMOptions: _ipam, ...bare } = f.appnet;
    bare.Spec = { ...bare.Spec, IPAMOptions: { Configs: [{ Subnet: '10.9.0.0/16', Range: '10.9.1.0/24' }] } };
    const { IPAMOptions: _i2, ...none } = f.ingress;
    const m = buildTopology({ ...f, networks: [bare, none] });
    expect(m.networks[0]).toMatchObject({ subnets: [{ subnet: '10.9.0.0/16', range: '10.9.1.0/24' }], capacity: 254 });
    expect(m.networks[1]!.subnets).toEqual([]);
    expect(m.networks[1]!.capacity).toBeUndefined();
  });

  it('services carry mode, running/desired, endpoint mode, a VIP per network and their ports', () => {
    const f = swarmFixture();
    f.tasks[2]!.Status = { ...f.tasks[2]!.Status, State: 'starting' };
    const [web] = buildTopology(f).services;
    expect(web).toMatchObject({
      name: 'web',
      mode: 'replicated',
      running: 2,
      desired: 3,
      endpointMode: 'vip',
      ports: ['8080:80/tcp'],
      stack: 'shop',
      tone: 'warn',
    });
    expect(web!.vips).toEqual([
      { networkID: 'ing', networkName: 'ingress', addr: '10.0.0.2/24' },
      { networkID: 'app', networkName: 'appnet', addr: '10.0.1.2/24' },
    ]);
  });

  it('attachment edges are labelled with the VIP and aliases; ports lead to the service', () => {
    const m = buildTopology(swarmFixture());
    const att = m.edges.filter((e) => e.kind === 'attachment');
    expect(att).toEqual([
      {
        id: 'att:app:web',
        kind: 'attachment',
        source: 'net:app',
        target: 'svc:web',
        label: 'VIP 10.0.1.2 · aliases www',
      },
      { id: 'att:ing:web', kind: 'attachment', source: 'net:ing', target: 'svc:web', label: 'VIP 10.0.0.2' },
    ]);
    expect(m.ports).toEqual([
      {
        kind: 'port',
        id: 'port:web:tcp:8080:ingress',
        serviceID: 'web',
        protocol: 'tcp',
        published: 8080,
        target: 80,
        mode: 'ingress',
      },
    ]);
    expect(m.edges).toContainEqual({
      id: 'pub:port:web:tcp:8080:ingress',
      kind: 'published',
      source: 'port:web:tcp:8080:ingress',
      target: 'svc:web',
      label: 'ingress',
    });
  });

  it('a network named (not ID-ed) in the spec resolves; one that does not exist draws no edge', () => {
    const f = swarmFixture();
    const svc = fixtureService({
      ID: 'api',
      Spec: {
        ...f.web.Spec,
        Name: 'api',
        TaskTemplate: { ...f.web.Spec.TaskTemplate, Networks: [{ Target: 'appnet' }, { Target: 'gone' }] },
        EndpointSpec: { Ports: [{ TargetPort: 80 }] },
      },
      Endpoint: { Spec: { Ports: [{ TargetPort: 80 }] } },
    });
    const m = buildTopology({ ...f, services: [svc] });
    expect(m.edges.filter((e) => e.kind === 'attachment').map((e) => e.source)).toEqual(['net:app']);
    expect(m.edges.find((e) => e.kind === 'attachment')!.label).toBeUndefined();
    // before the allocator runs: requested ports only, published port still to be picked
    expect(m.services[0]!.ports).toEqual(['*:80/tcp']);
  });

  it('tasks sit in their node, with state, health, tone and an IP per network', () => {
    const f = swarmFixture();
    f.tasks[1]!.Status = { ...f.tasks[1]!.Status, ContainerStatus: { Health: 'unhealthy' } };
    const m = buildTopology(f);
    expect(m.tasks.map((t) => [t.name, t.parent, t.state, t.tone])).toEqual([
      ['web.1', 'node:n1', 'running', 'ok'],
      ['web.2', 'node:n2', 'running', 'bad'],
      ['web.3', 'node:n3', 'running', 'ok'],
    ]);
    expect(m.tasks[0]!.addresses).toEqual([
      { networkID: 'ing', networkName: 'ingress', addr: '10.0.0.3/24' },
      { networkID: 'app', networkName: 'appnet', addr: '10.0.1.3/24' },
    ]);
    // one backend edge per node group the service's tasks run in, labelled with the count
    expect(m.edges.filter((e) => e.kind === 'backend').map((e) => `${e.source}>${e.target} ${e.label}`)).toEqual([
      'svc:web>node:n1 1 task',
      'svc:web>node:n2 1 task',
      'svc:web>node:n3 1 task',
    ]);
  });

  it('backend edges bundle a node’s tasks of one service: one edge, the count, draining if any is', () => {
    const f = swarmFixture();
    const more = [runningTask(f.web, 't4', 4, 'n1'), { ...runningTask(f.web, 't5', 5, 'n1'), Draining: true }];
    const m = buildTopology({ ...f, tasks: [...f.tasks, ...more, runningTask(f.web, 't6', 6, '')] });
    const backend = m.edges.filter((e) => e.kind === 'backend');
    expect(backend.map((e) => [e.id, e.target, e.tasks, e.label, e.draining ?? false])).toEqual([
      ['be:web:node:n1', 'node:n1', 3, '3 tasks', true],
      ['be:web:node:n2', 'node:n2', 1, '1 task', false],
      ['be:web:node:n3', 'node:n3', 1, '1 task', false],
      ['be:web:node:', 'node:', 1, '1 task', false],
    ]);
  });

  it('a task told to stop while it runs, or marked by its agent, is draining; finished tasks are not drawn', () => {
    const f = swarmFixture();
    f.tasks[0]!.DesiredState = 'shutdown';
    const marked = { ...f.tasks[1]!, Draining: true };
    const done = {
      ...f.tasks[2]!,
      DesiredState: 'shutdown' as const,
      Status: { ...f.tasks[2]!.Status, State: 'shutdown' as const },
    };
    const m = buildTopology({ ...f, tasks: [f.tasks[0]!, marked, done] });
    expect(m.tasks.map((t) => [t.name, t.draining, t.tone])).toEqual([
      ['web.1', true, 'warn'],
      ['web.2', true, 'warn'],
    ]);
    expect(m.edges.filter((e) => e.draining).map((e) => e.target)).toEqual(['node:n1', 'node:n2']);
  });

  it('nodes: every node is a group, with its state tone, mode and load-balancer addresses', () => {
    const f = swarmFixture();
    f.nodes[1]!.Spec.Availability = 'drain';
    f.nodes[2]!.Status.State = 'down';
    const m = buildTopology(f);
    expect(m.nodes.map((n) => [n.name, n.tone, n.networkMode])).toEqual([
      ['alpha', 'ok', 'netns'],
      ['bravo', 'warn', 'netns'],
      ['charlie', 'bad', 'netns'],
    ]);
    expect(m.nodes[0]!.attachments).toEqual([{ networkID: 'ing', networkName: 'ingress', addr: '10.0.0.10/24' }]);
  });

  it('a pending task no node took goes to a group of its own', () => {
    const f = swarmFixture();
    const pending = runningTask(f.web, 'tp', 4, '', {
      Status: { Timestamp: '', State: 'pending', Message: 'no suitable node' },
    });
    const m = buildTopology({ ...f, tasks: [...f.tasks, pending] });
    expect(m.nodes.at(-1)).toMatchObject({ id: UNASSIGNED_NODE, name: 'not on a node' });
    expect(m.tasks.find((t) => t.taskID === 'tp')).toMatchObject({ parent: UNASSIGNED_NODE, tone: 'warn' });
    expect(buildTopology(f).nodes.some((n) => n.id === UNASSIGNED_NODE)).toBe(false);
  });

  it('global services name tasks by node, dnsrr shows no VIP', () => {
    const f = swarmFixture();
    const g = fixtureService({
      ID: 'agent',
      Spec: { ...f.web.Spec, Name: 'agent', Mode: { Global: {} }, EndpointSpec: { Mode: 'dnsrr' } },
      Endpoint: { Spec: { Mode: 'dnsrr' } },
    });
    const m = buildTopology({ ...f, services: [g], tasks: [runningTask(g, 'ga', 0, 'n2')] });
    expect(m.services[0]).toMatchObject({ mode: 'global', endpointMode: 'dnsrr', vips: [], running: 1, desired: 1 });
    expect(m.tasks[0]!.name).toBe('agent.n2');
  });
});

describe('assignable', () => {
  it('counts what IPAM can hand out', () => {
    expect(assignable('10.0.0.0/24', true)).toBe(253);
    expect(assignable('10.0.0.0/24', false)).toBe(254);
    expect(assignable('10.0.0.0/16', true)).toBe(65533);
    expect(assignable('10.0.0.0/31', false)).toBe(2);
    expect(assignable('fd00::/64', true)).toBeUndefined();
  });
});

describe('applyTopologyFilter', () => {
  function twoStacks() {
    const f = swarmFixture();
    const other = fixtureService({
      ID: 'db',
      Spec: {
        ...f.web.Spec,
        Name: 'db',
        Labels: { 'com.docker.stack.namespace': 'data' },
        TaskTemplate: { ...f.web.Spec.TaskTemplate, Networks: [] },
        EndpointSpec: {},
      },
      Endpoint: { Spec: {} },
    });
    const dbTask = runningTask(other, 'd1', 1, 'n3');
    return buildTopology({ ...f, services: [f.web, other], tasks: [...f.tasks, dbTask] });
  }
  const ids = (xs: { id: string }[]) => xs.map((x) => x.id);

  it('no filter leaves everything', () => {
    const m = twoStacks();
    expect(applyTopologyFilter(m, {})).toBe(m);
  });

  it('by service: its networks, ports and tasks; all nodes stay', () => {
    const v = applyTopologyFilter(twoStacks(), { service: 'db' });
    expect(ids(v.services)).toEqual(['svc:db']);
    expect(ids(v.networks)).toEqual([]);
    expect(ids(v.tasks)).toEqual(['task:d1']);
    expect(ids(v.nodes)).toEqual(['node:n1', 'node:n2', 'node:n3']);
    expect(v.edges.map((e) => e.id)).toEqual(['be:db:node:n3']);
  });

  it('by stack: its services and the networks they use or that carry the stack label', () => {
    const v = applyTopologyFilter(twoStacks(), { stack: 'shop' });
    expect(ids(v.services)).toEqual(['svc:web']);
    expect(ids(v.networks)).toEqual(['net:app', 'net:ing']);
    expect(ids(v.ports)).toEqual(['port:web:tcp:8080:ingress']);
    expect(v.tasks).toHaveLength(3);
  });

  it('by network: only that network and the services attached to it', () => {
    const v = applyTopologyFilter(twoStacks(), { network: 'ing' });
    expect(ids(v.networks)).toEqual(['net:ing']);
    expect(ids(v.services)).toEqual(['svc:web']);
    expect(v.edges.filter((e) => e.kind === 'attachment').map((e) => e.id)).toEqual(['att:ing:web']);
  });

  it('filters combine', () => {
    expect(applyTopologyFilter(twoStacks(), { stack: 'data', network: 'app' }).services).toEqual([]);
  });
});
