import { describe, expect, it } from 'vitest';
import { addrInSubnet, addressOf, formatPrefix, overlaps, parseCIDR, parseIPv4 } from './ipv4';

describe('IPv4 text', () => {
  it('parses as strictly as Go: four decimal octets, no leading zeros', () => {
    expect(parseIPv4('10.0.1.2')).toBe(0x0a000102);
    for (const bad of ['10.0.1', '10.0.1.2.3', '10.0.1.256', '10.0.01.2', '10.0.1.x', '', '::1']) {
      expect(parseIPv4(bad), bad).toBeUndefined();
    }
  });

  it('masks a CIDR and keeps the address, like net.ParseCIDR', () => {
    const c = parseCIDR('172.28.5.9/16')!;
    expect(formatPrefix(c.prefix)).toBe('172.28.0.0/16');
    expect(addrInSubnet(c.ip, c.prefix)).toBe('172.28.5.9/16');
    expect(parseCIDR('10.0.0.0/33')).toBeUndefined();
    expect(parseCIDR('10.0.0.0')).toBeUndefined();
    expect(addressOf('10.0.1.2/24')).toBe(addressOf('10.0.1.2'));
  });

  it('tells overlapping prefixes apart', () => {
    const p = (s: string) => parseCIDR(s)!.prefix;
    expect(overlaps(p('10.0.0.0/8'), p('10.200.0.0/24'))).toBe(true);
    expect(overlaps(p('10.0.0.0/25'), p('10.0.0.128/25'))).toBe(false);
  });
});
