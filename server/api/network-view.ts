// What a node must know of the cluster's networks to answer DNS and to route
// the mesh: the networks it serves, the services on them (Spec + Endpoint with
// VIPs and ports) and their tasks (with NetworksAttachments and status), plus
// where every node's mesh tunnel listens. The manager derives it from the store
// and pushes it to each agent beside its assignments; the DNS resolver index
// (server/dns, DnsSources) and the mesh's backend sets are both built from it.
import type { Network, Node, Service, Task } from './types';

/** A task as the view carries it: only the fields DNS and the mesh read. */
export type ViewTask = Pick<
  Task,
  'ID' | 'ServiceID' | 'Slot' | 'NodeID' | 'Status' | 'DesiredState' | 'NetworksAttachments'
> & {
  Spec: Pick<Task['Spec'], 'ContainerSpec' | 'Networks'>;
  /** Set by the owning agent when it stops routing new connections to the task (before SIGTERM). */
  Draining?: boolean;
};

/** Where a node's mesh tunnel listens (its advertise address and the node-to-node data port). */
export interface MeshPeer {
  NodeID: Node['ID'];
  Addr: string;
  Port: number;
}

export interface NetworkView {
  /** Bumped by the manager on every change; an agent ignores a view older than the one it holds. */
  Revision: number;
  Networks: Network[];
  Services: Pick<Service, 'ID' | 'Spec' | 'Endpoint'>[];
  Tasks: ViewTask[];
  Peers: MeshPeer[];
}

/** Engine label on NodeDescription.Engine.Labels saying how the node gives tasks a network identity. */
export const NETWORK_MODE_LABEL = 'com.swarmdeck.network.mode';
export type NodeNetworkMode = 'netns' | 'host';

/**
 * Engine label on NodeDescription.Engine.Labels: the TCP port this node's mesh tunnel listens on (at its
 * advertise address). A node without it runs no mesh (simulated workers): no peer entry is made for it.
 */
export const MESH_PORT_LABEL = 'com.swarmdeck.mesh.port';

/**
 * The node-to-node data port when none is given: Swarm's default `--data-path-port` (VXLAN's UDP 4789).
 * Swarmdeck's tunnel is TCP (mutual TLS), so it does not clash with a real Docker's VXLAN on the host.
 */
export const DEFAULT_DATA_PATH_PORT = 4789;

/** Task status Message the owning agent reports (state unchanged) once it refuses new mesh connections. */
export const DRAINING_MESSAGE = 'draining';
