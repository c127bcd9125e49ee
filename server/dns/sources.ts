// The store objects the resolver view is built from, as the fields it reads.
// Engine API shapes (server/api/types.ts) satisfy these structurally; the task's
// NetworksAttachments is swarmkit's (Network copy, Addresses in CIDR text, Aliases),
// written by the network allocator.
import type { Network, Service, Task } from '../api/types';

export interface DnsNetworkAttachment {
  Network: { ID: string };
  /** CIDR text, e.g. "10.0.1.3/24" (swarmkit allocateNetworkIPs). */
  Addresses?: string[];
  /** The spec network's aliases, copied onto the task (swarmkit taskCreateNetworkAttachments). */
  Aliases?: string[];
}

export type DnsTask = Pick<Task, 'ID' | 'ServiceID' | 'Slot' | 'NodeID' | 'Status' | 'DesiredState'> & {
  /** What a NetworkView task carries (server/api/network-view.ts ViewTask): the spec's container and networks. */
  Spec: Pick<Task['Spec'], 'ContainerSpec' | 'Networks'>;
  /** swarmkit Task.Annotations: a name set here wins over the generated one (naming.Task). */
  Annotations?: { Name?: string };
  NetworksAttachments?: DnsNetworkAttachment[];
};

export type DnsService = Pick<Service, 'ID' | 'Spec' | 'Endpoint'>;

export type DnsNetwork = Pick<Network, 'ID' | 'Spec'>;

/** Everything the view is built from: the cluster's networks, services and tasks. */
export interface DnsSources {
  networks: readonly DnsNetwork[];
  services: readonly DnsService[];
  tasks: readonly DnsTask[];
}
