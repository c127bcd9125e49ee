// Addresses inside one subnet (libnetwork defaultipam PoolData): the network
// address and the broadcast address reserved (IPv4 wider than /31), the
// gateway requested first (serially, so `.1`, unless `--gateway` names one),
// then VIPs, task and node addresses serially, inside `--ip-range` when given.

import { AllocError, IP_ALREADY_ALLOCATED, IP_OUT_OF_RANGE, NO_AVAILABLE_IPS } from './errors';
import type { Prefix } from './ipv4';
import { addrInSubnet, contains, lastAddr } from './ipv4';
import { SerialBitmap } from './serial-bitmap';

export class SubnetAddresses {
  private readonly set: SerialBitmap;

  constructor(
    readonly subnet: Prefix,
    /** `--ip-range`: where addresses without a preference come from */
    readonly range?: Prefix,
  ) {
    this.set = new SerialBitmap(subnet.base, lastAddr(subnet));
    if (32 - subnet.bits > 1) {
      this.set.setSpecific(subnet.base);
      this.set.setSpecific(lastAddr(subnet));
    }
  }

  /** One address: the preferred one, or the next free one serially. Returns "a.b.c.d/len". */
  request(preferred?: number): string {
    if (preferred !== undefined) {
      if (!contains(this.subnet, preferred)) throw new AllocError('InvalidArgument', IP_OUT_OF_RANGE);
      if (!this.set.setSpecific(preferred)) throw new AllocError('FailedPrecondition', IP_ALREADY_ALLOCATED);
      return addrInSubnet(preferred, this.subnet);
    }
    const r = this.range;
    const ip = r
      ? this.set.setAny(Math.max(r.base, this.subnet.base), Math.min(lastAddr(r), lastAddr(this.subnet)))
      : this.set.setAny();
    if (ip === undefined) throw new AllocError('ResourceExhausted', NO_AVAILABLE_IPS);
    return addrInSubnet(ip, this.subnet);
  }

  release(ip: number): void {
    // the reserved network and broadcast addresses are never handed back
    if (32 - this.subnet.bits > 1 && (ip === this.subnet.base || ip === lastAddr(this.subnet))) return;
    this.set.release(ip);
  }

  has(ip: number): boolean {
    return contains(this.subnet, ip) && this.set.has(ip);
  }

  /** Addresses taken, the reserved two included (API 1.52's IPsInUse counts them too). */
  inUse(): number {
    return this.set.count();
  }
}
