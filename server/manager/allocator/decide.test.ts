import { describe, expect, it } from 'vitest';
import type { Task } from '../../api/types';
import { poolConfig } from '../network-allocator/address-pool';
import { NetworkAllocator } from '../network-allocator/network-allocator';
import { VXLAN_ID_LIST } from '../network-allocator/network-ipam';
import { expectAllocError, ingressNet, ips, net, node, svc, task } from '../network-allocator/testkit';
import {
  allocatedNetwork,
  allocatedTask,
  needsAllocation,
  nodeWithAttachments,
  PENDING_MESSAGE,
  releasesAddresses,
  serviceWithEndpoint,
} from './decide';

function setup() {
  const na = new NetworkAllocator(poolConfig(undefined, undefined));
  const ingress = allocatedNetwork(na, ingressNet())!;
  const app = allocatedNetwork(na, net('app'))!;
  return { na, ingress, app };
}

describe('networks', () => {
  it('a network stored with only a spec gets a subnet, gateway and VXLAN ID; once stored, nothing', () => {
    const { na, ingress, app } = setup();
    expect(ingress.IPAMOptions).toEqual({
      Driver: { Name: 'default' },
      Configs: [{ Subnet: '10.0.0.0/24', Gateway: '10.0.0.1' }],
    });
    expect(ingress.DriverState).toEqual({ Name: 'overlay', Options: { [VXLAN_ID_LIST]: '4096' } });
    expect(app.IPAMOptions?.Configs).toEqual([{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }]);
    expect(app.DriverState?.Options?.[VXLAN_ID_LIST]).toBe('4097');
    expect(allocatedNetwork(na, app)).toBeUndefined();
    // asked again before its write landed (a re-run pass): the same answer, nothing new taken
    expect(allocatedNetwork(na, net('app'))?.IPAMOptions).toEqual(app.IPAMOptions);
    expect(na.ipam.subnetsInUse()).toEqual(['10.0.0.0/24', '10.0.1.0/24']);
  });

  it('a user subnet that overlaps one in use is refused with the IPAM text', () => {
    const { na } = setup();
    const clash = net('clash', { IPAMOptions: { Configs: [{ Subnet: '10.0.1.0/25' }] } });
    expectAllocError(
      () => allocatedNetwork(na, clash),
      'invalid pool request: Pool overlaps with other one on this address space',
    );
    expect(na.network('clash')).toBeUndefined();
  });
});

describe('services', () => {
  it('fills Endpoint.Ports (a dynamic port from 30000) and the VIPs; unchanged on the next look', () => {
    const { na } = setup();
    const s = svc('web', { networks: ['app'], ports: [{ TargetPort: 80 }, { TargetPort: 443, PublishedPort: 8443 }] });
    const next = serviceWithEndpoint(na, s)!;
    expect(next.Endpoint.Ports).toEqual([
      { TargetPort: 80, PublishedPort: 30000, Protocol: 'tcp', PublishMode: 'ingress' },
      { TargetPort: 443, PublishedPort: 8443, Protocol: 'tcp', PublishMode: 'ingress' },
    ]);
    expect(next.Endpoint.VirtualIPs).toEqual([
      { NetworkID: 'ingress-id', Addr: '10.0.0.2/24' },
      { NetworkID: 'app', Addr: '10.0.1.2/24' },
    ]);
    expect(serviceWithEndpoint(na, next)).toBeUndefined();
  });

  it('dnsrr: no VIPs', () => {
    const { na } = setup();
    const s = svc('db', { networks: ['app'], mode: 'dnsrr' });
    expect(serviceWithEndpoint(na, { ...s, Endpoint: { Spec: {} } })?.Endpoint).toEqual({ Spec: { Mode: 'dnsrr' } });
    expect(na.vipsOf('db')).toEqual([]);
  });

  it('a clash is refused with swarmkit text, and leaves the service as it was', () => {
    const { na } = setup();
    const a = serviceWithEndpoint(na, svc('a', { ports: [{ TargetPort: 80, PublishedPort: 8080 }] }))!;
    const b = svc('b', { ports: [{ TargetPort: 81, PublishedPort: 8080 }] });
    expectAllocError(
      () => serviceWithEndpoint(na, b),
      `port '8080' is already in use by service 'a-name' (a) as an ingress port`,
      'InvalidArgument',
    );
    expect(na.vipsOf('b')).toEqual([]);
    expect(na.ports.ingressOwner('tcp', 8080)).toBe(a.ID);
  });
});

