// The network objects `GET /networks` and `GET /networks/{id}` answer with
// (moby network.Inspect): a swarm network as dockerd converts the manager's
// (daemon/cluster/convert BasicNetworkFromGRPC), the stand-ins for the
// networks a daemon keeps for itself, and, with `verbose=true`, the service
// and peer view that dockerd reads from its local libnetwork, built here
// from the store.

import { createHash } from 'node:crypto';
import type { Network, Node, Service, Task } from '../../api/types';
import type { MemoryStore } from '../../store/memory-store';
import { isIngressNetwork } from '../../manager/controlapi/networks';
import { taskName } from '../../manager/controlapi';

export interface IPAMConfigInspect {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

export interface ServiceInfo {
  VIP: string;
  Ports: string[] | null;
  LocalLBIndex: number;
  Tasks: { Name: string; EndpointID: string; EndpointIP: string; Info: Record<string, string> }[];
}

export interface NetworkInspect {
  Name: string;
  Id: string;
  Created: string;
  Scope: 'swarm' | 'local';
  Driver: string;
  EnableIPv4: boolean;
  EnableIPv6: boolean;
  IPAM: { Driver: string; Options: Record<string, string> | null; Config: IPAMConfigInspect[] | null };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Containers: Record<string, unknown> | null;
  Options: Record<string, string> | null;
  Labels: Record<string, string> | null;
  Peers?: { Name: string; IP: string }[];
  Services?: Record<string, ServiceInfo>;
}

const nonEmpty = <T extends object>(o: T | undefined): T | null => (o && Object.keys(o).length > 0 ? o : null);

/**
 * A swarm network. Driver, options and IPAM are the allocator's (DriverState,
 * IPAMOptions) once it has run; until then the spec's, so a network never
 * shows an empty driver between its creation and its allocation.
 */
export function inspectSwarmNetwork(n: Network): NetworkInspect {
  const ipam = n.IPAMOptions ?? n.Spec.IPAMOptions;
  // the overlay driver keeps the user's options beside the VXLAN IDs it adds (ovmanager NetworkAllocate)
  const options = { ...(n.Spec.DriverConfiguration?.Options ?? {}), ...(n.DriverState?.Options ?? {}) };
  return {
    Name: n.Spec.Name,
    Id: n.ID,
    Created: n.CreatedAt,
    Scope: 'swarm',
    Driver: n.DriverState?.Name || n.Spec.DriverConfiguration?.Name || 'overlay',
    EnableIPv4: true,
    EnableIPv6: false,
    IPAM: {
      Driver: ipam?.Driver?.Name || 'default',
      Options: nonEmpty(ipam?.Driver?.Options),
      Config: (ipam?.Configs ?? []).map((c) => ({
        ...(c.Subnet ? { Subnet: c.Subnet } : {}),
        ...(c.Range ? { IPRange: c.Range } : {}),
        ...(c.Gateway ? { Gateway: c.Gateway } : {}),
      })),
    },
    Internal: !!n.Spec.Internal,
    Attachable: !!n.Spec.Attachable,
    Ingress: isIngressNetwork(n),
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    // only a daemon's local libnetwork fills this; the manager's answer has none
    Containers: null,
    Options: nonEmpty(options),
    Labels: n.Spec.Labels ?? {},
  };
}

/** The networks every Docker daemon keeps for itself, as a manager's `network ls` shows them. */
const LOCAL_NETWORKS: readonly { name: string; driver: string }[] = [
  { name: 'bridge', driver: 'bridge' },
  { name: 'host', driver: 'host' },
  { name: 'none', driver: 'null' },
];

/** A local network's ID: 64 hex as a daemon's, stable for this node. */
function localID(nodeID: string, name: string): string {
  return createHash('sha256').update(`swarmdeck local network ${nodeID} ${name}`).digest('hex');
}

/**
 * Stand-ins for `bridge`, `host` and `none` on this manager: listed and
 * inspected as Docker shows them, never created, removed or used by a
 * service. Nothing backs them (Swarmdeck runs no containers), so the bridge
 * shows no subnet rather than one no interface has.
 */
export function localNetworks(nodeID: string, created: string): NetworkInspect[] {
  return LOCAL_NETWORKS.map(({ name, driver }) => ({
    Name: name,
    Id: localID(nodeID, name),
    Created: created,
    Scope: 'local',
    Driver: driver,
    EnableIPv4: true,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: driver === 'bridge' ? [] : null },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: {},
    Options: {},
    Labels: {},
  }));
}

