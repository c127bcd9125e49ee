import type { AuditSink } from '../api/audit';
import type { LogsApi } from '../api/logs';
import type { RaftHealth } from '../api/raft-health';
import type { ManagerStatus } from '../api/types';
import type { ClusterStore } from '../store/cluster-store';
import type { Clock } from '../util/clock';
import type { ControlApi } from './controlapi/types';
import type { DispatcherApi } from './dispatcher/api';
import type { MembershipView } from './membership/status';
import type { PassTimings } from './pass-timings';
import type { RaftViewSource } from './raft-view-source';

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
  /** The raft group as this manager sees it (the console's Raft panel). */
  raft?: RaftViewSource;
  /** This manager's raft member in numbers (`GET /swarmdeck/raft`). */
  raftHealth?: () => RaftHealth;
  /** Whether this manager's store is the leader's or a follower's replica (reads are served from it). */
  replica?: () => 'leader' | 'follower';
  /** A node's ManagerStatus from the live raft membership (undefined: not a member). */
  managerStatus?: (nodeID: string) => ManagerStatus | undefined;
  /** The raft membership as this manager sees it. */
  membership?: () => MembershipView;
  /** Task logs (`docker service logs`, the console's log view), from the leader's log broker. */
  logs?: LogsApi;
  /**
   * `docker swarm leave --force` on this manager: out of raft (as far as the others can take it out),
   * then, once the answer is sent, the process stops and forgets its identity. Absent: it cannot leave.
   */
  leaveSwarm?: () => Promise<() => void>;
  /** Records what is not a store write (failed logins, refused requests); store writes are stamped by ClusterStore. */
  audit?: AuditSink;
  /** The leader's control loops' pass and rollout times (the /metrics histograms). */
  passTimings?: Pick<PassTimings, 'listen'>;
  /** This manager's Prometheus exposition (`GET /metrics`); absent: not served. */
  metrics?: { scrape(): Promise<{ contentType: string; body: string }> };
}
