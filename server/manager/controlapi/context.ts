import type { ClusterStore } from '../../store/cluster-store';
import type { Clock } from '../../util/clock';
import type { MembershipView } from '../membership/status';

/** The raft group as the control API needs it (absent: a store without raft membership, in unit tests). */
export interface RaftMembership {
  view(): MembershipView;
}

export interface ControlApiOptions {
  selfNodeID: string;
  /** This manager's cluster address (`ManagerStatus.Addr`, host:port). */
  managerAddr: string;
  isLeader: () => boolean;
  clock: Clock;
  /**
   * Awaited before every write (raft's ReadIndex): the transaction then reads a store that has
   * every write acknowledged before, so a deposed leader that has not noticed cannot refuse a
   * write with a false version conflict.
   */
  barrier?: () => Promise<unknown>;
  raft?: RaftMembership;
}

/** What every part of the control API works against. */
export interface ControlDeps extends ControlApiOptions {
  store: ClusterStore;
}
