import type { ClusterStore } from '../store/cluster-store';
import type { Clock } from '../util/clock';
import type { ControlApi } from './controlapi/types';
import type { DispatcherApi } from './dispatcher/api';

/** What the edges (Engine API, console, realtime gateway) get from the manager. */
export interface ManagerContext {
  store: ClusterStore;
  control: ControlApi;
  dispatcher: DispatcherApi;
  clock: Clock;
  /** This manager's own node ID (`docker info` Swarm.NodeID). */
  selfNodeID: string;
  /** Addresses this manager advertises. */
  advertiseAddr: string;
  clusterAddr: string;
  startedAt: number;
}
