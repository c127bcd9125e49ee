// The network topology as a graph: a pure function of the store's networks,
// services, tasks and nodes, so what the view draws (and what it leaves out)
// is unit-tested without a browser. Positions are not decided here
// (topology-layout.ts does that); filters are (applyTopologyFilter).

import type { ViewTask } from '@/server/api/network-view';
import { NETWORK_MODE_LABEL } from '@/server/api/network-view';
import type { Network, Node, PortConfig, Service, Task, TaskState, UpdateState } from '@/server/api/types';
import { isTerminal, stateAfter } from '@/server/api/types';
import { modeOf, naturalCompare, nodeName, replicaCounts, type ServiceModeName } from '../cluster/derive';
import { healthOf, taskName, type Health } from '../nodes/node-view';

/** `docker stack deploy` labels services and networks with their stack. */
export const STACK_LABEL = 'com.docker.stack.namespace';
/** The overlay driver's state key holding the network's VXLAN ID(s). */
export const VXLAN_KEY = 'com.docker.network.driver.overlay.vxlanid_list';
/** The group holding PENDING tasks no node took yet. */
export const UNASSIGNED_NODE = 'node:';

export type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'neutral';

export interface SubnetInfo {
  subnet: string;
  gateway?: string;
  range?: string;
}

export interface NetworkCard {
  kind: 'network';
  id: string;
  networkID: string;
  name: string;
  driver: string;
  subnets: SubnetInfo[];
  ingress: boolean;
  attachable: boolean;
  internal: boolean;
  vxlan?: string;
  /** VIPs, task and node addresses on this network. */
  inUse: number;
  /** Assignable IPv4 addresses (minus network, broadcast and gateway); absent without IPAM. */
  capacity?: number;
  stack?: string;
}

export interface PortCard {
  kind: 'port';
  id: string;
  serviceID: string;
  protocol: string;
  /** Absent until the allocator picks one (30000-32767). */
  published?: number;
  target?: number;
  mode: 'ingress' | 'host';
}

export interface AddressOn {
  networkID: string;
  networkName: string;
  /** CIDR text as the allocator writes it (`10.0.1.5/24`). */
  addr: string;
}

export interface ServiceCard {
  kind: 'service';
  id: string;
  serviceID: string;
  name: string;
  mode: ServiceModeName;
  running: number;
  desired: number;
  endpointMode: 'vip' | 'dnsrr';
  vips: AddressOn[];
  /** `8080:80/tcp` (or `*:80/tcp` before a port is picked), with ` (host)` for host mode. */
  ports: string[];
  updateState?: UpdateState;
  stack?: string;
  tone: Tone;
}

export interface NodeGroup {
  kind: 'node';
  id: string;
  /** '' for the unassigned group. */
  nodeID: string;
  name: string;
  role?: Node['Spec']['Role'];
  availability?: Node['Spec']['Availability'];
  state?: Node['Status']['State'];
  addr?: string;
  leader: boolean;
  /** The node's task network mode (`netns` or `host`), once its agent says. */
  networkMode?: string;
  /** The node's load-balancer addresses (Node.Attachments). */
  attachments: AddressOn[];
  tone: Tone;
}

export interface TaskCard {
  kind: 'task';
  id: string;
  taskID: string;
  serviceID: string;
  /** The group it is drawn in (`node:<id>`, or UNASSIGNED_NODE). */
  parent: string;
  /** The node's name, or '' when unassigned. */
  nodeName: string;
  name: string;
  slot: number;
  state: TaskState;
  desired: TaskState;
  health?: Health;
  /** Told to stop (or its agent stopped routing to it) while it still runs. */
  draining: boolean;
  addresses: AddressOn[];
  tone: Tone;
}

export type TopologyItem = NetworkCard | PortCard | ServiceCard | NodeGroup | TaskCard;

export interface TopologyEdge {
  id: string;
  /**
   * network → service, published port → service, and service → node group
   * (one per node its tasks run on, labelled with how many: one edge per task
   * made a thicket that crossed the group headers and task cards).
   */
  kind: 'attachment' | 'published' | 'backend';
  source: string;
  target: string;
  label?: string;
  /** backend: how many of the service's tasks are in the group. */
  tasks?: number;
  /** backend: some of them are draining. */
  draining?: boolean;
}

