// Store objects for the topology's unit tests: a swarm as the allocator leaves
// it (ingress and an overlay with IPAM, VIPs, task and node attachments).
import type { Network, NetworkAttachment, Node, Service, Task } from '@/server/api/types';
import { fixtureService, fixtureTask } from '../cluster/test-fixtures';
import type { TopologyInput } from './topology-model';

const T0 = '2026-01-01T00:00:00.000Z';
const meta = (ID: string) => ({ ID, Version: { Index: 1 }, CreatedAt: T0, UpdatedAt: T0 });

let vxlan = 4096;
const vxlans = new Map<string, number>();

export function fixtureNetwork(id: string, name: string, subnet: string, over: Partial<Network['Spec']> = {}): Network {
  if (!vxlans.has(id)) vxlans.set(id, vxlan++);
  const gateway = subnet.replace(/\.0\/\d+$/, '.1');
  return {
    ...meta(id),
    Spec: { Name: name, Labels: {}, DriverConfiguration: { Name: 'overlay' }, ...over },
    DriverState: {
      Name: 'overlay',
      Options: { 'com.docker.network.driver.overlay.vxlanid_list': String(vxlans.get(id)) },
    },
    IPAMOptions: { Driver: { Name: 'default' }, Configs: [{ Subnet: subnet, Gateway: gateway }] },
  };
}

export function fixtureNode(id: string, name: string, over: Partial<Node> = {}): Node {
  return {
    ...meta(id),
    Spec: { Name: name, Labels: {}, Role: 'worker', Availability: 'active' },
    Role: 'worker',
    Description: {
      Hostname: name,
      Platform: { Architecture: 'x86_64', OS: 'linux' },
      Resources: { NanoCPUs: 4e9, MemoryBytes: 8 * 2 ** 30 },
      Engine: { EngineVersion: 'swarmdeck', Labels: { 'com.swarmdeck.network.mode': 'netns' } },
    },
    Status: { State: 'ready', Addr: `127.0.0.${id.slice(-1)}` },
    ...over,
  };
}

export const attach = (network: Network, ...Addresses: string[]): NetworkAttachment => ({
  Network: network,
  Addresses,
});

export function runningTask(
  service: Service,
  id: string,
  slot: number,
  nodeID: string,
  over: Partial<Task> = {},
): Task {
  return fixtureTask(service, {
    ID: id,
    Slot: slot,
    NodeID: nodeID,
    Status: { Timestamp: T0, State: 'running', Message: 'started' },
    ...over,
  });
}

/** ingress + appnet; `web` (3 replicas, publishes 8080 → 80, on appnet with alias `www`); nodes n1..n3. */
export function swarmFixture(): TopologyInput & {
  ingress: Network;
  appnet: Network;
  web: Service;
  nodes: Node[];
  tasks: Task[];
} {
  const ingress = fixtureNetwork('ing', 'ingress', '10.0.0.0/24', { Ingress: true });
  const appnet = fixtureNetwork('app', 'appnet', '10.0.1.0/24', {
    Attachable: true,
    Labels: { 'com.docker.stack.namespace': 'shop' },
  });
  const web = fixtureService({
    ID: 'web',
    Spec: {
      Name: 'web',
      Labels: { 'com.docker.stack.namespace': 'shop' },
      TaskTemplate: {
        ContainerSpec: { Image: 'nginx:alpine' },
        ForceUpdate: 0,
        Networks: [{ Target: 'app', Aliases: ['www'] }],
      },
      Mode: { Replicated: { Replicas: 3 } },
      EndpointSpec: {
        Mode: 'vip',
        Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' }],
      },
    },
    Endpoint: {
      Spec: { Mode: 'vip', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' }] },
      Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' }],
      VirtualIPs: [
        { NetworkID: 'ing', Addr: '10.0.0.2/24' },
        { NetworkID: 'app', Addr: '10.0.1.2/24' },
      ],
    },
  });
  const nodes = [fixtureNode('n1', 'alpha'), fixtureNode('n2', 'bravo'), fixtureNode('n3', 'charlie')];
  nodes[0]!.Attachments = [attach(ingress, '10.0.0.10/24')];
  const tasks = [1, 2, 3].map((slot) =>
    runningTask(web, `t${slot}`, slot, `n${slot}`, {
      NetworksAttachments: [attach(ingress, `10.0.0.${2 + slot}/24`), attach(appnet, `10.0.1.${2 + slot}/24`)],
    }),
  );
  return { ingress, appnet, web, nodes, tasks, networks: [ingress, appnet], services: [web] };
}
