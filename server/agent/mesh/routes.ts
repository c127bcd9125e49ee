// What this node's mesh listens on and where each listener may send a
// connection, from the latest NetworkView: every ingress-published port on
// every node (backends: the service's ready tasks on any node that runs a
// mesh), a host-mode port only on a node running a task of the service
// (backends: that node's ready tasks). "Ready" is the DNS rule (servesTraffic):
// RUNNING, not told to stop, healthy if checked; a Draining task is out too.
import { meshPorts } from '../../api/mesh-ports';
import type { NetworkView, ViewTask } from '../../api/network-view';
import { stateValue } from '../../api/types';
import { servesTraffic } from '../../dns/serving';

export type MeshProto = 'tcp' | 'udp';

export interface Backend {
  taskID: string;
  nodeID: string;
}

export interface Route {
  /** `tcp/18080`: one listener per protocol and published port. */
  key: string;
  proto: MeshProto;
  publishedPort: number;
  targetPort: number;
  serviceID: string;
  serviceName: string;
  mode: 'ingress' | 'host';
  backends: Backend[];
}

export interface RouteSet {
  routes: Route[];
  /** Ports two services claim (the allocator should prevent it): the first service by ID keeps it. */
  conflicts: string[];
}

export const routeKey = (proto: MeshProto, port: number): string => `${proto}/${port}`;

export function isBackend(t: ViewTask): boolean {
  return !t.Draining && servesTraffic(t);
}

const isLive = (t: ViewTask) =>
  stateValue(t.Status.State) >= stateValue('assigned') && stateValue(t.Status.State) <= stateValue('running');

export function meshRoutes(view: NetworkView, nodeID: string): RouteSet {
  const meshNodes = new Set(view.Peers.map((p) => p.NodeID));
  meshNodes.add(nodeID);
  const tasksBy = new Map<string, ViewTask[]>();
  for (const t of view.Tasks) {
    const list = tasksBy.get(t.ServiceID);
    if (list) list.push(t);
    else tasksBy.set(t.ServiceID, [t]);
  }
  const routes = new Map<string, Route>();
  const conflicts: string[] = [];
  for (const s of [...view.Services].sort((a, b) => a.ID.localeCompare(b.ID))) {
    const tasks = tasksBy.get(s.ID) ?? [];
    for (const p of meshPorts(s)) {
      const proto = p.Protocol ?? 'tcp';
      if (proto !== 'tcp' && proto !== 'udp') continue; // SCTP: not routed by a userspace proxy
      const mode = p.PublishMode ?? 'ingress';
      const local = tasks.filter((t) => t.NodeID === nodeID);
      if (mode === 'host' && !local.some(isLive)) continue;
      const candidates = mode === 'host' ? local : tasks.filter((t) => meshNodes.has(t.NodeID));
      const key = routeKey(proto, p.PublishedPort!);
      const have = routes.get(key);
      if (have) {
        if (have.serviceID !== s.ID)
          conflicts.push(`port ${key} is published by services ${have.serviceName} and ${s.Spec.Name}`);
        continue;
      }
      routes.set(key, {
        key,
        proto,
        publishedPort: p.PublishedPort!,
        targetPort: p.TargetPort!,
        serviceID: s.ID,
        serviceName: s.Spec.Name,
        mode,
        backends: candidates
          .filter(isBackend)
          .map((t) => ({ taskID: t.ID, nodeID: t.NodeID }))
          .sort((a, b) => a.taskID.localeCompare(b.taskID)),
      });
    }
  }
  return { routes: [...routes.values()], conflicts };
}
