// The resolver view: per overlay network, the names and reverse names libnetwork would
// hold in its svcRecords (service_common.go addEndpointNameResolution), built in one pass
// over the store's objects. A full rebuild is cheap (see the test's log line for 1,000
// services × 10 tasks), so a runner rebuilds on every store change it cares about.
import { servesTraffic } from './serving';
import type { DnsNetwork, DnsService, DnsSources, DnsTask } from './sources';
import { taskAliases, taskName } from './task-names';

export interface NetworkRecords {
  id: string;
  /** As created; PTR answers carry it (`<task name>.<network name>`). */
  name: string;
  ingress: boolean;
  /** Lower-cased name → IPv4 addresses, in registration order, without duplicates. */
  names: Map<string, Set<string>>;
  /** IPv4 address → task name: only task names get reverse records (ipMapUpdate). */
  ptr: Map<string, string>;
}

export interface ResolverView {
  networks: Map<string, NetworkRecords>;
  /** Every attached task, serving or not, → its network IDs: what its own questions may see. */
  taskNetworks: Map<string, string[]>;
  /** A task's IPv4 address on any network → the task ID, for a server that knows only the source. */
  taskByAddress: Map<string, string>;
}

/** "10.0.1.3/24" → "10.0.1.3"; IPv6 or malformed text → undefined (swarm registers IPv4 only). */
export function ipv4Of(cidr: string): string | undefined {
  const ip = cidr.split('/')[0] ?? '';
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(ip) ? ip : undefined;
}

function addName(net: NetworkRecords, name: string, ip: string): void {
  const key = name.toLowerCase();
  let set = net.names.get(key);
  if (!set) net.names.set(key, (set = new Set()));
  set.add(ip);
}

function emptyRecords(n: DnsNetwork): NetworkRecords {
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
function registerTask(
  net: NetworkRecords,
  svc: DnsService,
  task: DnsTask,
  ip: string,
  attachedAliases: string[] | undefined,
): void {
  // addSvcRecords does nothing on ingress: it is a routing-only network.
  if (net.ingress) return;
  const name = taskName(task, svc.Spec.Name);
  addName(net, name, ip);
  if (!net.ptr.has(ip)) net.ptr.set(ip, name);
  for (const alias of taskAliases(task)) addName(net, alias, ip);

  const aliases = serviceAliases(task, net, attachedAliases);
  addName(net, `tasks.${svc.Spec.Name}`, ip);
  for (const alias of aliases) addName(net, `tasks.${alias}`, ip);

  // The service name is the VIP when there is one on this network, else each task IP (DNS RR).
  const target = vipOn(svc, net.id) ?? ip;
  addName(net, svc.Spec.Name, target);
  for (const alias of aliases) addName(net, alias, target);
}

export function buildResolverView(sources: DnsSources): ResolverView {
  const networks = new Map<string, NetworkRecords>();
  for (const n of sources.networks) networks.set(n.ID, emptyRecords(n));
  const services = new Map<string, DnsService>();
  for (const s of sources.services) services.set(s.ID, s);

  const taskNetworks = new Map<string, string[]>();
  const taskByAddress = new Map<string, string>();
  for (const task of sources.tasks) {
    const attachments = task.NetworksAttachments ?? [];
    if (attachments.length === 0) continue;
    const svc = services.get(task.ServiceID);
    const serving = !!svc && servesTraffic(task);
    const ids: string[] = [];
    for (const att of attachments) {
      const net = networks.get(att.Network.ID);
      if (!net) continue; // the network is gone: nothing to answer on it
      ids.push(net.id);
      const ip = (att.Addresses ?? []).map(ipv4Of).find((a) => a !== undefined);
      if (!ip) continue;
      taskByAddress.set(ip, task.ID);
      if (serving && svc) registerTask(net, svc, task, ip, att.Aliases);
    }
    taskNetworks.set(task.ID, ids);
  }
  return { networks, taskNetworks, taskByAddress };
}
