import { describe, expect, it } from 'vitest';
import type { Service } from '../../api/types';
import { poolConfig } from './address-pool';
import { isIngressNetworkNeeded, nodeNetworkIDs, taskDead } from './attachments';
import { NetworkAllocator } from './network-allocator';
import { expectAllocError, ingressNet, ips, net, svc, task } from './testkit';

/** An allocator with ingress (10.0.0.0/24) and two networks, app (10.0.1.0/24) and db (10.0.2.0/24). */
function setup(size?: number) {
  const a = new NetworkAllocator(poolConfig(size ? ['10.0.0.0/8'] : undefined, size));
  a.allocateNetwork(ingressNet());
  a.allocateNetwork(net('app'));
  a.allocateNetwork(net('db'));
  return a;
}
const respec = (s: Service, change: Partial<Parameters<typeof svc>[1]>): Service => {
  const n = svc(s.ID, change);
  return { ...n, Endpoint: s.Endpoint };
};

describe('service VIPs', () => {
  it('one VIP per attached network; ingress first when publishing ingress ports', () => {
    const a = setup();
    const s = svc('web', { networks: ['app', 'db'], ports: [{ TargetPort: 80, PublishedPort: 8080 }] });
    const ep = a.allocateService(s);
    expect(ep.VirtualIPs).toEqual([
      { NetworkID: 'ingress-id', Addr: '10.0.0.2/24' },
      { NetworkID: 'app', Addr: '10.0.1.2/24' },
      { NetworkID: 'db', Addr: '10.0.2.2/24' },
    ]);
    expect(ep.Ports).toEqual([{ TargetPort: 80, PublishedPort: 8080, Protocol: 'tcp', PublishMode: 'ingress' }]);
    expect(ep.Spec).toEqual(s.Spec.EndpointSpec);
  });

  it('host-mode ports need no ingress VIP; dnsrr has no VIPs at all', () => {
    const a = setup();
    const host = a.allocateService(
      svc('h', { networks: ['app'], ports: [{ TargetPort: 80, PublishedPort: 80, PublishMode: 'host' }] }),
    );
    expect(host.VirtualIPs?.map((v) => v.NetworkID)).toEqual(['app']);
    const rr = a.allocateService(svc('rr', { networks: ['app'], mode: 'dnsrr' }));
    expect(rr.VirtualIPs).toBeUndefined();
    expect(isIngressNetworkNeeded(svc('x', { ports: [{ TargetPort: 1 }] }))).toBe(true);
    expect(isIngressNetworkNeeded(svc('x', { ports: [{ TargetPort: 1, PublishMode: 'host' }] }))).toBe(false);
  });

  it('keeps VIPs on kept networks, releases dropped ones, drops ingress when no longer publishing', () => {
    const a = setup();
    let s = svc('web', { networks: ['app'], ports: [{ TargetPort: 80 }] });
    s = { ...s, Endpoint: a.allocateService(s) };
    const appVip = a.vipsOf('web').find((v) => v.NetworkID === 'app')?.Addr;
    const ep = a.allocateService(respec(s, { networks: ['app', 'db'] }));
    expect(ep.VirtualIPs).toEqual([
      { NetworkID: 'app', Addr: appVip },
      { NetworkID: 'db', Addr: '10.0.2.2/24' },
    ]);
    // the freed ingress VIP (10.0.0.2) is not reused at once: serial
    const other = a.allocateService(svc('o', { ports: [{ TargetPort: 80 }] }));
    expect(other.VirtualIPs).toEqual([{ NetworkID: 'ingress-id', Addr: '10.0.0.3/24' }]);
    // switching to dnsrr releases every VIP
    a.allocateService(respec(s, { networks: ['app', 'db'], mode: 'dnsrr' }));
    expect(a.vipsOf('web')).toEqual([]);
    a.releaseService('o');
    expect(a.ipam.addressesInUse('ingress-id')).toEqual({ '10.0.0.0/24': 3 });
  });

  it("answers swarmkit's texts: ingress missing, unknown network, no VIP left; and changes nothing", () => {
    const bare = new NetworkAllocator(poolConfig(undefined, undefined));
    expectAllocError(
      () => bare.allocateService(svc('s', { ports: [{ TargetPort: 80 }] })),
      'ingress network is missing',
      'FailedPrecondition',
    );
    const a = setup(29); // /29: gateway plus 5 addresses
    expectAllocError(
      () => a.allocateService(svc('s', { networks: ['app', 'gone'] })),
      'networkallocator: could not find local network state',
    );
    expect(a.ipam.addressesInUse('app')).toEqual({ '10.0.0.8/29': 3 });
    for (const i of [1, 2, 3, 4, 5]) a.allocateService(svc(`s${i}`, { networks: ['app'] }));
    expectAllocError(
      () =>
        a.allocateService(svc('late', { networks: ['db', 'app'], ports: [{ TargetPort: 80, PublishedPort: 9999 }] })),
      'could not find an available IP while allocating VIP',
      'ResourceExhausted',
    );
    // the db VIP and the port taken before the failure are back
    expect(a.ipam.addressesInUse('db')).toEqual({ '10.0.0.16/29': 3 });
    expect(a.ports.ingressOwner('tcp', 9999)).toBeUndefined();
  });
});

