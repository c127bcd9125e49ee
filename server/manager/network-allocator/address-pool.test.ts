import { describe, expect, it } from 'vitest';
import { DEFAULT_ADDR_POOL, DEFAULT_SUBNET_SIZE, SubnetSpace, poolConfig } from './address-pool';
import { formatPrefix, parseCIDR } from './ipv4';
import { expectAllocError } from './testkit';

const p = (s: string) => parseCIDR(s)!.prefix;
const fails = expectAllocError;

describe('default address pool (swarm init --default-addr-pool / --default-addr-pool-mask-length)', () => {
  it('defaults to 10.0.0.0/8 carved in /24s', () => {
    expect(DEFAULT_ADDR_POOL).toEqual(['10.0.0.0/8']);
    expect(DEFAULT_SUBNET_SIZE).toBe(24);
    const c = poolConfig(undefined, undefined);
    expect(c.pools.map(formatPrefix)).toEqual(['10.0.0.0/8']);
    expect(c.size).toBe(24);
  });

  it('ignores a mask length given without pools, as dockerd does', () => {
    expect(poolConfig([], 28).size).toBe(24);
  });

  it('takes the given pools (trimmed) and mask length; 0 means 24', () => {
    const c = poolConfig([' 192.168.0.0/16', '172.20.0.0/14 '], 26);
    expect(c.pools.map(formatPrefix)).toEqual(['192.168.0.0/16', '172.20.0.0/14']);
    expect(c.size).toBe(26);
    expect(poolConfig(['192.168.0.0/16'], 0).size).toBe(24);
  });

  it("answers dockerd's texts for bad pools and mask lengths", () => {
    fails(() => poolConfig(['10.0.0.0/8'], 30), 'subnet size is out of range: 30');
    fails(() => poolConfig(['10.0.0/8'], 24), 'invalid base pool 10.0.0/8: invalid CIDR address: 10.0.0/8');
    fails(() => poolConfig(['10.0.0.0/33'], 24), 'invalid base pool 10.0.0.0/33: invalid CIDR address: 10.0.0.0/33');
    fails(() => poolConfig(['10.0.0.0'], 24), 'invalid base pool 10.0.0.0: invalid CIDR address: 10.0.0.0');
    fails(
      () => poolConfig(['10.20.0.0/16'], 12),
      'invalid CIDR: "10.20.0.0/16". Subnet size is too small for pool: 12',
    );
    fails(() => poolConfig(['fd00::/8'], 24), 'invalid base pool fd00::/8: IPv6 pools are not supported');
  });
});

describe('subnets from the pool: first fit', () => {
  it('hands out 10.0.0.0/24 (ingress), then 10.0.1.0/24, 10.0.2.0/24 …', () => {
    const s = new SubnetSpace(poolConfig(undefined, undefined));
    expect([s.allocateAny(), s.allocateAny(), s.allocateAny()].map(formatPrefix)).toEqual([
      '10.0.0.0/24',
      '10.0.1.0/24',
      '10.0.2.0/24',
    ]);
  });

  it('reuses a freed subnet first', () => {
    const s = new SubnetSpace(poolConfig(undefined, undefined));
    s.allocateAny();
    const second = s.allocateAny();
    s.allocateAny();
    s.release(second);
    expect(formatPrefix(s.allocateAny())).toBe('10.0.1.0/24');
    expect(formatPrefix(s.allocateAny())).toBe('10.0.3.0/24');
  });

  it('skips subnets a user took, whatever their size', () => {
    const s = new SubnetSpace(poolConfig(undefined, undefined));
    s.allocateGiven(p('10.0.1.0/24'));
    s.allocateGiven(p('10.0.4.0/22'));
    const got = [1, 2, 3, 4].map(() => formatPrefix(s.allocateAny()));
    expect(got).toEqual(['10.0.0.0/24', '10.0.2.0/24', '10.0.3.0/24', '10.0.8.0/24']);
  });

  it("refuses a user subnet that overlaps one in use, with libnetwork's text", () => {
    const s = new SubnetSpace(poolConfig(undefined, undefined));
    s.allocateAny();
    fails(
      () => s.allocateGiven(p('10.0.0.128/25')),
      'invalid pool request: Pool overlaps with other one on this address space',
    );
    fails(
      () => s.allocateGiven(p('10.0.0.0/16')),
      'invalid pool request: Pool overlaps with other one on this address space',
    );
    expect(formatPrefix(s.allocateGiven(p('192.168.5.0/24')))).toBe('192.168.5.0/24');
    expect(s.inUse()).toEqual(['10.0.0.0/24', '192.168.5.0/24']);
  });

  it('walks several pools in address order, and says when all are full', () => {
    const s = new SubnetSpace(poolConfig(['10.9.0.0/28', '10.1.0.0/28', '10.1.0.0/29'], 29));
    const got = [1, 2, 3, 4].map(() => formatPrefix(s.allocateAny()));
    expect(got).toEqual(['10.1.0.0/29', '10.1.0.8/29', '10.9.0.0/29', '10.9.0.8/29']);
    fails(() => s.allocateAny(), 'all predefined address pools have been fully subnetted', 'ResourceExhausted');
  });
});
