// A service's published ports that some node's routing mesh cannot bind, from
// what each node reported on its heartbeats (Node.MeshErrors). Read-time only:
// shown in raw `docker service inspect` JSON as the Swarmdeck-only MeshErrors
// and on the console's service page. Nodes that are not ready report nothing
// current, so they are left out.
import type { Node, ServiceMeshError } from './types';

export function serviceMeshErrors(serviceID: string, nodes: Iterable<Node>): ServiceMeshError[] {
  const out: ServiceMeshError[] = [];
  for (const n of nodes) {
    if (n.Status.State !== 'ready') continue;
    for (const e of n.MeshErrors ?? []) {
      if (e.ServiceID !== serviceID) continue;
      const { ServiceID: _s, ...rest } = e;
      out.push({ NodeID: n.ID, Hostname: n.Description.Hostname, ...rest });
    }
  }
  return out.sort((a, b) => a.Hostname.localeCompare(b.Hostname) || a.PublishedPort - b.PublishedPort);
}
