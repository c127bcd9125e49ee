// Per-node accounting the scheduler decides on (swarmkit's NodeInfo): built
// once per pass from the store, then updated in place as tasks are placed.

import { genericCapacity, genericDemand } from '../../api/generic-resources';
import type { Node, PortConfig, Service, Task } from '../../api/types';
import { TASK_STATE_VALUE, TASK_STATES, type TaskState } from '../../api/types';

export interface NodeInfo {
  node: Node;
  /** position in the node list: a stable tie-break between equal nodes */
  order: number;
  /** tracked tasks whose desired state is ≤ complete */
  activeTasksCount: number;
  activeTasksCountByService: Map<string, number>;
  /** Description.Resources minus the reservations of every tracked task */
  availableNanoCPUs: number;
  availableMemoryBytes: number;
  /** Description.Resources.GenericResources per kind, minus the discrete reservations of tracked tasks */
  availableGeneric: Map<string, number>;
  /** `protocol/port` of host-mode published ports held by tracked tasks */
  usedHostPorts: Set<string>;
  /** Recent failures here per service+spec version (node-failures.ts), when any. */
  recentFailures?: Map<string, number>;
}

export function newNodeInfo(node: Node, order = 0): NodeInfo {
  const r = node.Description?.Resources;
  return {
    node,
    order,
    activeTasksCount: 0,
    activeTasksCountByService: new Map(),
    availableNanoCPUs: r?.NanoCPUs ?? 0,
    availableMemoryBytes: r?.MemoryBytes ?? 0,
    availableGeneric: genericCapacity(r?.GenericResources),
    usedHostPorts: new Set(),
  };
}

/** The scheduler tracks tasks whose observed state is in [pending, running]. */
export function isTracked(t: Task): boolean {
  const s = TASK_STATE_VALUE[t.Status.State];
  return s >= TASK_STATE_VALUE.pending && s <= TASK_STATE_VALUE.running;
}

/** The observed states of a task that holds its node's resources: tracked, and placed (past pending). */
export const HELD_STATES: readonly TaskState[] = TASK_STATES.filter(
  (s) => TASK_STATE_VALUE[s] > TASK_STATE_VALUE.pending && TASK_STATE_VALUE[s] <= TASK_STATE_VALUE.running,
);

/** Active tasks count for spreading and MaxReplicas: desired ≤ complete. */
export function isActive(t: Task): boolean {
  return TASK_STATE_VALUE[t.DesiredState] <= TASK_STATE_VALUE.complete;
}

/** Account a task to its node (resources, ports, counts). */
export function addTask(info: NodeInfo, t: Task, ports?: readonly PortConfig[]): void {
  const res = t.Spec.Resources?.Reservations;
  info.availableNanoCPUs -= res?.NanoCPUs ?? 0;
  info.availableMemoryBytes -= res?.MemoryBytes ?? 0;
  for (const [kind, n] of genericDemand(res?.GenericResources))
    if (Number.isFinite(n)) info.availableGeneric.set(kind, (info.availableGeneric.get(kind) ?? 0) - n);
  for (const key of hostPortKeys(ports)) info.usedHostPorts.add(key);
  if (isActive(t)) {
    info.activeTasksCount++;
    info.activeTasksCountByService.set(t.ServiceID, (info.activeTasksCountByService.get(t.ServiceID) ?? 0) + 1);
  }
}

export function activeOfService(info: NodeInfo, serviceID: string): number {
  return info.activeTasksCountByService.get(serviceID) ?? 0;
}

/** `protocol/port` for each host-mode port with a fixed published port. */
export function hostPortKeys(ports: readonly PortConfig[] | undefined): string[] {
  const out: string[] = [];
  for (const p of ports ?? []) {
    if (p.PublishMode === 'host' && p.PublishedPort) out.push(`${p.Protocol ?? 'tcp'}/${p.PublishedPort}`);
  }
  return out;
}

/**
 * The ports a task publishes. swarmkit reads the endpoint copied onto the
 * task; until tasks carry one we fall back to the service's endpoint.
 */
export function taskPorts(t: Task, service: Service | undefined): readonly PortConfig[] | undefined {
  const own = (t as Task & { Endpoint?: { Ports?: PortConfig[] } }).Endpoint?.Ports;
  if (own) return own;
  if (!service) return undefined;
  return service.Endpoint?.Ports ?? service.Endpoint?.Spec?.Ports ?? service.Spec.EndpointSpec?.Ports;
}
