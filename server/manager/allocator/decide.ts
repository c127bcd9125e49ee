// The allocator loop's decisions, pure: given the network allocator's state
// and a stored object, the object as it should be stored next (undefined:
// nothing to write). Each one is all or nothing (an AllocError leaves the
// allocator as it was) and idempotent: asked again for an object it already
// answered, it answers the same, so a pass re-run after a lost race writes
// the same addresses.

import type { Network, NetworkAttachment, Node, Service, Task } from '../../api/types';
import { TASK_STATE_VALUE } from '../../api/types';
import { deepEqual } from '../../util/deep-equal';
import { nodeNetworkIDs, taskDead } from '../network-allocator/attachments';
import type { NetworkAllocator } from '../network-allocator/network-allocator';
import { isNetworkAllocated } from '../network-allocator/rebuild';

export const PENDING_MESSAGE = 'pending task scheduling';

/** A NEW task the allocator should move on: one not already told to stop. */
export function needsAllocation(t: Task): boolean {
  return t.Status.State === 'new' && TASK_STATE_VALUE[t.DesiredState] < TASK_STATE_VALUE.shutdown;
}

/** A task whose addresses go back to the pool (swarmkit releases on a terminal observed state). */
export function releasesAddresses(t: Task): boolean {
  return taskDead(t);
}

/** The network with its subnets, gateways and VXLAN IDs (networks are stored with only a Spec). */
export function allocatedNetwork(na: NetworkAllocator, n: Network): Network | undefined {
  if (isNetworkAllocated(n) && n.DriverState) return undefined;
  const held = na.network(n.ID) ?? na.allocateNetwork(n);
  return { ...n, IPAMOptions: held.IPAMOptions, DriverState: held.DriverState };
}

/** The service with its Endpoint for its current spec (ports, VIPs), or undefined when it already shows it. */
export function serviceWithEndpoint(na: NetworkAllocator, s: Service): Service | undefined {
  const Endpoint = na.allocateService(s);
  return deepEqual(Endpoint, s.Endpoint) ? undefined : { ...s, Endpoint };
}

/**
 * The task, allocated: one address per network in NetworksAttachments, the service's allocated
 * endpoint copied (swarmkit Task.Endpoint), and PENDING, which hands it to the scheduler.
 * The copy keeps the task's own Endpoint.Spec: the orchestrator compares it with the service's.
 */
export function allocatedTask(na: NetworkAllocator, t: Task, s: Service | undefined, now: string): Task | undefined {
  if (!needsAllocation(t)) return undefined;
  const attachments = na.allocateTask(t, s);
  const next: Task = {
    ...t,
    Status: { ...t.Status, State: 'pending', Message: PENDING_MESSAGE, Timestamp: now },
  };
  if (attachments.length > 0) next.NetworksAttachments = attachments;
  if (s && (s.Endpoint.Ports || s.Endpoint.VirtualIPs)) {
    const { Ports, VirtualIPs } = s.Endpoint;
    next.Endpoint = {
      Spec: t.Endpoint?.Spec ?? s.Endpoint.Spec,
      ...(Ports ? { Ports } : {}),
      ...(VirtualIPs ? { VirtualIPs } : {}),
    };
  }
  return next;
}

const addressesOf = (list: NetworkAttachment[] | undefined) =>
  (list ?? []).map((a) => `${a.Network.ID}=${(a.Addresses ?? []).join(',')}`);

/**
 * The node with one load-balancer address on ingress and on every network a live task on it is
 * attached to (swarmkit getNodeNetworks); undefined when its stored addresses already say so.
 */
export function nodeWithAttachments(na: NetworkAllocator, node: Node, tasksOnNode: Task[]): Node | undefined {
  const wanted = nodeNetworkIDs(node.ID, tasksOnNode, na.ingress()?.ID).filter((id) => !!na.network(id));
  const Attachments = na.allocateNode(node.ID, wanted);
  if (deepEqual(addressesOf(Attachments), addressesOf(node.Attachments))) return undefined;
  if (Attachments.length === 0) {
    const { Attachments: _drop, ...rest } = node;
    return rest;
  }
  return { ...node, Attachments };
}

/** Whether a task change can change its node's attachments: it holds addresses, and is on a node. */
export function touchesNodeAttachments(t: Task): boolean {
  return !!t.NodeID && (t.NetworksAttachments?.length ?? 0) > 0;
}
