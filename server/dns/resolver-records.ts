// The resolver view's shape, and what one task contributes to it: per overlay network, the
// names and reverse names libnetwork would hold in its svcRecords for that task
// (service_common.go addEndpointNameResolution). The index (resolver-index.ts) adds and
// withdraws these contributions as the store changes.
import { servesTraffic } from './serving';
import type { DnsNetwork, DnsService, DnsTask } from './sources';
import { taskAliases, taskName } from './task-names';

export interface NetworkRecords {
  id: string;
  /** As created; PTR answers carry it (`<task name>.<network name>`). */
  name: string;
  ingress: boolean;
  /** Lower-cased name → IPv4 address → how many registrations hold it (libnetwork's set matrix). */
  names: Map<string, Map<string, number>>;
  /** IPv4 address → task names, first registered first: only task names get reverse records. */
  ptr: Map<string, string[]>;
}

export interface ResolverView {
  networks: Map<string, NetworkRecords>;
  /** Every attached task, serving or not, → its known network IDs: what its own questions may see. */
  taskNetworks: Map<string, string[]>;
  /** A task's IPv4 address on any network → the task ID, for a server that knows only the source. */
  taskByAddress: Map<string, string>;
}

/** One task's part of the view. */
export interface TaskContribution {
  networkIDs: string[];
  addresses: string[];
  /** [network ID, lower-cased name, IPv4] */
  names: [string, string, string][];
  /** [network ID, IPv4, task name] */
  ptr: [string, string, string][];
}

/** "10.0.1.3/24" → "10.0.1.3"; IPv6 or malformed text → undefined (swarm registers IPv4 only). */
export function ipv4Of(cidr: string): string | undefined {
  const ip = cidr.split('/')[0] ?? '';
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(ip) ? ip : undefined;
}

export function emptyRecords(n: DnsNetwork): NetworkRecords {
  return { id: n.ID, name: n.Spec.Name, ingress: !!n.Spec.Ingress, names: new Map(), ptr: new Map() };
}

function isDnsrr(svc: DnsService): boolean {
  return (svc.Spec.EndpointSpec?.Mode ?? svc.Endpoint.Spec.Mode) === 'dnsrr';
}

/** The service's VIP on a network, none in dnsrr mode (a stale one is ignored). */
function vipOn(svc: DnsService, networkID: string): string | undefined {
  if (isDnsrr(svc)) return undefined;
  const vip = svc.Endpoint.VirtualIPs?.find((v) => v.NetworkID === networkID);
  return vip ? ipv4Of(vip.Addr) : undefined;
}

/** The attachment's aliases; before the allocator copies them, the task spec's for that network. */
function serviceAliases(task: DnsTask, net: NetworkRecords, attached: string[] | undefined): string[] {
  if (attached) return attached;
  const specNets = task.Spec.Networks ?? [];
  return specNets.find((s) => s.Target === net.id || s.Target === net.name)?.Aliases ?? [];
}

/** One serving task's records on one network, in libnetwork's order. */
function register(
  out: TaskContribution,
  net: NetworkRecords,
  svc: DnsService,
  task: DnsTask,
  ip: string,
  attachedAliases: string[] | undefined,
): void {
  // addSvcRecords does nothing on ingress: it is a routing-only network.
  if (net.ingress) return;
  const add = (name: string, addr: string) => out.names.push([net.id, name.toLowerCase(), addr]);
  const name = taskName(task, svc.Spec.Name);
  add(name, ip);
  out.ptr.push([net.id, ip, name]);
  for (const alias of taskAliases(task)) add(alias, ip);

  const aliases = serviceAliases(task, net, attachedAliases);
  add(`tasks.${svc.Spec.Name}`, ip);
  for (const alias of aliases) add(`tasks.${alias}`, ip);

  // The service name is the VIP when there is one on this network, else each task IP (DNS RR).
  const target = vipOn(svc, net.id) ?? ip;
  add(svc.Spec.Name, target);
  for (const alias of aliases) add(alias, target);
}

/** What a task adds to the view: names only while it serves and its service exists. */
export function taskContribution(
  task: DnsTask,
  svc: DnsService | undefined,
  networks: ReadonlyMap<string, NetworkRecords>,
): TaskContribution {
  const out: TaskContribution = { networkIDs: [], addresses: [], names: [], ptr: [] };
  const serving = !!svc && servesTraffic(task);
  for (const att of task.NetworksAttachments ?? []) {
    const net = networks.get(att.Network.ID);
    if (!net) continue; // the network is gone (or not seen yet): nothing to answer on it
    out.networkIDs.push(net.id);
    const ip = (att.Addresses ?? []).map(ipv4Of).find((a) => a !== undefined);
    if (!ip) continue;
    out.addresses.push(ip);
    if (serving && svc) register(out, net, svc, task, ip, att.Aliases);
  }
  return out;
}
