// The network allocator's state and its operations, pure: objects in, the
// allocated fields out (Network.IPAMOptions/DriverState, Service.Endpoint,
// Task.NetworksAttachments, Node.Attachments). Nothing here reads the store;
// the control loop writes the answers back. Every operation is all or
// nothing: on an AllocError the state is as it was.

import type { Network, NetworkAttachment, Node, PortConfig, Service, Task } from '../../api/types';
import type { PoolConfig } from './address-pool';
import { isDnsrr, isIngressNetworkNeeded, serviceNetworks, taskNetworks } from './attachments';
import {
  AllocError,
  INGRESS_MISSING,
  NO_IP,
  NO_IP_FOR_VIP,
  NO_LOCAL_NETWORK_STATE,
  nodeIPFailed,
  noNetworkState,
  taskIPFailed,
} from './errors';
import { NetworkIpam } from './network-ipam';
import { PublishedPorts } from './published-ports';

export interface VirtualIP {
  NetworkID: string;
  Addr: string;
}
interface Held {
  network: string;
  addr: string;
  aliases?: string[];
}

export class NetworkAllocator {
  readonly ipam: NetworkIpam;
  readonly ports = new PublishedPorts();
  private readonly networks = new Map<string, Network>();
  private ingressID?: string;
  private readonly vips = new Map<string, VirtualIP[]>();
  private readonly tasks = new Map<string, Held[]>();
  private readonly nodes = new Map<string, Held[]>();

  constructor(readonly pools: PoolConfig) {
    this.ipam = new NetworkIpam(pools);
  }

  // ---------- networks ----------

  /** Subnet, gateway and VXLAN ID for a network (or the ones it already carries, at leader start). */
  allocateNetwork(n: Network): Network {
    const allocated = this.ipam.allocate(n);
    this.networks.set(n.ID, allocated);
    if (n.Spec.Ingress) this.ingressID = n.ID;
    return allocated;
  }

  releaseNetwork(id: string): void {
    this.ipam.release(id);
    this.networks.delete(id);
    if (this.ingressID === id) this.ingressID = undefined;
  }

  network(id: string): Network | undefined {
    return this.networks.get(id);
  }

  ingress(): Network | undefined {
    return this.ingressID ? this.networks.get(this.ingressID) : undefined;
  }

  // ---------- services ----------

  /**
   * Service.Endpoint for the service's current spec: Spec copied, Ports with dynamic ports filled in,
   * one VIP per attached network (ingress first for a new service that publishes ingress ports), none in
   * dnsrr mode. VIPs the service already holds on networks it keeps are kept.
   */
  allocateService(s: Service): Service['Endpoint'] {
    const held = this.vips.get(s.ID) ?? [];
    const wanted: string[] = [];
    if (!isDnsrr(s)) {
      if (isIngressNetworkNeeded(s)) {
        if (!this.ingressID) throw new AllocError('FailedPrecondition', INGRESS_MISSING);
        wanted.push(this.ingressID);
      }
      for (const n of serviceNetworks(s)) if (!wanted.includes(n.Target)) wanted.push(n.Target);
    }
    const kept = held.filter((v) => wanted.includes(v.NetworkID));
    const fresh: VirtualIP[] = [];
    let ports: PortConfig[];
    try {
      for (const id of wanted) {
        if (kept.some((v) => v.NetworkID === id)) continue;
        if (!this.ipam.isAllocated(id)) throw new AllocError('FailedPrecondition', NO_LOCAL_NETWORK_STATE);
        fresh.push({ NetworkID: id, Addr: this.vipAddress(id) });
      }
      ports = this.ports.allocate(s);
    } catch (err) {
      for (const v of fresh) this.ipam.releaseAddress(v.NetworkID, v.Addr);
      throw err;
    }
    for (const v of held) if (!kept.includes(v)) this.ipam.releaseAddress(v.NetworkID, v.Addr);
    const vips = [...kept, ...fresh];
    if (vips.length > 0) this.vips.set(s.ID, vips);
    else this.vips.delete(s.ID);
    return {
      Spec: s.Spec.EndpointSpec ?? { Mode: 'vip' },
      ...(ports.length > 0 ? { Ports: ports } : {}),
      ...(vips.length > 0 ? { VirtualIPs: vips.map((v) => ({ ...v })) } : {}),
    };
  }

  releaseService(serviceID: string): void {
    for (const v of this.vips.get(serviceID) ?? []) this.ipam.releaseAddress(v.NetworkID, v.Addr);
    this.vips.delete(serviceID);
    this.ports.release(serviceID);
  }

  /** Leader start: claim exactly the VIPs and published ports a stored service shows. */
  restoreService(s: Service): void {
    const claimed: VirtualIP[] = [];
    try {
      for (const v of s.Endpoint?.VirtualIPs ?? []) {
        if (!this.ipam.isAllocated(v.NetworkID)) continue; // its network is gone: the next allocation drops it
        claimed.push({ NetworkID: v.NetworkID, Addr: this.ipam.requestAddress(v.NetworkID, v.Addr) });
      }
      this.ports.restore(s);
    } catch (err) {
      for (const v of claimed) this.ipam.releaseAddress(v.NetworkID, v.Addr);
      throw err;
    }
    if (claimed.length > 0) this.vips.set(s.ID, claimed);
  }

