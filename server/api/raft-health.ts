// One manager's raft state in numbers: `GET /swarmdeck/raft` on its Engine API
// (the local admin interface), for tests, benchmarks and operators. The cluster
// port's unauthenticated /healthz says only that the process is up.

export interface RaftHealth {
  /** This member's raft ID (its node ID). */
  id: string;
  role: string;
  /** '' when there is no known leader. */
  leader: string;
  /** This member leads and has committed an entry of its term (it may write). */
  leaderReady: boolean;
  term: number;
  commit: number;
  /** Index of the last entry applied to the store. */
  applied: number;
  voters: string[];
  learners: string[];
  snapshotIndex: number;
  snapshotsInstalled: number;
  timing: { tickMs: number; electionTick: number; heartbeatTick: number };
  /**
   * Leader only: followers it cannot replicate to because their next entry is larger than any
   * message may carry (an entry written before proposals were capped). Empty when healthy.
   */
  stalledReplication: { to: string; index: number; bytes: number; limit: number }[];
}
