// What one node is told of the cluster's networks (the NetworkView pushed
// beside its assignments), derived from the store and nothing else. A node
// serves ingress and the networks its own tasks are on; it gets the services
// on those (every service publishing an ingress port, since every node routes
// those), the tasks of those services, and where every node's mesh tunnel is.
import {
  DRAINING_MESSAGE,
  MESH_PORT_LABEL,
  type MeshPeer,
  type NetworkView,
  type ViewTask,
} from '../../api/network-view';
import { publishesIngress } from '../../api/mesh-ports';
import type { Network, Node, Service, Task } from '../../api/types';
import { stateValue } from '../../api/types';

/** The store reads the view needs (ClusterStore's view satisfies it). */
export interface ViewStore {
  list(kind: 'network'): Network[];
  list(kind: 'service'): Service[];
  list(kind: 'node'): Node[];
  tasksByNode(nodeID: string): Task[];
  tasksByService(serviceID: string): Task[];
}

/** Assigned up to running: the tasks a node may hold, route to or ask DNS for. */
function isLive(t: Task): boolean {
  const v = stateValue(t.Status.State);
  return v >= stateValue('assigned') && v <= stateValue('running');
}

function serviceNetworks(s: Service): string[] {
  return (s.Spec.TaskTemplate.Networks ?? s.Spec.Networks ?? []).map((n) => n.Target);
}

function taskNetworks(t: Task): string[] {
  const ids = (t.NetworksAttachments ?? []).map((a) => a.Network.ID);
  for (const n of t.Spec.Networks ?? []) ids.push(n.Target);
  return ids;
}

/** A running task its agent drains (reported) or the manager told to stop: no new connections. */
export function isDraining(t: Task): boolean {
  if (t.Status.State !== 'running') return false;
  return stateValue(t.DesiredState) >= stateValue('shutdown') || t.Status.Message === DRAINING_MESSAGE;
}

function viewTask(t: Task): ViewTask {
  const v: ViewTask = {
    ID: t.ID,
    ServiceID: t.ServiceID,
    Slot: t.Slot,
    NodeID: t.NodeID,
    Status: t.Status,
    DesiredState: t.DesiredState,
    Spec: { ContainerSpec: t.Spec.ContainerSpec, ...(t.Spec.Networks ? { Networks: t.Spec.Networks } : {}) },
  };
  if (t.NetworksAttachments) v.NetworksAttachments = t.NetworksAttachments;
  if (isDraining(t)) v.Draining = true;
  return v;
}

/** Every node that runs a mesh (it reported its tunnel port) and has an address. */
export function meshPeers(nodes: readonly Node[]): MeshPeer[] {
  const peers: MeshPeer[] = [];
  for (const n of nodes) {
    const port = Number(n.Description?.Engine?.Labels?.[MESH_PORT_LABEL]);
    if (!n.Status.Addr || !Number.isInteger(port) || port <= 0 || port > 65535) continue;
    peers.push({ NodeID: n.ID, Addr: n.Status.Addr, Port: port });
  }
  return peers.sort((a, b) => a.NodeID.localeCompare(b.NodeID));
}

const byID = <T extends { ID: string }>(a: T, b: T) => a.ID.localeCompare(b.ID);

/** The view for `nodeID` (Revision as given); sorted by ID, so equal stores give equal views. */
export function deriveNetworkView(store: ViewStore, nodeID: string, revision: number): NetworkView {
  const networks = store.list('network');
  const served = new Set<string>();
  for (const n of networks) if (n.Spec.Ingress) served.add(n.ID);
  const own = store.tasksByNode(nodeID).filter(isLive);
  const ownServices = new Set<string>();
  for (const t of own) {
    ownServices.add(t.ServiceID);
    for (const id of taskNetworks(t)) served.add(id);
  }
  const services = store
    .list('service')
    .filter((s) => publishesIngress(s) || ownServices.has(s.ID) || serviceNetworks(s).some((id) => served.has(id)))
    .sort(byID);
  const tasks: ViewTask[] = [];
  for (const s of services) for (const t of store.tasksByService(s.ID)) if (isLive(t)) tasks.push(viewTask(t));
  return {
    Revision: revision,
    Networks: networks.filter((n) => served.has(n.ID)).sort(byID),
    Services: services.map((s) => ({ ID: s.ID, Spec: s.Spec, Endpoint: s.Endpoint })),
    Tasks: tasks.sort(byID),
    Peers: meshPeers(store.list('node')),
  };
}

/** A view's content without its revision: two views with the same key need no second push. */
export function viewKey(v: NetworkView): string {
  return JSON.stringify({ ...v, Revision: 0 });
}
