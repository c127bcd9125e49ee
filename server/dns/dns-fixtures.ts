// Test support: store objects in the shapes the allocator writes, built tersely.
import type { HealthConfig, TaskState } from '../api/types';
import type { ResolverView } from './resolver-records';
import type { DnsNetwork, DnsService, DnsSources, DnsTask } from './sources';

const META = { Version: { Index: 1 }, CreatedAt: '', UpdatedAt: '' };

export function network(ID: string, Name: string, ingress = false): DnsNetwork {
  return { ID, Spec: { Name, Labels: {}, DriverConfiguration: { Name: 'overlay' }, Ingress: ingress || undefined } };
}

export function service(
  ID: string,
  Name: string,
  opts: { mode?: 'vip' | 'dnsrr'; vips?: Record<string, string>; healthcheck?: HealthConfig } = {},
): DnsService {
  const VirtualIPs = Object.entries(opts.vips ?? {}).map(([NetworkID, Addr]) => ({ NetworkID, Addr }));
  const EndpointSpec = { Mode: opts.mode ?? 'vip' };
  return {
    ID,
    Spec: {
      Name,
      Labels: {},
      Mode: { Replicated: { Replicas: 1 } },
      TaskTemplate: { ContainerSpec: { Image: 'nginx', Healthcheck: opts.healthcheck }, ForceUpdate: 0 },
      EndpointSpec,
    },
    Endpoint: { Spec: EndpointSpec, VirtualIPs: VirtualIPs.length ? VirtualIPs : undefined },
  };
}

export interface TaskOpts {
  slot?: number;
  node?: string;
  state?: TaskState;
  desired?: TaskState;
  health?: 'starting' | 'healthy' | 'unhealthy';
  healthcheck?: HealthConfig;
  hostname?: string;
  containerID?: string;
  /** network ID → CIDR address, or [address, aliases] */
  nets: Record<string, string | [string, string[]]>;
}

export function task(ID: string, svc: DnsService, o: TaskOpts): DnsTask {
  return {
    ID,
    ServiceID: svc.ID,
    Slot: o.slot ?? 1,
    NodeID: o.node ?? 'node1',
    DesiredState: o.desired ?? 'running',
    Status: {
      Timestamp: '',
      State: o.state ?? 'running',
      Message: '',
      ContainerStatus: o.health || o.containerID ? { Health: o.health, ContainerID: o.containerID } : undefined,
    },
    Spec: { ContainerSpec: { Image: 'nginx', Hostname: o.hostname, Healthcheck: o.healthcheck } },
    NetworksAttachments: Object.entries(o.nets).map(([id, v]) => ({
      Network: { ID: id, ...META },
      Addresses: [typeof v === 'string' ? v : v[0]],
      Aliases: typeof v === 'string' ? undefined : v[1],
    })),
  };
}

export function sources(networks: DnsNetwork[], services: DnsService[], tasks: DnsTask[]): DnsSources {
  return { networks, services, tasks };
}

/** The view as sorted plain data, so two views built in different orders compare equal. */
export function canonical(v: ResolverView) {
  const sorted = <T>(xs: T[]) => [...xs].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return {
    networks: sorted(
      [...v.networks.values()].map((n) => ({
        id: n.id,
        name: n.name,
        ingress: n.ingress,
        names: sorted([...n.names].map(([k, ips]) => [k, sorted([...ips])])),
        ptr: sorted([...n.ptr].map(([ip, names]) => [ip, sorted(names)])),
      })),
    ),
    taskNetworks: sorted([...v.taskNetworks]),
    taskByAddress: sorted([...v.taskByAddress]),
  };
}
