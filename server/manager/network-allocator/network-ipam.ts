// Per-network allocation (swarmkit allocator doNetworkAlloc → cnmallocator
// allocatePools + the overlay driver's NetworkAllocate): a subnet per IPAM
// config (from the pool when none is given), its gateway, and a VXLAN ID per
// subnet; then addresses inside the network for VIPs, tasks and nodes.

import type { IPAMConfig, Network } from '../../api/types';
import type { PoolConfig } from './address-pool';
import { SubnetSpace } from './address-pool';
import {
  AllocError,
  BIT_ALREADY_ALLOCATED,
  INGRESS_NOT_ATTACHABLE,
  IP_OUT_OF_RANGE,
  NO_BIT_AVAILABLE,
  ingressAlreadyPresent,
  ipamGatewayOutside,
  ipamInvalidGateway,
  ipamInvalidRange,
  ipamInvalidSubnet,
  ipamRangeOutside,
  noNetworkState,
} from './errors';
import type { Prefix } from './ipv4';
import { addressOf, contains, formatIPv4, formatPrefix, parseCIDR, parseIPv4 } from './ipv4';
import { SerialBitmap } from './serial-bitmap';
import { SubnetAddresses } from './subnet-addresses';

/** ovmanager: VNIs from 4096 to 2^24-1. */
export const VXLAN_ID_START = 4096;
export const VXLAN_ID_END = 2 ** 24 - 1;
export const VXLAN_ID_LIST = 'com.docker.network.driver.overlay.vxlanid_list';

interface SubnetState {
  prefix: Prefix;
  addrs: SubnetAddresses;
}

interface NetworkState {
  subnets: SubnetState[];
  vxlanIDs: number[];
}

/** swarmkit controlapi validateNetworkSpec's IPAM and ingress rules, with its texts (InvalidArgument / AlreadyExists). */
export function validateNetworkSpec(spec: Network['Spec'], existing: Network[]): void {
  if (spec.Ingress) {
    const other = existing.find((n) => n.Spec.Ingress);
    if (other) throw new AllocError('AlreadyExists', ingressAlreadyPresent(other.ID));
    if (spec.Attachable) throw new AllocError('InvalidArgument', INGRESS_NOT_ATTACHABLE);
  }
  for (const c of spec.IPAMOptions?.Configs ?? []) validateIPAMConfig(c);
}

function validateIPAMConfig(c: IPAMConfig): Prefix {
  const subnet = parseCIDR(c.Subnet);
  if (!subnet) throw new AllocError('InvalidArgument', ipamInvalidSubnet(c.Subnet));
  if (c.Range) {
    const range = parseCIDR(c.Range);
    if (!range) throw new AllocError('InvalidArgument', ipamInvalidRange(c.Range));
    if (!contains(subnet.prefix, range.ip))
      throw new AllocError('InvalidArgument', ipamRangeOutside(c.Subnet, c.Range));
  }
  if (c.Gateway) {
    const gw = parseIPv4(c.Gateway);
    if (gw === undefined) throw new AllocError('InvalidArgument', ipamInvalidGateway(c.Gateway));
    if (!contains(subnet.prefix, gw)) throw new AllocError('InvalidArgument', ipamGatewayOutside(c.Subnet, c.Gateway));
  }
  return subnet.prefix;
}

export class NetworkIpam {
  private readonly space: SubnetSpace;
  private readonly vxlan = new SerialBitmap(VXLAN_ID_START, VXLAN_ID_END);
  private readonly nets = new Map<string, NetworkState>();

  constructor(readonly pools: PoolConfig) {
    this.space = new SubnetSpace(pools);
  }

  isAllocated(id: string): boolean {
    return this.nets.has(id);
  }

