// What one node is told of the cluster's networks (the NetworkView pushed
// beside its assignments), derived from the store and nothing else. A node
// serves ingress and the networks its own tasks are on; it gets the services
// on those (every service publishing an ingress port, since every node routes
// those), the tasks of those services, and where every node's mesh tunnel is.
// A service on no network and publishing no ingress port is reachable by no
// other task: a node running some of its tasks gets those alone.
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
import { createHash } from 'node:crypto';

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

/** A short digest of a part's content (its JSON), so a view's key stays small however many tasks it holds. */
const digest = (part: unknown): string => createHash('sha1').update(JSON.stringify(part)).digest('base64');

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

/**
 * Each stored task's view, made once per stored object: the store replaces a task's object on every
 * write, so a pass over a 10,000-task service re-derives only the tasks that changed since the last pass
 * (it re-derived and stringified all of them, ten times a second, in a rollout).
 */
const viewCache = new WeakMap<Task, ViewTask>();
function cachedView(t: Task): ViewTask {
  let v = viewCache.get(t);
  if (!v) viewCache.set(t, (v = viewTask(t)));
  return v;
}

/**
 * What a task contributes to a part's key: its ID and Version.Index. The store stamps every write with
 * its raft index, so the pair names one content (hashing each task's JSON instead was most of a pass's
 * time while 10,000 tasks changed state).
 */
const taskKey = (t: Task): string => `${t.ID}.${t.Version.Index}`;

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

const byID = <T extends { ID: string }>(a: T, b: T) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0);

interface ServicePart {
  /** The service ID, or for a node's own share of an isolated service, the service and node. */
  id: string;
  service: Pick<Service, 'ID' | 'Spec' | 'Endpoint'>;
  /** Its live tasks as a node sees them, sorted by ID. */
  tasks: ViewTask[];
  key: string;
}

/**
 * Views for many nodes from one store state. What every node's view shares — the networks, each
 * service with its live tasks, the mesh peers — is built and digested once per pass, not once per
 * node: 500 nodes running one 5,000-replica service made every push copy and stringify 2.5 million
 * tasks, and the leader's event loop stalled for seconds, longer as the service grew. A node's key is
 * the digests of its parts, so an unchanged view costs no more than a short string to tell.
 *
 * A service on no network that publishes no ingress port is isolated: no other task can reach its
 * tasks by name or through the mesh, so a node running some of them is given those, not the service's
 * every task (a 10,000-replica service on 200 nodes made each pass sort and digest all 10,000 and
 * send them to every node, ten times a second while it converged).
 */
export class ViewPass {
  private readonly networks: Network[];
  private readonly ingress: string[];
  private readonly services: Service[];
  private readonly parts = new Map<string, ServicePart>();
  private readonly serviceKeys = new Map<string, string>();
  private readonly networkKeys = new Map<string, string>();
  /** Nodes on the same services share one task list (500 nodes of one 5,000-task service: one list, not 500). */
  private readonly taskLists = new Map<string, ViewTask[]>();
  private peers?: { list: MeshPeer[]; key: string };

  constructor(
    private readonly store: ViewStore,
    private readonly revision: number,
  ) {
    this.networks = [...store.list('network')].sort(byID);
    this.ingress = this.networks.filter((n) => n.Spec.Ingress).map((n) => n.ID);
    this.services = [...store.list('service')].sort(byID);
  }

  /**
   * The node's view and its key (the same objects give the same key, whatever the revision), and `shared`:
   * the services it holds whole (with every node's live tasks of them) and their parts' keys. Those are all a
   * view reads beyond the networks, services and nodes and the node's own tasks (see sharedUnchanged).
   */
  view(nodeID: string): { view: NetworkView; key: string; shared: ReadonlyMap<string, string> } {
    const served = new Set(this.ingress);
    const own = new Map<string, Task[]>();
    for (const t of this.store.tasksByNode(nodeID)) {
      if (!isLive(t)) continue;
      const list = own.get(t.ServiceID);
      if (list) list.push(t);
      else own.set(t.ServiceID, [t]);
      for (const id of taskNetworks(t)) served.add(id);
    }
    const networks = this.networks.filter((n) => served.has(n.ID));
    const services: ServicePart[] = [];
    for (const s of this.services) {
      if (publishesIngress(s) || serviceNetworks(s).some((id) => served.has(id))) services.push(this.part(s));
      else {
        const mine = own.get(s.ID);
        if (mine) services.push(isolated(s, mine) ? this.localPart(s, nodeID, mine) : this.part(s));
      }
    }
    const shared = new Map<string, string>();
    for (const p of services) if (p.id === p.service.ID) shared.set(p.id, p.key);
    const peers = this.meshPeers();
    const key = [
      networks.map((n) => this.networkKey(n)).join(','),
      services.map((p) => p.key).join(','),
      peers.key,
    ].join('|');
    return {
      view: {
        Revision: this.revision,
        Networks: networks,
        Services: services.map((p) => p.service),
        Tasks: this.tasksOf(services),
        Peers: peers.list,
      },
      key,
      shared,
    };
  }