  vipsOf(serviceID: string): VirtualIP[] {
    return (this.vips.get(serviceID) ?? []).map((v) => ({ ...v }));
  }

  // ---------- tasks ----------

  /**
   * Task.NetworksAttachments: ingress first when the service publishes ingress ports, then the task's
   * networks, each a full copy of the network with one address. A task already allocated keeps its
   * addresses.
   */
  allocateTask(t: Task, s: Service | undefined): NetworkAttachment[] {
    const have = this.tasks.get(t.ID);
    if (have) return this.attachments(have);
    const wanted: { network: string; aliases?: string[] }[] = [];
    if (isIngressNetworkNeeded(s)) {
      if (!this.ingressID) throw new AllocError('FailedPrecondition', INGRESS_MISSING);
      wanted.push({ network: this.ingressID });
    }
    for (const n of taskNetworks(t, s)) {
      if (n.Target !== this.ingressID) wanted.push({ network: n.Target, aliases: n.Aliases });
    }
    const held = this.claim(wanted, (net, why) => taskIPFailed(t.ID, net, why));
    if (held.length > 0) this.tasks.set(t.ID, held);
    return this.attachments(held);
  }

  releaseTask(taskID: string): void {
    for (const h of this.tasks.get(taskID) ?? []) this.ipam.releaseAddress(h.network, h.addr);
    this.tasks.delete(taskID);
  }

  /** Leader start: claim the addresses a stored task shows. */
  restoreTask(t: Task): void {
    const want = (t.NetworksAttachments ?? []).filter((a) => this.ipam.isAllocated(a.Network.ID));
    const held = this.claim(
      want.map((a) => ({ network: a.Network.ID, aliases: a.Aliases, addr: a.Addresses?.[0] })),
      (net, why) => taskIPFailed(t.ID, net, why),
    );
    if (held.length > 0) this.tasks.set(t.ID, held);
  }

  // ---------- nodes ----------

  /**
   * Node.Attachments for the networks the node serves (see nodeNetworkIDs): addresses kept for networks
   * it keeps, new ones for new networks, the others released.
   */
  allocateNode(nodeID: string, networkIDs: string[]): NetworkAttachment[] {
    const have = this.nodes.get(nodeID) ?? [];
    const kept = have.filter((h) => networkIDs.includes(h.network));
    const fresh = this.claim(
      networkIDs.filter((id) => !kept.some((h) => h.network === id)).map((network) => ({ network })),
      (net, why) => nodeIPFailed(nodeID, net, why),
    );
    for (const h of have) if (!kept.includes(h)) this.ipam.releaseAddress(h.network, h.addr);
    const all = [...kept, ...fresh];
    if (all.length > 0) this.nodes.set(nodeID, all);
    else this.nodes.delete(nodeID);
    return this.attachments(all);
  }

  releaseNode(nodeID: string): void {
    for (const h of this.nodes.get(nodeID) ?? []) this.ipam.releaseAddress(h.network, h.addr);
    this.nodes.delete(nodeID);
  }

  /** Leader start: claim the addresses a stored node shows. */
  restoreNode(n: Node): void {
    const want = (n.Attachments ?? []).filter((a) => this.ipam.isAllocated(a.Network.ID));
    const held = this.claim(
      want.map((a) => ({ network: a.Network.ID, addr: a.Addresses?.[0] })),
      (net, why) => nodeIPFailed(n.ID, net, why),
    );
    if (held.length > 0) this.nodes.set(n.ID, held);
  }

  // ---------- helpers ----------

  private vipAddress(networkID: string): string {
    try {
      return this.ipam.requestAddress(networkID);
    } catch (err) {
      if (err instanceof AllocError && err.code === 'ResourceExhausted') throw new AllocError(err.code, NO_IP_FOR_VIP);
      throw err;
    }
  }

  /** One address per wanted network, all or none; errors worded by `fail`. */
  private claim(
    wanted: { network: string; aliases?: string[]; addr?: string }[],
    fail: (network: string, why: string) => string,
  ): Held[] {
    const out: Held[] = [];
    for (const w of wanted) {
      try {
        if (!this.ipam.isAllocated(w.network)) throw new AllocError('FailedPrecondition', noNetworkState(w.network));
        const addr = this.ipam.requestAddress(w.network, w.addr);
        out.push({ network: w.network, addr, ...(w.aliases?.length ? { aliases: w.aliases } : {}) });
      } catch (err) {
        for (const h of out) this.ipam.releaseAddress(h.network, h.addr);
        if (!(err instanceof AllocError)) throw err;
        const why = err.code === 'ResourceExhausted' && !w.addr ? NO_IP : err.message;
        throw new AllocError(err.code, fail(w.network, why));
      }
    }
    return out;
  }

  private attachments(held: Held[]): NetworkAttachment[] {
    return held.map((h) => ({
      Network: this.networks.get(h.network) as Network,
      ...(h.aliases ? { Aliases: [...h.aliases] } : {}),
      Addresses: [h.addr],
    }));
  }
}
