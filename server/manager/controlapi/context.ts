import type { ClusterStore } from '../../store/cluster-store';
import type { Clock } from '../../util/clock';

export interface ControlApiOptions {
  selfNodeID: string;
  /** This manager's cluster address (`ManagerStatus.Addr`, host:port). */
  managerAddr: string;
  isLeader: () => boolean;
  clock: Clock;
}

/** What every part of the control API works against. */
export interface ControlDeps extends ControlApiOptions {
  store: ClusterStore;
}