/** The plain address of a CIDR text (`10.0.1.3/24` → `10.0.1.3`). */
const addressOf = (cidr: string): string => cidr.split('/')[0] ?? cidr;

/** An endpoint's ID: 64 hex as libnetwork's, stable per task and network. */
function endpointID(taskID: string, networkID: string): string {
  return createHash('sha256').update(`swarmdeck endpoint ${taskID} ${networkID}`).digest('hex');
}

/** libnetwork's first load-balancer index (service_linux.go fwMarkCtr). */
const FIRST_LB_INDEX = 256;

/**
 * `verbose=true`: per service on the network its VIP, ingress ports and the
 * running tasks with their address there and their node's address ("Host
 * IP"), and the nodes that hold them as peers (libnetwork Services()/Peers(),
 * which a daemon gossips; here straight from the store). Tasks without an
 * address on the network yet are left out, as an endpoint exists only once
 * attached.
 */
export function networkAttachments(
  view: MemoryStore,
  n: Network,
): { Services?: Record<string, ServiceInfo>; Peers?: { Name: string; IP: string }[] } {
  const byService = new Map<string, { service: Service; tasks: { task: Task; ip: string }[] }>();
  const peers = new Map<string, Node>();
  for (const t of view.list('task')) {
    if (t.Status.State !== 'running') continue;
    const att = (t.NetworksAttachments ?? []).find((a) => a.Network.ID === n.ID);
    const addr = att?.Addresses?.[0];
    if (!addr) continue;
    const service = view.get('service', t.ServiceID);
    if (!service) continue;
    let entry = byService.get(service.ID);
    if (!entry) byService.set(service.ID, (entry = { service, tasks: [] }));
    entry.tasks.push({ task: t, ip: addressOf(addr) });
    const node = t.NodeID ? view.get('node', t.NodeID) : undefined;
    if (node) peers.set(node.ID, node);
  }
  if (byService.size === 0) return {};
  const entries = [...byService.values()].sort(
    (a, b) => a.service.CreatedAt.localeCompare(b.service.CreatedAt) || a.service.ID.localeCompare(b.service.ID),
  );
  const services: Record<string, ServiceInfo> = {};
  entries.forEach(({ service, tasks }, i) => {
    const vip = service.Endpoint?.VirtualIPs?.find((v) => v.NetworkID === n.ID);
    const ports = (service.Endpoint?.Ports ?? service.Spec.EndpointSpec?.Ports ?? [])
      .filter((p) => (p.PublishMode ?? 'ingress') === 'ingress' && p.PublishedPort)
      .map((p) => `Target: ${p.TargetPort ?? 0}, Publish: ${p.PublishedPort}`);
    services[service.Spec.Name] = {
      VIP: vip ? addressOf(vip.Addr) : '',
      Ports: ports,
      LocalLBIndex: FIRST_LB_INDEX + i,
      Tasks: tasks
        .sort((a, b) => a.task.Slot - b.task.Slot || a.task.ID.localeCompare(b.task.ID))
        .map(({ task, ip }) => ({
          Name: taskName({ ...task, ServiceAnnotations: { Name: service.Spec.Name } } as Task),
          EndpointID: endpointID(task.ID, n.ID),
          EndpointIP: ip,
          Info: { 'Host IP': view.get('node', task.NodeID)?.Status.Addr ?? '' },
        })),
    };
  });
  const peerList = [...peers.values()]
    .map((p) => ({ Name: `${p.Description.Hostname}-${p.ID.slice(0, 12)}`, IP: p.Status.Addr ?? '' }))
    .sort((a, b) => a.Name.localeCompare(b.Name));
  return { Services: services, Peers: peerList };
}
