// IPv4 addresses and prefixes as plain numbers (IPv4 only, like Swarmdeck's
// overlay). Parsing is as strict as Go's net.ParseIP / net.ParseCIDR, whose
// error text the allocator's messages quote.

/** A prefix: `base` is the masked network address, `bits` the mask length. */
export interface Prefix {
  base: number;
  bits: number;
}

/** "10.0.1.2" → number, or undefined (Go's ParseIP: four decimal octets, no leading zeros). */
export function parseIPv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Size of a prefix in addresses. */
export function prefixSize(bits: number): number {
  return 2 ** (32 - bits);
}

function maskOf(n: number, bits: number): number {
  const size = prefixSize(bits);
  return n - (n % size);
}

/** Go's net.ParseCIDR: the address and its masked prefix ("10.0.1.5/24" → 10.0.1.5 in 10.0.1.0/24). */
export function parseCIDR(s: string): { ip: number; prefix: Prefix } | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIPv4(s.slice(0, slash));
  const bitsText = s.slice(slash + 1);
  if (ip === undefined || !/^\d{1,2}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > 32) return undefined;
  return { ip, prefix: { base: maskOf(ip, bits), bits } };
}

/** Go's error text for a bad CIDR, as net.ParseCIDR words it. */
export function cidrError(s: string): string {
  return `invalid CIDR address: ${s}`;
}

export function formatPrefix(p: Prefix): string {
  return `${formatIPv4(p.base)}/${p.bits}`;
}

export function lastAddr(p: Prefix): number {
  return p.base + prefixSize(p.bits) - 1;
}

export function contains(p: Prefix, ip: number): boolean {
  return ip >= p.base && ip <= lastAddr(p);
}

export function overlaps(a: Prefix, b: Prefix): boolean {
  return a.base <= lastAddr(b) && b.base <= lastAddr(a);
}

/** An address inside its subnet, as CIDR text (swarmkit stores VIPs and task addresses so: "10.0.1.2/24"). */
export function addrInSubnet(ip: number, subnet: Prefix): string {
  return `${formatIPv4(ip)}/${subnet.bits}`;
}

/** The address part of "10.0.1.2/24" or "10.0.1.2". */
export function addressOf(s: string): number | undefined {
  const slash = s.indexOf('/');
  return parseIPv4(slash < 0 ? s : s.slice(0, slash));
}

export function comparePrefix(a: Prefix, b: Prefix): number {
  return a.base - b.base || a.bits - b.bits;
}