export interface TopologyModel {
  networks: NetworkCard[];
  ports: PortCard[];
  services: ServiceCard[];
  nodes: NodeGroup[];
  tasks: TaskCard[];
  edges: TopologyEdge[];
  /** Every stack label seen on a service or network, sorted. */
  stacks: string[];
}

export interface TopologyInput {
  networks: Iterable<Network>;
  services: Iterable<Service>;
  tasks: Iterable<Task & Pick<ViewTask, 'Draining'>>;
  nodes: Iterable<Node>;
}

export const networkKey = (id: string) => `net:${id}`;
export const serviceKey = (id: string) => `svc:${id}`;
export const nodeKey = (id: string) => `node:${id}`;
export const taskKey = (id: string) => `task:${id}`;

/** The address part of `10.0.1.5/24`. */
export const bareAddr = (cidr: string): string => cidr.split('/')[0] ?? cidr;

/** Addresses an IPv4 CIDR can hand out: all but network, broadcast and (when inside it) the gateway. */
export function assignable(cidr: string, gatewayInside: boolean): number | undefined {
  const m = /^(\d{1,3}\.){3}\d{1,3}\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const bits = 32 - Number(m[2]);
  if (bits < 2) return bits === 1 ? 2 : 1; // /31 point-to-point and /32 host routes
  return 2 ** bits - 2 - (gatewayInside ? 1 : 0);
}

/** A live task is drawn: anything not yet terminal. Finished tasks belong to the history tables. */
export const isDrawn = (t: Task): boolean => !isTerminal(t.Status.State);

export function isDraining(t: Task & Pick<ViewTask, 'Draining'>): boolean {
  return !isTerminal(t.Status.State) && (t.Draining === true || stateAfter(t.DesiredState, 'running'));
}

function taskTone(t: TaskCard): Tone {
  if (t.draining) return 'warn';
  if (t.health === 'unhealthy') return 'bad';
  if (t.state === 'running') return t.health === 'starting' ? 'info' : 'ok';
  if (t.state === 'pending' && t.parent === UNASSIGNED_NODE) return 'warn';
  return 'info';
}

function nodeTone(n: Node): Tone {
  if (n.Status.State === 'down' || n.Status.State === 'disconnected') return 'bad';
  if (n.Spec.Availability === 'drain') return 'warn';
  if (n.Spec.Availability === 'pause' || n.Status.State === 'unknown') return 'info';
  return 'ok';
}

function portText(p: PortConfig): string {
  const proto = p.Protocol ?? 'tcp';
  const pub = p.PublishedPort ? String(p.PublishedPort) : '*';
  return `${pub}:${p.TargetPort ?? '?'}/${proto}${p.PublishMode === 'host' ? ' (host)' : ''}`;
}

function subnetsOf(n: Network): SubnetInfo[] {
  const configs = n.IPAMOptions?.Configs ?? n.Spec.IPAMOptions?.Configs ?? [];
  return configs.map((c) => ({
    subnet: c.Subnet,
    ...(c.Gateway ? { gateway: c.Gateway } : {}),
    ...(c.Range ? { range: c.Range } : {}),
  }));
}

function capacityOf(subnets: SubnetInfo[]): number | undefined {
  let total: number | undefined;
  for (const s of subnets) {
    const n = assignable(s.range ?? s.subnet, !!s.gateway);
    if (n !== undefined) total = (total ?? 0) + n;
  }
  return total;
}

export interface TopologyOptions {
  /**
   * false: no task cards (`tasks` is empty), only what they add up to: addresses in use and the backend
   * edges with their counts. The wall's lanes need no more, and naming and sorting 5,000 cards on each
   * redraw was a task of about 100 ms.
   */
  taskCards?: boolean;
}

/**
 * Build the graph. Deterministic: every list is sorted, so equal inputs give equal models (without task
 * cards, the backend edges come in the tasks' order).
 */