  /**
   * Whether the services a view held whole (its `shared`) still hold the same live tasks. With the networks,
   * services and nodes unchanged and none of the node's own tasks changed, that is its view unchanged, so a
   * pass need not derive it again: under churn most nodes' tasks do not change between two passes.
   */
  sharedUnchanged(shared: ReadonlyMap<string, string>): boolean {
    for (const [id, key] of shared) {
      const s = this.serviceByID().get(id);
      if (!s || this.part(s).key !== key) return false;
    }
    return true;
  }

  private serviceIndex?: Map<string, Service>;
  private serviceByID(): Map<string, Service> {
    return (this.serviceIndex ??= new Map(this.services.map((s) => [s.ID, s])));
  }

  /** The parts' tasks, in order: built once per set of parts in a pass (views are read, never changed). */
  private tasksOf(parts: readonly ServicePart[]): ViewTask[] {
    const key = parts.map((p) => p.id).join(',');
    let tasks = this.taskLists.get(key);
    if (!tasks) {
      tasks = [];
      for (const p of parts) for (const t of p.tasks) tasks.push(t);
      this.taskLists.set(key, tasks);
    }
    return tasks;
  }

  /** A service with all its live tasks, as every node that sees it gets it. */
  private part(s: Service): ServicePart {
    let p = this.parts.get(s.ID);
    if (!p) {
      p = this.makePart(s.ID, s, this.store.tasksByService(s.ID).filter(isLive));
      this.parts.set(s.ID, p);
    }
    return p;
  }

  /** An isolated service with only the node's own live tasks of it. */
  private localPart(s: Service, nodeID: string, mine: Task[]): ServicePart {
    return this.makePart(`${s.ID}@${nodeID}`, s, mine);
  }

  private makePart(id: string, s: Service, live: Task[]): ServicePart {
    live.sort(byID);
    const service = { ID: s.ID, Spec: s.Spec, Endpoint: s.Endpoint };
    let serviceKey = this.serviceKeys.get(s.ID);
    if (serviceKey === undefined) this.serviceKeys.set(s.ID, (serviceKey = digest(service)));
    const hash = createHash('sha1').update(serviceKey);
    for (const t of live) hash.update(taskKey(t));
    return { id, service, tasks: live.map(cachedView), key: hash.digest('base64') };
  }

  private networkKey(n: Network): string {
    let k = this.networkKeys.get(n.ID);
    if (k === undefined) this.networkKeys.set(n.ID, (k = digest(n)));
    return k;
  }

  private meshPeers(): { list: MeshPeer[]; key: string } {
    if (!this.peers) {
      const list = meshPeers(this.store.list('node'));
      this.peers = { list, key: digest(list) };
    }
    return this.peers;
  }
}

/** On no network by its spec or through the node's own tasks, and publishing no ingress port. */
function isolated(s: Service, mine: readonly Task[]): boolean {
  return !publishesIngress(s) && serviceNetworks(s).length === 0 && mine.every((t) => taskNetworks(t).length === 0);
}

/**
 * The view for `nodeID` (Revision as given): networks and services sorted by ID, each service's tasks
 * after it sorted by ID, so equal stores give equal views. For many nodes at once, use a ViewPass.
 */
export function deriveNetworkView(store: ViewStore, nodeID: string, revision: number): NetworkView {
  return new ViewPass(store, revision).view(nodeID).view;
}
