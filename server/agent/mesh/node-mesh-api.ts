// What the Agent asks of its node's routing mesh: it hands on every NetworkView,
// reports the mesh's errors on heartbeats, and drains tasks before stopping them.
import type { NetworkView } from '../../api/network-view';
import type { MeshPortError, PortConfig, Task } from '../../api/types';
import type { TaskDrain } from './drain';

export interface NodeMeshHooks {
  /** The latest NetworkView for this node (already checked to be newer). */
  setView(view: NetworkView): void;
  /** What the mesh cannot do now (ports it cannot bind), one line each. */
  errors(): string[];
  /** The published ports it cannot bind, per service (the service's MeshErrors). */
  portErrors?(): MeshPortError[];
  /** Calls `fn` when a host-mode published port of a service cannot be bound (its tasks here fail). */
  onHostPortError?(fn: (serviceID: string, message: string) => void): () => void;
  readonly drain: TaskDrain;
  /** The task's host-mode published ports, for its Status.PortStatus (`service ps` PORTS). */
  portStatus?(task: Task): PortConfig[];
}
