// The default address pool(s) and the subnets carved from them (swarmkit's
// global address space, libnetwork defaultipam address_space.go): first fit
// in pool order, a freed subnet reused first, user subnets checked for overlap.

import {
  AllocError,
  IPV6_POOL_UNSUPPORTED,
  NO_MORE_SUBNETS,
  POOL_OVERLAP,
  invalidBasePool,
  subnetSizeOutOfRange,
  subnetSizeTooSmall,
} from './errors';
import type { Prefix } from './ipv4';
import { cidrError, comparePrefix, formatPrefix, lastAddr, overlaps, parseCIDR, prefixSize } from './ipv4';

/** swarmkit controlapi/cluster.go inbuiltDefaultAddressPool / inbuiltSubnetSize. */
export const DEFAULT_ADDR_POOL = ['10.0.0.0/8'];
export const DEFAULT_SUBNET_SIZE = 24;
/** dockerd: /29 is the smallest overlay subnet (8 addresses, 4 of them used by the LB machinery). */
export const MAX_SUBNET_SIZE = 29;

export interface PoolConfig {
  pools: Prefix[];
  /** mask length of every subnet carved from the pools */
  size: number;
}

/**
 * `swarm init --default-addr-pool … --default-addr-pool-mask-length N` as dockerd validates it.
 * No pools means the defaults, whatever the mask length (dockerd skips the check then).
 * Returns the config, or throws AllocError(InvalidArgument) with dockerd's text.
 */
export function poolConfig(pools: string[] | undefined, size: number | undefined): PoolConfig {
  if (!pools || pools.length === 0) return { pools: DEFAULT_ADDR_POOL.map(mustParse), size: DEFAULT_SUBNET_SIZE };
  const n = size || DEFAULT_SUBNET_SIZE;
  if (n > MAX_SUBNET_SIZE) throw new AllocError('InvalidArgument', subnetSizeOutOfRange(n));
  const parsed = pools.map((raw) => {
    const text = raw.trim();
    if (text.includes(':')) throw new AllocError('InvalidArgument', invalidBasePool(text, IPV6_POOL_UNSUPPORTED));
    const c = parseCIDR(text);
    if (!c) throw new AllocError('InvalidArgument', invalidBasePool(text, cidrError(text)));
    if (n < c.prefix.bits) throw new AllocError('InvalidArgument', subnetSizeTooSmall(text, n));
    return c.prefix;
  });
  return { pools: parsed, size: n };
}

/**
 * dockerd validateDefaultAddrPool (daemon/cluster/listen_addr.go), as `swarm init` runs it: no list at
 * all is fine; a list (the CLI always sends one, maybe empty) has its mask length checked even when
 * empty, then each pool, trimmed. Returns the trimmed pools.
 */
export function validateDefaultAddrPool(pools: string[] | undefined, size: number | undefined): string[] | undefined {
  if (pools === undefined) return undefined;
  const n = size || DEFAULT_SUBNET_SIZE;
  if (n > MAX_SUBNET_SIZE) throw new AllocError('InvalidArgument', subnetSizeOutOfRange(n));
  const trimmed = pools.map((p) => p.trim());
  if (trimmed.length > 0) poolConfig(trimmed, n);
  return trimmed;
}

function mustParse(s: string): Prefix {
  const c = parseCIDR(s);
  if (!c) throw new Error(`bad built-in pool ${s}`);
  return c.prefix;
}

/** Pools sorted, with any pool inside an earlier one dropped (as newAddrSpace does). */
function normalisePools(pools: Prefix[]): Prefix[] {
  const sorted = [...pools].sort(comparePrefix);
  const out: Prefix[] = [];
  for (const p of sorted) if (!out.some((q) => overlaps(q, p))) out.push(p);
  return out;
}

/** The subnets in use across every network, and the choice of the next one. */
export class SubnetSpace {
  private readonly pools: Prefix[];
  /** sorted by address */
  private allocated: Prefix[] = [];

  constructor(readonly config: PoolConfig) {
    this.pools = normalisePools(config.pools);
  }

  /** The lowest free /size in pool order (ingress, first, gets 10.0.0.0/24). */
  allocateAny(): Prefix {
    const size = this.config.size;
    const step = prefixSize(size);
    for (const pool of this.pools) {
      if (pool.bits > size) continue;
      let candidate = pool.base;
      const end = lastAddr(pool);
      // walk the sorted allocations, jumping past each one that overlaps the candidate
      for (const a of this.allocated) {
        if (candidate > end) break;
        const c: Prefix = { base: candidate, bits: size };
        if (lastAddr(a) < candidate) continue;
        if (!overlaps(a, c)) break;
        const after = lastAddr(a) + 1;
        candidate = Math.ceil(after / step) * step;
      }
      if (candidate + step - 1 <= end) return this.insert({ base: candidate, bits: size });
    }
    throw new AllocError('ResourceExhausted', NO_MORE_SUBNETS);
  }

  /** A subnet the user gave (`--subnet`), or one being restored: it must not overlap any in use. */
  allocateGiven(p: Prefix): Prefix {
    if (this.allocated.some((a) => overlaps(a, p))) throw new AllocError('InvalidArgument', POOL_OVERLAP);
    return this.insert(p);
  }

  release(p: Prefix): void {
    this.allocated = this.allocated.filter((a) => comparePrefix(a, p) !== 0);
  }

  inUse(): string[] {
    return this.allocated.map(formatPrefix);
  }

  private insert(p: Prefix): Prefix {
    this.allocated.push(p);
    this.allocated.sort(comparePrefix);
    return p;
  }
}