describe('task attachments (NetworksAttachments)', () => {
  it('ingress first, then each network with its aliases, one address each, full network copies', () => {
    const a = setup();
    const s = svc('web', { networks: [{ Target: 'app', Aliases: ['www'] }], ports: [{ TargetPort: 80 }] });
    a.allocateService(s);
    const att = a.allocateTask(task('t1', s), s);
    expect(att.map((x) => x.Network.ID)).toEqual(['ingress-id', 'app']);
    expect(att.map((x) => x.Addresses)).toEqual([['10.0.0.3/24'], ['10.0.1.3/24']]);
    expect(att[1]?.Aliases).toEqual(['www']);
    expect(att[0]?.Aliases).toBeUndefined();
    expect(att[1]?.Network.IPAMOptions?.Configs?.[0]?.Subnet).toBe('10.0.1.0/24');
    expect(att[1]?.Network.Spec.Name).toBe('app');
    // asking again returns the same addresses
    expect(a.allocateTask(task('t1', s), s)).toEqual(att);
  });

  it('a replacement task gets a new address, not the one just freed', () => {
    const a = setup();
    const s = svc('web', { networks: ['app'] });
    const first = a.allocateTask(task('t1', s), s);
    a.releaseTask('t1');
    const second = a.allocateTask(task('t2', s), s);
    expect(ips(first[0]?.Addresses)).toEqual(['10.0.1.2']);
    expect(ips(second[0]?.Addresses)).toEqual(['10.0.1.3']);
  });

  it('all or nothing, with the text naming the task and the network', () => {
    const a = setup(29);
    const s = svc('web', { networks: ['app', 'db'] });
    for (const i of [1, 2, 3, 4, 5]) a.allocateTask(task(`d${i}`, svc('d', { networks: ['db'] })), undefined);
    expectAllocError(
      () => a.allocateTask(task('t9', s), s),
      'failed to allocate network IP for task t9 network db: could not find an available IP',
      'ResourceExhausted',
    );
    expect(a.ipam.addressesInUse('app')).toEqual({ '10.0.0.8/29': 3 });
    expectAllocError(
      () => a.allocateTask(task('t8', svc('x', { networks: ['gone'] })), undefined),
      'failed to allocate network IP for task t8 network gone: could not find network allocator state for network gone',
    );
  });

  it('dead tasks are the ones told to stop and stopped', () => {
    const t = task('t', svc('s'));
    expect(taskDead(t)).toBe(false);
    expect(taskDead({ ...t, DesiredState: 'shutdown', Status: { ...t.Status, State: 'running' } })).toBe(false);
    expect(taskDead({ ...t, DesiredState: 'shutdown', Status: { ...t.Status, State: 'shutdown' } })).toBe(true);
  });
});

describe('node attachments', () => {
  it('ingress plus the networks of its live tasks; kept, added and released as they change', () => {
    const a = setup();
    const s = svc('web', { networks: ['app'] });
    const t = { ...task('t1', s, 'n1'), NetworksAttachments: a.allocateTask(task('t1', s, 'n1'), s) };
    const dead = { ...task('t2', svc('d', { networks: ['db'] }), 'n1'), DesiredState: 'shutdown' as const };
    const ids = nodeNetworkIDs(
      'n1',
      [t, { ...dead, Status: { ...dead.Status, State: 'shutdown' as const }, NetworksAttachments: [] }],
      'ingress-id',
    );
    expect(ids).toEqual(['ingress-id', 'app']);
    const att = a.allocateNode('n1', ids);
    expect(att.map((x) => [x.Network.ID, x.Addresses])).toEqual([
      ['ingress-id', ['10.0.0.2/24']],
      ['app', ['10.0.1.3/24']],
    ]);
    const next = a.allocateNode('n1', ['ingress-id', 'db']);
    expect(next.map((x) => [x.Network.ID, x.Addresses])).toEqual([
      ['ingress-id', ['10.0.0.2/24']],
      ['db', ['10.0.2.2/24']],
    ]);
    expect(a.ipam.addressesInUse('app')).toEqual({ '10.0.1.0/24': 4 });
    a.releaseNode('n1');
    expect(a.ipam.addressesInUse('db')).toEqual({ '10.0.2.0/24': 3 });
  });

  it('names the node and network when out of addresses', () => {
    const a = setup(29);
    for (const i of [1, 2, 3, 4, 5]) a.allocateNode(`n${i}`, ['app']);
    expectAllocError(
      () => a.allocateNode('n6', ['ingress-id', 'app']),
      'failed to allocate network IP for node n6 network app: could not find an available IP',
    );
    expect(a.ipam.addressesInUse('ingress-id')).toEqual({ '10.0.0.0/29': 3 });
  });
});
