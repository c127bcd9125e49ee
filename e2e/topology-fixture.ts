// A console state as it will look once the allocator runs: ingress and two
// overlays with IPAM, VIPs, task and node addresses, a stack, a draining task,
// an unhealthy one and one no node took. The topology spec serves it in place
// of the live cluster's to check (and photograph) what the live cluster cannot
// show yet.
import type { ConsoleState } from '../server/api/realtime';
import type { Task } from '../server/api/types';
import { fixtureService } from '../components/cluster/test-fixtures';
import { attach, fixtureNetwork, fixtureNode, runningTask, swarmFixture } from '../components/topology/test-fixtures';

export function allocatedState(): ConsoleState {
  const f = swarmFixture();
  const backend = fixtureNetwork('be', 'backend', '10.0.2.0/24', {
    Internal: true,
    Labels: { 'com.docker.stack.namespace': 'shop' },
  });
  const manager = fixtureNode('n0', 'manager-1', {
    ManagerStatus: { Leader: true, Reachability: 'reachable', Addr: '127.0.0.1:2377' },
  });
  manager.Spec.Role = 'manager';
  manager.Role = 'manager';
  const nodes = [manager, ...f.nodes];
  nodes[1]!.Attachments = [attach(f.ingress, '10.0.0.10/24'), attach(f.appnet, '10.0.1.20/24')];
  nodes[2]!.Attachments = [attach(f.ingress, '10.0.0.11/24')];
  nodes[3]!.Attachments = [attach(f.ingress, '10.0.0.12/24')];
  nodes[3]!.Spec.Availability = 'drain';

  const api = fixtureService({
    ID: 'api',
    Spec: {
      Name: 'api',
      Labels: { 'com.docker.stack.namespace': 'shop' },
      TaskTemplate: {
        ContainerSpec: { Image: 'shop/api:2' },
        ForceUpdate: 0,
        Networks: [{ Target: 'app', Aliases: ['api.internal'] }, { Target: 'be' }],
      },
      Mode: { Replicated: { Replicas: 3 } },
    },
    Endpoint: {
      Spec: { Mode: 'vip' },
      VirtualIPs: [
        { NetworkID: 'app', Addr: '10.0.1.30/24' },
        { NetworkID: 'be', Addr: '10.0.2.2/24' },
      ],
    },
  });
  const db = fixtureService({
    ID: 'db',
    Spec: {
      Name: 'db',
      Labels: { 'com.docker.stack.namespace': 'shop' },
      TaskTemplate: { ContainerSpec: { Image: 'postgres:17' }, ForceUpdate: 0, Networks: [{ Target: 'be' }] },
      Mode: { Replicated: { Replicas: 1 } },
      EndpointSpec: { Mode: 'dnsrr' },
    },
    Endpoint: { Spec: { Mode: 'dnsrr' } },
  });
  const on = (t: Task, ...atts: [typeof f.ingress, string][]) => ({
    ...t,
    NetworksAttachments: atts.map(([n, a]) => attach(n, a)),
  });
  const tasks: Task[] = [
    ...f.tasks.slice(0, 2),
    // web.3 on the drained node: told to stop, still running
    { ...f.tasks[2]!, DesiredState: 'shutdown' },
    on(
      runningTask(f.web, 'w3b', 3, 'n1', { Status: { Timestamp: '', State: 'starting', Message: '' } }),
      [f.ingress, '10.0.0.9/24'],
      [f.appnet, '10.0.1.9/24'],
    ),
    on(runningTask(api, 'a1', 1, 'n1'), [f.appnet, '10.0.1.31/24'], [backend, '10.0.2.3/24']),
    on(
      runningTask(api, 'a2', 2, 'n2', {
        Status: { Timestamp: '', State: 'running', Message: '', ContainerStatus: { Health: 'unhealthy' } },
      }),
      [f.appnet, '10.0.1.32/24'],
      [backend, '10.0.2.4/24'],
    ),
    on(runningTask(api, 'a3', 3, '', { Status: { Timestamp: '', State: 'pending', Message: 'no suitable node' } })),
    on(runningTask(db, 'd1', 1, 'n0'), [backend, '10.0.2.5/24']),
  ];
  return {
    index: 42,
    objects: {
      cluster: [],
      node: nodes,
      service: [f.web, api, db],
      task: tasks,
      network: [f.ingress, f.appnet, backend],
      secret: [],
      config: [],
    },
  };
}
