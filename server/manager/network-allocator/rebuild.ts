// The allocator's state at leader start, rebuilt from the store's objects
// (swarmkit's allocator re-reads allocated networks, services, tasks and
// nodes and marks their subnets, VXLAN IDs, ports and addresses used). As in
// swarmkit the serial cursors start afresh: the state lives only in memory.

import type { Cluster, Network, Node, Service, Task } from '../../api/types';
import { poolConfig } from './address-pool';
import { taskDead } from './attachments';
import { AllocError } from './errors';
import { NetworkAllocator } from './network-allocator';

export interface StoredObjects {
  cluster?: Pick<Cluster, 'DefaultAddrPool' | 'SubnetSize'>;
  networks: Network[];
  services: Service[];
  tasks: Task[];
  nodes: Node[];
}

/** An object whose stored allocation could not be claimed again (it clashes with one read before it). */
export interface RestoreProblem {
  kind: 'network' | 'service' | 'task' | 'node';
  id: string;
  message: string;
}

export interface Rebuilt {
  allocator: NetworkAllocator;
  problems: RestoreProblem[];
  /** networks never allocated (no IPAMOptions yet): the loop allocates these, ingress first */
  unallocatedNetworks: string[];
}

/** Stored networks carry IPAMOptions once allocated. */
export function isNetworkAllocated(n: Network): boolean {
  return (n.IPAMOptions?.Configs?.length ?? 0) > 0;
}

const byCreation = <T extends { CreatedAt: string; ID: string }>(a: T, b: T) =>
  a.CreatedAt.localeCompare(b.CreatedAt) || a.ID.localeCompare(b.ID);

export function rebuildAllocator(objs: StoredObjects): Rebuilt {
  const allocator = new NetworkAllocator(poolConfig(objs.cluster?.DefaultAddrPool, objs.cluster?.SubnetSize));
  const problems: RestoreProblem[] = [];
  const attempt = (kind: RestoreProblem['kind'], id: string, f: () => void) => {
    try {
      f();
    } catch (err) {
      if (!(err instanceof AllocError)) throw err;
      problems.push({ kind, id, message: err.message });
    }
  };
  // ingress first, as swarmkit allocates it before any other network
  const networks = [...objs.networks].sort(
    (a, b) => Number(!!b.Spec.Ingress) - Number(!!a.Spec.Ingress) || byCreation(a, b),
  );
  const unallocatedNetworks: string[] = [];
  for (const n of networks) {
    if (isNetworkAllocated(n)) attempt('network', n.ID, () => allocator.allocateNetwork(n));
    else unallocatedNetworks.push(n.ID);
  }
  for (const s of [...objs.services].sort(byCreation)) attempt('service', s.ID, () => allocator.restoreService(s));
  for (const t of [...objs.tasks].sort(byCreation)) {
    if (!taskDead(t)) attempt('task', t.ID, () => allocator.restoreTask(t));
  }
  for (const n of [...objs.nodes].sort(byCreation)) attempt('node', n.ID, () => allocator.restoreNode(n));
  return { allocator, problems, unallocatedNetworks };
}