  /**
   * The network with IPAMOptions and DriverState filled in. A network that already carries them (read
   * back from the store at leader start) claims exactly those again. All or nothing.
   */
  allocate(n: Network): Network {
    if (this.nets.has(n.ID)) throw new Error(`network ${n.ID} is already allocated`);
    const configs: IPAMConfig[] = n.IPAMOptions?.Configs?.length
      ? n.IPAMOptions.Configs
      : n.Spec.IPAMOptions?.Configs?.length
        ? n.Spec.IPAMOptions.Configs
        : [{ Subnet: '' }];
    const state: NetworkState = { subnets: [], vxlanIDs: [] };
    const out: IPAMConfig[] = [];
    try {
      for (const c of configs) out.push(this.allocateSubnet(c, state));
      const given = (n.DriverState?.Options ?? n.Spec.DriverConfiguration?.Options ?? {})[VXLAN_ID_LIST];
      const wanted = given ? given.split(',').map((s) => Number(s.trim())) : [];
      for (let i = 0; i < state.subnets.length; i++) state.vxlanIDs.push(this.vxlanID(wanted[i]));
    } catch (err) {
      this.free(state);
      throw err;
    }
    this.nets.set(n.ID, state);
    const driver = n.Spec.IPAMOptions?.Driver;
    return {
      ...n,
      IPAMOptions: { Driver: { ...driver, Name: driver?.Name || 'default' }, Configs: out },
      DriverState: { Name: 'overlay', Options: { [VXLAN_ID_LIST]: state.vxlanIDs.join(',') } },
    };
  }

  release(id: string): void {
    const s = this.nets.get(id);
    if (!s) return;
    this.free(s);
    this.nets.delete(id);
  }

  /** One address on the network, "a.b.c.d/len": the preferred one, or the next free one serially. */
  requestAddress(networkID: string, preferred?: string): string {
    const s = this.nets.get(networkID);
    if (!s) throw new AllocError('FailedPrecondition', noNetworkState(networkID));
    if (preferred) {
      const ip = addressOf(preferred);
      const sub = ip === undefined ? undefined : s.subnets.find((x) => contains(x.prefix, ip));
      // an address outside every subnet of the network is the IPAM's "out of range"
      if (ip === undefined || !sub) throw new AllocError('InvalidArgument', IP_OUT_OF_RANGE);
      return sub.addrs.request(ip);
    }
    let last: unknown;
    for (const sub of s.subnets) {
      try {
        return sub.addrs.request();
      } catch (err) {
        last = err;
      }
    }
    throw last;
  }

  releaseAddress(networkID: string, addr: string): void {
    const ip = addressOf(addr);
    if (ip === undefined) return;
    this.nets
      .get(networkID)
      ?.subnets.find((x) => contains(x.prefix, ip))
      ?.addrs.release(ip);
  }

  /** Subnets in use across the swarm, in address order. */
  subnetsInUse(): string[] {
    return this.space.inUse();
  }

  /** Addresses taken on a network (reserved ones included), per subnet. */
  addressesInUse(networkID: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.nets.get(networkID)?.subnets ?? []) out[formatPrefix(s.prefix)] = s.addrs.inUse();
    return out;
  }

  private allocateSubnet(c: IPAMConfig, state: NetworkState): IPAMConfig {
    const prefix = c.Subnet ? this.space.allocateGiven(validateIPAMConfig(c)) : this.space.allocateAny();
    const range = c.Range ? parseCIDR(c.Range)?.prefix : undefined;
    const addrs = new SubnetAddresses(prefix, range);
    state.subnets.push({ prefix, addrs });
    // the gateway first: `--gateway` as given, else serially (`.1`, or the range's first)
    const gw = addrs.request(c.Gateway ? parseIPv4(c.Gateway) : undefined);
    const gateway = formatIPv4(addressOf(gw) ?? 0);
    return { Subnet: formatPrefix(prefix), ...(c.Range ? { Range: c.Range } : {}), Gateway: gateway };
  }

  private vxlanID(wanted: number | undefined): number {
    if (wanted !== undefined && Number.isInteger(wanted)) {
      if (!this.vxlan.setSpecific(wanted)) throw new AllocError('FailedPrecondition', BIT_ALREADY_ALLOCATED);
      return wanted;
    }
    const id = this.vxlan.setAny();
    if (id === undefined) throw new AllocError('ResourceExhausted', NO_BIT_AVAILABLE);
    return id;
  }

  private free(s: NetworkState): void {
    for (const sub of s.subnets) this.space.release(sub.prefix);
    for (const id of s.vxlanIDs) this.vxlan.release(id);
  }
}
