// Console-only view of the managers' raft group: what the Raft panel shows.
// Plain data, produced by the manager process and pushed to the browser.

export type RaftRole = 'leader' | 'follower' | 'candidate' | 'pre-candidate' | 'learner' | 'unknown';

export interface RaftMemberView {
  raftId: string;
  /** The swarm node this member runs on (raft ID = node ID in Swarmdeck). */
  nodeID: string;
  hostname: string;
  /** Cluster-port address. */
  addr: string;
  role: RaftRole;
  /** This manager's own entry. */
  self: boolean;
  /** Whether this manager's transport currently reaches the member (swarm's Reachable/Unreachable). */
  reachable: boolean;
  /** The leader's view of the follower: highest replicated index, and how far behind it is. */
  matchIndex?: number;
  lag?: number;
  /** Milliseconds since this manager last heard from the member. */
  lastContactMs?: number;
  /**
   * The leader's view: replication to this follower is stuck behind an entry larger than any message
   * may carry (only a log written before proposals were capped can hold one). It needs a snapshot.
   */
  stalled?: { index: number; bytes: number; limit: number };
}

export interface RaftView {
  /** Which manager produced this view (every manager serves its own console). */
  observedBy: string;
  at: string;
  term: number;
  /** '' when there is no known leader. */
  leader: string;
  role: RaftRole;
  commit: number;
  applied: number;
  snapshot: { index: number; bytes: number };
  members: RaftMemberView[];
  /** Voters, majority and how many more voters can be lost: "3 managers: can lose 1 more". */
  quorum: { voters: number; majority: number; reachableVoters: number; canLose: number };
  hasQuorum: boolean;
  /** Committed entries this manager could not apply (its store moved past them), newest last. */
  failedEntries: { total: number; recent: FailedEntryView[] };
}

/** A committed entry (or snapshot) this manager could not apply, and why. */
export interface FailedEntryView {
  index: number;
  term: number;
  kind: 'entry' | 'snapshot';
  error: string;
  /** When this manager applied it (ISO). */
  at: string;
}

export type RaftEventKind =
  | 'leader-elected'
  | 'leader-lost'
  | 'member-added'
  | 'member-promoted'
  | 'member-removed'
  | 'quorum-lost'
  | 'quorum-regained';

export interface RaftEvent {
  at: string;
  kind: RaftEventKind;
  term: number;
  /** The member the event is about (the new leader, the added member...). */
  member?: string;
}
