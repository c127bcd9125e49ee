import { describe, expect, it } from 'vitest';
import type { Network, Node, Service, Task } from '../../api/types';
import { poolConfig } from './address-pool';
import { NetworkAllocator } from './network-allocator';
import { VXLAN_ID_LIST } from './network-ipam';
import { isNetworkAllocated, rebuildAllocator } from './rebuild';
import { ingressNet, net, node, svc, task } from './testkit';

/** A leader's work, written back into objects as the store would hold them. */
function storedCluster() {
  const a = new NetworkAllocator(poolConfig(undefined, undefined));
  const networks: Network[] = [a.allocateNetwork(ingressNet()), a.allocateNetwork(net('app'))];
  const s0 = svc('web', { networks: ['app'], ports: [{ TargetPort: 80 }] });
  const web: Service = { ...s0, Endpoint: a.allocateService(s0) };
  const tasks: Task[] = ['t1', 't2', 't3'].map((id) => ({
    ...task(id, web),
    NetworksAttachments: a.allocateTask(task(id, web), web),
  }));
  // t3 is dead: its addresses are not claimed again
  const t3 = tasks[2]!;
  tasks[2] = { ...t3, DesiredState: 'shutdown', Status: { ...t3.Status, State: 'shutdown' } };
  const n1: Node = { ...node('n1'), Attachments: a.allocateNode('n1', ['ingress-id', 'app']) };
  return { networks, services: [web], tasks, nodes: [n1] };
}

describe('rebuilding the allocator from the store at leader start', () => {
  it('marks every stored subnet, VXLAN ID, VIP, port and address used', () => {
    const objs = storedCluster();
    const { allocator: a, problems, unallocatedNetworks } = rebuildAllocator(objs);
    expect(problems).toEqual([]);
    expect(unallocatedNetworks).toEqual([]);
    expect(a.ipam.subnetsInUse()).toEqual(['10.0.0.0/24', '10.0.1.0/24']);
    expect(a.ingress()?.ID).toBe('ingress-id');
    expect(a.vipsOf('web')).toEqual(objs.services[0]!.Endpoint.VirtualIPs);
    expect(a.ports.ingressOwner('tcp', 30000)).toBe('web');
    // app: .0 .255 gateway, VIP, t1, t2, node = 7 (dead t3 not counted)
    expect(a.ipam.addressesInUse('app')).toEqual({ '10.0.1.0/24': 7 });
    const n = a.allocateNetwork(net('third'));
    expect(n.IPAMOptions?.Configs?.[0]?.Subnet).toBe('10.0.2.0/24');
    expect(n.DriverState?.Options?.[VXLAN_ID_LIST]).toBe('4098');
  });

  it('starts the serial cursor afresh, as swarmkit does: the lowest free address comes next', () => {
    const objs = storedCluster();
    const { allocator: a } = rebuildAllocator(objs);
    const s = svc('x', { networks: ['app'] });
    const t3addr = objs.tasks[2]!.NetworksAttachments?.find((x) => x.Network.ID === 'app')?.Addresses;
    expect(a.allocateTask(task('t9', s), s)[0]?.Addresses).toEqual(t3addr);
  });

  it('reports objects whose stored allocation clashes, and carries on', () => {
    const objs = storedCluster();
    const twin: Task = { ...objs.tasks[0]!, ID: 't1-twin', CreatedAt: '2026-02-01T00:00:00Z' };
    const overlapping: Network = {
      ...net('copy'),
      CreatedAt: '2026-02-01T00:00:00Z',
      IPAMOptions: { Configs: [{ Subnet: '10.0.1.0/25', Gateway: '10.0.1.1' }] },
    };
    const { allocator: a, problems } = rebuildAllocator({
      ...objs,
      networks: [...objs.networks, overlapping],
      tasks: [...objs.tasks, twin],
    });
    expect(problems).toEqual([
      {
        kind: 'network',
        id: 'copy',
        message: 'invalid pool request: Pool overlaps with other one on this address space',
      },
      {
        kind: 'task',
        id: 't1-twin',
        message: 'failed to allocate network IP for task t1-twin network ingress-id: Address already in use',
      },
    ]);
    expect(a.network('copy')).toBeUndefined();
  });

  it('lists networks never allocated and uses the cluster pool settings', () => {
    const plain = net('later');
    expect(isNetworkAllocated(plain)).toBe(false);
    const { allocator: a, unallocatedNetworks } = rebuildAllocator({
      cluster: { DefaultAddrPool: ['192.168.0.0/16'], SubnetSize: 26 },
      networks: [plain, ingressNet()],
      services: [],
      tasks: [],
      nodes: [],
    });
    expect(unallocatedNetworks).toEqual(['ingress-id', 'later']);
    expect(a.allocateNetwork(ingressNet()).IPAMOptions?.Configs?.[0]).toEqual({
      Subnet: '192.168.0.0/26',
      Gateway: '192.168.0.1',
    });
  });
});