export function buildTopology(input: TopologyInput, options: TopologyOptions = {}): TopologyModel {
  const withCards = options.taskCards !== false;
  const networks = [...input.networks].sort((a, b) => naturalCompare(a.Spec.Name, b.Spec.Name) || cmp(a.ID, b.ID));
  const services = [...input.services].sort((a, b) => naturalCompare(a.Spec.Name, b.Spec.Name) || cmp(a.ID, b.ID));
  const nodes = [...input.nodes].sort((a, b) => naturalCompare(nodeName(a), nodeName(b)) || cmp(a.ID, b.ID));
  const allTasks = [...input.tasks];

  const netByID = new Map(networks.map((n) => [n.ID, n]));
  const netByName = new Map(networks.map((n) => [n.Spec.Name, n]));
  const resolveNet = (target: string): Network | undefined => netByID.get(target) ?? netByName.get(target);
  const netName = (id: string, fallback?: string) => netByID.get(id)?.Spec.Name ?? fallback ?? id.slice(0, 12);
  const inUse = new Map<string, number>();
  const use = (networkID: string, n = 1) => inUse.set(networkID, (inUse.get(networkID) ?? 0) + n);
  const serviceByID = new Map(services.map((s) => [s.ID, s]));
  const nodeByID = new Map(nodes.map((n) => [n.ID, n]));

  const edges: TopologyEdge[] = [];
  const ports: PortCard[] = [];
  const serviceCards: ServiceCard[] = [];
  const tasksOf = new Map<string, Task[]>();
  for (const t of allTasks) {
    let l = tasksOf.get(t.ServiceID);
    if (!l) tasksOf.set(t.ServiceID, (l = []));
    l.push(t);
  }

  for (const s of services) {
    const key = serviceKey(s.ID);
    const vips: AddressOn[] = (s.Endpoint.VirtualIPs ?? []).map((v) => ({
      networkID: v.NetworkID,
      networkName: netName(v.NetworkID),
      addr: v.Addr,
    }));
    for (const v of vips) use(v.networkID);
    // attached networks: the spec's (by ID or name) and any the allocator gave a VIP on (ingress)
    const attached = new Map<string, string[]>();
    for (const a of s.Spec.TaskTemplate.Networks ?? s.Spec.Networks ?? []) {
      const n = resolveNet(a.Target);
      if (n) attached.set(n.ID, a.Aliases ?? []);
    }
    for (const v of vips) if (netByID.has(v.networkID) && !attached.has(v.networkID)) attached.set(v.networkID, []);
    for (const [networkID, aliases] of attached) {
      const vip = vips.find((v) => v.networkID === networkID);
      const parts = [vip ? `VIP ${bareAddr(vip.addr)}` : '', aliases.length ? `aliases ${aliases.join(', ')}` : ''];
      const label = parts.filter(Boolean).join(' · ');
      edges.push({
        id: `att:${networkID}:${s.ID}`,
        kind: 'attachment',
        source: networkKey(networkID),
        target: key,
        ...(label ? { label } : {}),
      });
    }

    const published = s.Endpoint.Ports ?? s.Endpoint.Spec.Ports ?? s.Spec.EndpointSpec?.Ports ?? [];
    for (const p of published) {
      const protocol = p.Protocol ?? 'tcp';
      const mode = p.PublishMode === 'host' ? 'host' : 'ingress';
      const id = `port:${s.ID}:${protocol}:${p.PublishedPort ?? `t${p.TargetPort ?? 0}`}:${mode}`;
      ports.push({
        kind: 'port',
        id,
        serviceID: s.ID,
        protocol,
        ...(p.PublishedPort ? { published: p.PublishedPort } : {}),
        ...(p.TargetPort !== undefined ? { target: p.TargetPort } : {}),
        mode,
      });
      edges.push({ id: `pub:${id}`, kind: 'published', source: id, target: key, label: mode });
    }

    const { running, desired } = replicaCounts(s, tasksOf.get(s.ID) ?? []);
    const stack = s.Spec.Labels[STACK_LABEL];
    const updating = s.UpdateStatus?.State;
    serviceCards.push({
      kind: 'service',
      id: key,
      serviceID: s.ID,
      name: s.Spec.Name,
      mode: modeOf(s),
      running,
      desired,
      endpointMode: s.Endpoint.Spec.Mode ?? s.Spec.EndpointSpec?.Mode ?? 'vip',
      vips,
      ports: published.map(portText),
      ...(updating ? { updateState: updating } : {}),
      ...(stack ? { stack } : {}),
      tone: running >= desired ? (s.Faults?.length ? 'warn' : 'ok') : running === 0 && desired > 0 ? 'bad' : 'warn',
    });
  }

  const taskCards: TaskCard[] = [];
  const placed: BackendEnd[] = [];
  let unassigned = false;
  for (const t of allTasks) {
    if (!isDrawn(t)) continue;
    const node = t.NodeID !== '' ? nodeByID.get(t.NodeID) : undefined;
    const onNode = node !== undefined;
    if (!onNode) unassigned = true;
    if (!withCards) {
      for (const a of t.NetworksAttachments ?? []) use(a.Network.ID, a.Addresses?.length ?? 0);
      placed.push({
        serviceID: t.ServiceID,
        parent: onNode ? nodeKey(t.NodeID) : UNASSIGNED_NODE,
        draining: isDraining(t),
      });
      continue;
    }
    const addresses: AddressOn[] = [];
    for (const a of t.NetworksAttachments ?? []) {
      for (const addr of a.Addresses ?? []) {
        addresses.push({ networkID: a.Network.ID, networkName: netName(a.Network.ID, a.Network.Spec.Name), addr });
        use(a.Network.ID);
      }
    }
    const health = healthOf(t);
    const card: TaskCard = {
      kind: 'task',
      id: taskKey(t.ID),
      taskID: t.ID,
      serviceID: t.ServiceID,
      parent: onNode ? nodeKey(t.NodeID) : UNASSIGNED_NODE,
      nodeName: node ? nodeName(node) : '',
      name: taskName(t, serviceByID.get(t.ServiceID)),
      slot: t.Slot,
      state: t.Status.State,
      desired: t.DesiredState,
      ...(health ? { health } : {}),
      draining: isDraining(t),
      addresses,
      tone: 'neutral',
    };
    card.tone = taskTone(card);
    taskCards.push(card);
  }
  taskCards.sort((a, b) => naturalCompare(a.name, b.name) || cmp(a.taskID, b.taskID));
  edges.push(...backendEdges(withCards ? taskCards : placed, serviceByID));

  const nodeGroups: NodeGroup[] = nodes.map((n) => {
    const attachments: AddressOn[] = [];
    for (const a of n.Attachments ?? []) {
      for (const addr of a.Addresses ?? []) {
        attachments.push({ networkID: a.Network.ID, networkName: netName(a.Network.ID, a.Network.Spec.Name), addr });
        use(a.Network.ID);
      }
    }
    const mode = n.Description.Engine.Labels?.[NETWORK_MODE_LABEL];
    return {
      kind: 'node',
      id: nodeKey(n.ID),
      nodeID: n.ID,
      name: nodeName(n),
      role: n.Spec.Role,
      availability: n.Spec.Availability,
      state: n.Status.State,
      addr: n.Status.Addr,
      leader: n.ManagerStatus?.Leader === true,
      ...(mode ? { networkMode: mode } : {}),
      attachments,
      tone: nodeTone(n),
    };
  });
  if (unassigned) {
    nodeGroups.push({
      kind: 'node',
      id: UNASSIGNED_NODE,
      nodeID: '',
      name: 'not on a node',
      leader: false,
      attachments: [],
      tone: 'warn',
    });
  }

  const networkCards: NetworkCard[] = networks.map((n) => {
    const subnets = subnetsOf(n);
    const capacity = capacityOf(subnets);
    const vxlan = n.DriverState?.Options?.[VXLAN_KEY];
    const stack = n.Spec.Labels[STACK_LABEL];
    return {
      kind: 'network',
      id: networkKey(n.ID),
      networkID: n.ID,
      name: n.Spec.Name,
      driver: n.Spec.DriverConfiguration?.Name ?? n.DriverState?.Name ?? 'overlay',
      subnets,
      ingress: n.Spec.Ingress === true,
      attachable: n.Spec.Attachable === true,
      internal: n.Spec.Internal === true,
      ...(vxlan ? { vxlan } : {}),
      inUse: inUse.get(n.ID) ?? 0,
      ...(capacity !== undefined ? { capacity } : {}),
      ...(stack ? { stack } : {}),
    };
  });

  const stacks = new Set<string>();
  for (const s of serviceCards) if (s.stack) stacks.add(s.stack);
  for (const n of networkCards) if (n.stack) stacks.add(n.stack);

  return {
    networks: networkCards,
    ports,
    services: serviceCards,
    nodes: nodeGroups,
    tasks: taskCards,
    edges,
    stacks: [...stacks].sort(naturalCompare),
  };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** What a backend edge needs of a task: its service, its node group, and whether it drains. */
type BackendEnd = Pick<TaskCard, 'serviceID' | 'parent' | 'draining'>;

/** One edge per service and node group its tasks are drawn in, in task order, labelled with the count. */

function backendEdges(tasks: readonly BackendEnd[], services: ReadonlyMap<string, Service>): TopologyEdge[] {
  const byPair = new Map<string, TopologyEdge & { tasks: number }>();
  for (const t of tasks) {
    if (!services.has(t.serviceID)) continue;
    const id = `be:${t.serviceID}:${t.parent}`;
    let e = byPair.get(id);
    if (!e) {
      e = { id, kind: 'backend', source: serviceKey(t.serviceID), target: t.parent, tasks: 0 };
      byPair.set(id, e);
    }
    e.tasks++;
    if (t.draining) e.draining = true;
  }
  return [...byPair.values()].map((e) => ({ ...e, label: e.tasks === 1 ? '1 task' : `${e.tasks} tasks` }));
}

export interface TopologyFilter {
  /** A network ID. */
  network?: string;
  stack?: string;
  /** A service ID. */
  service?: string;
}

export const isFiltered = (f: TopologyFilter): boolean => !!(f.network || f.stack || f.service);

/**
 * What a filter leaves: the matching services, their ports and tasks, the
 * networks they attach to (or the one chosen), and every node group (the
 * cluster stays in view so a task's placement reads against all nodes).
 */
export function applyTopologyFilter(m: TopologyModel, f: TopologyFilter): TopologyModel {
  if (!isFiltered(f)) return m;
  const attachedTo = new Map<string, Set<string>>(); // service key → network keys
  for (const e of m.edges) {
    if (e.kind !== 'attachment') continue;
    let s = attachedTo.get(e.target);
    if (!s) attachedTo.set(e.target, (s = new Set()));
    s.add(e.source);
  }
  const netKey = f.network ? networkKey(f.network) : undefined;
  const services = m.services.filter(
    (s) =>
      (!f.service || s.serviceID === f.service) &&
      (!f.stack || s.stack === f.stack) &&
      (!netKey || attachedTo.get(s.id)?.has(netKey) === true),
  );
  const svcIDs = new Set(services.map((s) => s.serviceID));
  const netKeys = new Set<string>();
  if (netKey) netKeys.add(netKey);
  else {
    for (const s of services) for (const n of attachedTo.get(s.id) ?? []) netKeys.add(n);
    if (f.stack && !f.service) for (const n of m.networks) if (n.stack === f.stack) netKeys.add(n.id);
  }
  const networks = m.networks.filter((n) => netKeys.has(n.id));
  const ports = m.ports.filter((p) => svcIDs.has(p.serviceID));
  const tasks = m.tasks.filter((t) => svcIDs.has(t.serviceID));
  const parents = new Set(tasks.map((t) => t.parent));
  const nodes = m.nodes.filter((n) => n.id !== UNASSIGNED_NODE || parents.has(n.id));
  const ids = new Set<string>([...networks, ...ports, ...services, ...nodes, ...tasks].map((i) => i.id));
  const edges = m.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  return { networks, ports, services, nodes, tasks, edges, stacks: m.stacks };
}