describe('tasks', () => {
  it('NEW → PENDING with one address per network (ingress first) and the service endpoint copied', () => {
    const { na } = setup();
    const s = serviceWithEndpoint(na, svc('web', { networks: ['app'], ports: [{ TargetPort: 80 }] }))!;
    const t: Task = { ...task('t1', s), Endpoint: { Spec: {} } };
    const next = allocatedTask(na, t, s, 'now')!;
    expect(next.Status).toEqual({ State: 'pending', Message: PENDING_MESSAGE, Timestamp: 'now' });
    expect(next.NetworksAttachments?.map((a) => [a.Network.Spec.Name, ips(a.Addresses)])).toEqual([
      ['ingress', ['10.0.0.3']],
      ['app', ['10.0.1.3']],
    ]);
    // a full copy of the allocated network
    expect(next.NetworksAttachments?.[1]?.Network.IPAMOptions?.Configs?.[0]?.Subnet).toBe('10.0.1.0/24');
    // the orchestrator compares Endpoint.Spec with the service's: the task's own is kept
    expect(next.Endpoint).toEqual({ Spec: {}, Ports: s.Endpoint.Ports, VirtualIPs: s.Endpoint.VirtualIPs });
    // the same task again (a re-run pass): the same addresses
    expect(allocatedTask(na, t, s, 'now')?.NetworksAttachments).toEqual(next.NetworksAttachments);
  });

  it('a task with no networks still moves on; one told to stop does not', () => {
    const { na } = setup();
    const s = svc('plain');
    const t = task('t', s);
    expect(allocatedTask(na, t, s, 'now')?.NetworksAttachments).toBeUndefined();
    expect(allocatedTask(na, { ...t, DesiredState: 'shutdown' }, s, 'now')).toBeUndefined();
    expect(needsAllocation({ ...t, DesiredState: 'complete' })).toBe(true); // a job's task
    expect(needsAllocation({ ...t, Status: { ...t.Status, State: 'pending' } })).toBe(false);
  });

  it('addresses go back when a task is told to stop and has stopped', () => {
    const t = task('t', svc('s'));
    expect(releasesAddresses({ ...t, DesiredState: 'shutdown', Status: { ...t.Status, State: 'running' } })).toBe(
      false,
    );
    expect(releasesAddresses({ ...t, DesiredState: 'shutdown', Status: { ...t.Status, State: 'shutdown' } })).toBe(
      true,
    );
    expect(releasesAddresses({ ...t, DesiredState: 'running', Status: { ...t.Status, State: 'failed' } })).toBe(false);
  });
});

describe('nodes', () => {
  it('ingress for every node, plus each network of a live task on it; unchanged → nothing to write', () => {
    const { na } = setup();
    const s = serviceWithEndpoint(na, svc('web', { networks: ['app'] }))!;
    const n = node('n1');
    const bare = nodeWithAttachments(na, n, [])!;
    expect(bare.Attachments?.map((a) => [a.Network.ID, ips(a.Addresses)])).toEqual([['ingress-id', ['10.0.0.2']]]);
    expect(nodeWithAttachments(na, bare, [])).toBeUndefined();
    const t = {
      ...allocatedTask(na, task('t', s, 'n1'), s, 'now')!,
      Status: { State: 'running' as const, Message: '', Timestamp: 'now' },
    };
    const busy = nodeWithAttachments(na, bare, [t])!;
    expect(busy.Attachments?.map((a) => [a.Network.ID, ips(a.Addresses)])).toEqual([
      ['ingress-id', ['10.0.0.2']],
      ['app', ['10.0.1.4']],
    ]);
    // the task stopped for good: its network's address goes back
    const dead = { ...t, DesiredState: 'shutdown' as const, Status: { ...t.Status, State: 'shutdown' as const } };
    expect(nodeWithAttachments(na, busy, [dead])?.Attachments?.map((a) => a.Network.ID)).toEqual(['ingress-id']);
  });
});
