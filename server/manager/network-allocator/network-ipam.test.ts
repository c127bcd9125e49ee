import { describe, expect, it } from 'vitest';
import { poolConfig } from './address-pool';
import { NetworkIpam, VXLAN_ID_LIST, validateNetworkSpec } from './network-ipam';
import { expectAllocError, ingressNet, net } from './testkit';

const fresh = () => new NetworkIpam(poolConfig(undefined, undefined));

describe('network create checks (swarmkit controlapi)', () => {
  it('answers the IPAM config texts', () => {
    const v = (Subnet: string, Range?: string, Gateway?: string) => () =>
      validateNetworkSpec(net('n', { IPAMOptions: { Configs: [{ Subnet, Range, Gateway }] } }).Spec, []);
    expectAllocError(v('10.1.0.0/33'), 'ipam configuration: invalid subnet 10.1.0.0/33', 'InvalidArgument');
    expectAllocError(v('10.1.0.0/16', '10.1.0'), 'ipam configuration: invalid range 10.1.0');
    expectAllocError(
      v('10.1.0.0/16', '10.2.0.0/24'),
      'ipam configuration: subnet 10.1.0.0/16 does not contain range 10.2.0.0/24',
    );
    expectAllocError(v('10.1.0.0/16', undefined, '10.1.0.300'), 'ipam configuration: invalid gateway 10.1.0.300');
    expectAllocError(
      v('10.1.0.0/16', undefined, '10.2.0.1'),
      'ipam configuration: subnet 10.1.0.0/16 does not contain gateway 10.2.0.1',
    );
    expect(v('10.1.0.0/16', '10.1.4.0/24', '10.1.0.1')).not.toThrow();
  });

  it('allows one ingress network, never attachable', () => {
    expectAllocError(
      () => validateNetworkSpec(ingressNet('x').Spec, [ingressNet('abc')]),
      'ingress network (abc) is already present',
      'AlreadyExists',
    );
    expectAllocError(
      () => validateNetworkSpec({ ...ingressNet('x').Spec, Attachable: true }, []),
      'ingress network cannot be attachable',
      'InvalidArgument',
    );
    expect(() => validateNetworkSpec(net('plain').Spec, [ingressNet('abc')])).not.toThrow();
  });
});

describe('network allocation', () => {
  it('gives ingress the first /24 and VXLAN 4096, the next network the next ones', () => {
    const ipam = fresh();
    const ingress = ipam.allocate(ingressNet());
    expect(ingress.IPAMOptions).toEqual({
      Driver: { Name: 'default' },
      Configs: [{ Subnet: '10.0.0.0/24', Gateway: '10.0.0.1' }],
    });
    expect(ingress.DriverState).toEqual({ Name: 'overlay', Options: { [VXLAN_ID_LIST]: '4096' } });
    const app = ipam.allocate(net('app'));
    expect(app.IPAMOptions?.Configs).toEqual([{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }]);
    expect(app.DriverState?.Options?.[VXLAN_ID_LIST]).toBe('4097');
    expect(ipam.subnetsInUse()).toEqual(['10.0.0.0/24', '10.0.1.0/24']);
    // the gateway and the two reserved addresses are taken
    expect(ipam.addressesInUse('app')).toEqual({ '10.0.1.0/24': 3 });
  });

  it('honours --subnet (masked), --ip-range and --gateway', () => {
    const ipam = fresh();
    const n = ipam.allocate(
      net('n', {
        IPAMOptions: { Configs: [{ Subnet: '172.28.5.9/16', Range: '172.28.5.0/24', Gateway: '172.28.0.254' }] },
      }),
    );
    expect(n.IPAMOptions?.Configs).toEqual([
      { Subnet: '172.28.0.0/16', Range: '172.28.5.0/24', Gateway: '172.28.0.254' },
    ]);
    expect(ipam.requestAddress('n')).toBe('172.28.5.0/16');
    // no --gateway with a range: the gateway is the range's first free address
    const m = ipam.allocate(
      net('m', { IPAMOptions: { Configs: [{ Subnet: '192.168.0.0/24', Range: '192.168.0.64/26' }] } }),
    );
    expect(m.IPAMOptions?.Configs?.[0]?.Gateway).toBe('192.168.0.64');
  });

  it('refuses an overlapping --subnet and leaves nothing behind', () => {
    const ipam = fresh();
    ipam.allocate(ingressNet());
    expectAllocError(
      () =>
        ipam.allocate(net('n', { IPAMOptions: { Configs: [{ Subnet: '10.0.2.0/24' }, { Subnet: '10.0.0.0/16' }] } })),
      'invalid pool request: Pool overlaps with other one on this address space',
    );
    expect(ipam.isAllocated('n')).toBe(false);
    expect(ipam.subnetsInUse()).toEqual(['10.0.0.0/24']);
    // the VXLAN ID and subnet the failed attempt took are free again
    const next = ipam.allocate(net('next'));
    expect(next.IPAMOptions?.Configs?.[0]?.Subnet).toBe('10.0.1.0/24');
    expect(next.DriverState?.Options?.[VXLAN_ID_LIST]).toBe('4097');
  });

  it('one VXLAN ID per subnet; a vxlanid_list given with --opt is used as is', () => {
    const ipam = fresh();
    const two = ipam.allocate(
      net('two', { IPAMOptions: { Configs: [{ Subnet: '10.9.0.0/24' }, { Subnet: '10.9.1.0/24' }] } }),
    );
    expect(two.DriverState?.Options?.[VXLAN_ID_LIST]).toBe('4096,4097');
    const given = ipam.allocate(
      net('g', { DriverConfiguration: { Name: 'overlay', Options: { [VXLAN_ID_LIST]: '5000' } } }),
    );
    expect(given.DriverState?.Options?.[VXLAN_ID_LIST]).toBe('5000');
    expectAllocError(
      () => ipam.allocate(net('h', { DriverConfiguration: { Name: 'overlay', Options: { [VXLAN_ID_LIST]: '4097' } } })),
      'requested bit is already allocated',
    );
  });

  it('frees the subnet and VXLAN ID on release, reused first', () => {
    const ipam = fresh();
    ipam.allocate(net('a'));
    ipam.allocate(net('b'));
    ipam.release('a');
    const c = ipam.allocate(net('c'));
    expect(c.IPAMOptions?.Configs?.[0]?.Subnet).toBe('10.0.0.0/24');
    expect(c.DriverState?.Options?.[VXLAN_ID_LIST]).toBe('4098');
  });

  it('claims exactly what a stored network carries', () => {
    const ipam = fresh();
    const stored = {
      ...net('s'),
      IPAMOptions: { Configs: [{ Subnet: '10.0.7.0/24', Gateway: '10.0.7.1' }] },
      DriverState: { Name: 'overlay', Options: { [VXLAN_ID_LIST]: '4100' } },
    };
    expect(ipam.allocate(stored).IPAMOptions?.Configs).toEqual([{ Subnet: '10.0.7.0/24', Gateway: '10.0.7.1' }]);
    expect(ipam.requestAddress('s')).toBe('10.0.7.2/24');
    expect(ipam.requestAddress('s', '10.0.7.9/24')).toBe('10.0.7.9/24');
    expectAllocError(() => ipam.requestAddress('s', '10.0.8.9/24'), 'requested address is out of range');
    expectAllocError(() => ipam.requestAddress('nope'), 'could not find network allocator state for network nope');
  });
});
