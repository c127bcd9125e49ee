import { describe, expect, it } from 'vitest';
import { parseCIDR, parseIPv4 } from './ipv4';
import { SerialBitmap } from './serial-bitmap';
import { SubnetAddresses } from './subnet-addresses';
import { expectAllocError } from './testkit';

const p = (s: string) => parseCIDR(s)!.prefix;
const ip = (s: string) => parseIPv4(s)!;

describe('addresses in a subnet', () => {
  it('reserves .0 and .255, and the gateway request takes .1', () => {
    const a = new SubnetAddresses(p('10.0.1.0/24'));
    expect(a.request()).toBe('10.0.1.1/24');
    expect(a.request()).toBe('10.0.1.2/24');
    expectAllocError(() => a.request(ip('10.0.1.0')), 'Address already in use', 'FailedPrecondition');
    expectAllocError(() => a.request(ip('10.0.1.255')), 'Address already in use');
    expect(a.inUse()).toBe(4);
  });

  it('is serial: after a release it continues from the last one handed out, then wraps', () => {
    const a = new SubnetAddresses(p('10.0.1.0/29')); // .1–.6 usable
    expect([1, 2, 3].map(() => a.request())).toEqual(['10.0.1.1/29', '10.0.1.2/29', '10.0.1.3/29']);
    a.release(ip('10.0.1.2'));
    expect(a.request()).toBe('10.0.1.4/29');
    expect(a.request()).toBe('10.0.1.5/29');
    expect(a.request()).toBe('10.0.1.6/29');
    // the end reached: wrap to the freed .2
    expect(a.request()).toBe('10.0.1.2/29');
    expectAllocError(() => a.request(), 'no available addresses on this pool', 'ResourceExhausted');
  });

  it('a specific address (a --gateway, a restored address) does not move the cursor', () => {
    const a = new SubnetAddresses(p('10.0.9.0/24'));
    expect(a.request(ip('10.0.9.254'))).toBe('10.0.9.254/24');
    expect(a.request()).toBe('10.0.9.1/24');
    expectAllocError(() => a.request(ip('10.0.9.254')), 'Address already in use');
    expectAllocError(() => a.request(ip('10.0.10.1')), 'requested address is out of range', 'InvalidArgument');
  });

  it('--ip-range limits the addresses handed out serially, not the specific ones', () => {
    const a = new SubnetAddresses(p('10.5.0.0/16'), p('10.5.3.0/30'));
    expect(a.request()).toBe('10.5.3.0/16');
    expect(a.request()).toBe('10.5.3.1/16');
    expect(a.request()).toBe('10.5.3.2/16');
    expect(a.request()).toBe('10.5.3.3/16');
    expectAllocError(() => a.request(), 'no available addresses on this pool');
    expect(a.request(ip('10.5.200.1'))).toBe('10.5.200.1/16');
  });

  it('keeps the reserved addresses even when asked to release them', () => {
    const a = new SubnetAddresses(p('10.0.1.0/30'));
    a.release(ip('10.0.1.0'));
    a.release(ip('10.0.1.3'));
    expect([a.request(), a.request()]).toEqual(['10.0.1.1/30', '10.0.1.2/30']);
    expectAllocError(() => a.request(), 'no available addresses on this pool');
  });

  it('reserves nothing in a /31 or /32 (RFC 3021)', () => {
    const a = new SubnetAddresses(p('10.0.1.0/31'));
    expect([a.request(), a.request()]).toEqual(['10.0.1.0/31', '10.0.1.1/31']);
    expect(new SubnetAddresses(p('10.0.1.7/32')).request()).toBe('10.0.1.7/32');
  });
});

describe('serial bitmap', () => {
  it('wraps within a range and skips full bytes', () => {
    const b = new SerialBitmap(100, 131);
    for (let i = 100; i <= 120; i++) expect(b.setSpecific(i)).toBe(true);
    expect(b.setSpecific(120)).toBe(false);
    expect(b.setSpecific(99)).toBe(false);
    expect(b.setAny()).toBe(121);
    b.release(105);
    expect(b.setAny(100, 122)).toBe(122);
    expect(b.setAny(100, 122)).toBe(105);
    expect(b.setAny(100, 122)).toBeUndefined();
    expect(b.count()).toBe(23);
  });
});
