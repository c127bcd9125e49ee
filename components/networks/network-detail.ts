// One network as its detail page shows it: IPAM and flags, the services on
// it with their VIPs and aliases, the tasks on it grouped by node with their
// addresses, and every address in use. Pure, built on the topology model
// (one reading of VIPs, attachments and capacity for both views).

import type { Network } from '@/server/api/types';
import { naturalCompare } from '../cluster/derive';
import {
  bareAddr,
  buildTopology,
  type NetworkCard,
  type ServiceCard,
  type TaskCard,
  type Tone,
  type TopologyInput,
  UNASSIGNED_NODE,
} from '../topology/topology-model';

export interface NetworkServiceRow {
  serviceID: string;
  name: string;
  endpointMode: ServiceCard['endpointMode'];
  /** CIDR text, absent in dnsrr mode or before the allocator gave one. */
  vip?: string;
  aliases: string[];
  running: number;
  desired: number;
  tone: Tone;
}

export interface NetworkTaskRow {
  taskID: string;
  serviceID: string;
  name: string;
  state: TaskCard['state'];
  draining: boolean;
  tone: Tone;
  /** CIDR text on this network. */
  addr: string;
}

export interface NetworkNodeRow {
  /** '' for tasks no node took yet. */
  nodeID: string;
  name: string;
  /** The node's load-balancer address on this network (Node.Attachments). */
  lb?: string;
  tasks: NetworkTaskRow[];
}

export interface AddressRow {
  /** The bare address. */
  addr: string;
  kind: 'gateway' | 'vip' | 'task' | 'node';
  /** Who holds it: a service, task or node name ('' for the gateway). */
  holder: string;
}

export interface NetworkDetail {
  card: NetworkCard;
  options: [string, string][];
  labels: [string, string][];
  services: NetworkServiceRow[];
  nodes: NetworkNodeRow[];
  addresses: AddressRow[];
  /** Assignable addresses not in use; absent without IPAM. */
  available?: number;
}

/** A network by ID or name, as the Engine API resolves a reference. */
export function findNetwork(networks: Iterable<Network>, ref: string): Network | undefined {
  let byName: Network | undefined;
  for (const n of networks) {
    if (n.ID === ref) return n;
    if (n.Spec.Name === ref) byName ??= n;
  }
  return byName;
}

const sortedEntries = (o: Record<string, string> | undefined): [string, string][] =>
  Object.entries(o ?? {}).sort(([a], [b]) => naturalCompare(a, b));

/** IPv4 text as a number for sorting ('10.0.0.10' after '10.0.0.9'); non-IPv4 sorts last. */
function ipOrder(addr: string): number {
  const p = addr.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x))) return Number.MAX_SAFE_INTEGER;
  return ((p[0]! * 256 + p[1]!) * 256 + p[2]!) * 256 + p[3]!;
}

/** The detail of the network with ID `networkID` among `input.networks`; undefined when it is not there. */
export function networkDetail(networkID: string, input: TopologyInput): NetworkDetail | undefined {
  // iterables may be one-shot (a Map's values()): read each once
  const networks = [...input.networks];
  const services = [...input.services];
  const model = buildTopology({ ...input, networks, services });
  const card = model.networks.find((n) => n.networkID === networkID);
  const network = networks.find((n) => n.ID === networkID);
  if (!card || !network) return undefined;
  const id = networkID;
  const addresses: AddressRow[] = [];
  for (const s of card.subnets) if (s.gateway) addresses.push({ addr: s.gateway, kind: 'gateway', holder: '' });

  // services attached: an attachment edge from this network (the spec's networks, or a VIP on it)
  const attached = new Set(
    model.edges.filter((e) => e.kind === 'attachment' && e.source === card.id).map((e) => e.target),
  );
  const rawServices = new Map(services.map((s) => [s.ID, s]));
  const rows: NetworkServiceRow[] = [];
  for (const s of model.services) {
    if (!attached.has(s.id)) continue;
    const vip = s.vips.find((v) => v.networkID === id)?.addr;
    const raw = rawServices.get(s.serviceID);
    const spec = (raw?.Spec.TaskTemplate.Networks ?? raw?.Spec.Networks ?? []).find(
      (a) => a.Target === id || a.Target === network.Spec.Name,
    );
    rows.push({
      serviceID: s.serviceID,
      name: s.name,
      endpointMode: s.endpointMode,
      ...(vip ? { vip } : {}),
      aliases: spec?.Aliases ?? [],
      running: s.running,
      desired: s.desired,
      tone: s.tone,
    });
    if (vip) addresses.push({ addr: bareAddr(vip), kind: 'vip', holder: s.name });
  }

  // nodes: those with an LB address on it or a task on it, in the topology's node order
  const nodes: NetworkNodeRow[] = [];
  for (const g of model.nodes) {
    const lb = g.attachments.find((a) => a.networkID === id)?.addr;
    const tasks: NetworkTaskRow[] = [];
    for (const t of model.tasks) {
      if (t.parent !== g.id) continue;
      for (const a of t.addresses) {
        if (a.networkID !== id) continue;
        tasks.push({
          taskID: t.taskID,
          serviceID: t.serviceID,
          name: t.name,
          state: t.state,
          draining: t.draining,
          tone: t.tone,
          addr: a.addr,
        });
        addresses.push({ addr: bareAddr(a.addr), kind: 'task', holder: t.name });
      }
    }
    if (lb) addresses.push({ addr: bareAddr(lb), kind: 'node', holder: g.name });
    if (!lb && tasks.length === 0) continue;
    nodes.push({ nodeID: g.id === UNASSIGNED_NODE ? '' : g.nodeID, name: g.name, ...(lb ? { lb } : {}), tasks });
  }
  addresses.sort((a, b) => ipOrder(a.addr) - ipOrder(b.addr) || naturalCompare(a.holder, b.holder));

  return {
    card,
    options: sortedEntries(network.Spec.DriverConfiguration?.Options),
    labels: sortedEntries(network.Spec.Labels),
    services: rows,
    nodes,
    addresses,
    ...(card.capacity !== undefined ? { available: Math.max(card.capacity - card.inUse, 0) } : {}),
  };
}
