// Messages, configuration and the Ready hand-off of the pure raft core.
// Everything here is plain, JSON-serializable data.

import type { ConfState, Entry, HardState, RaftId, Snapshot, SnapshotMeta } from '../types';

/** '' means "nobody" (no leader known, no vote cast). */
export const NONE: RaftId = '';

export type Role = 'leader' | 'follower' | 'candidate' | 'pre-candidate' | 'learner';

export interface RaftConfig {
  id: RaftId;
  /** Ticks without hearing from a leader before campaigning; the real timeout is random in [e, 2e). */
  electionTick?: number;
  /** Ticks between leader heartbeats. */
  heartbeatTick?: number;
  /** Ask for votes without bumping the term first, so a rejoining node cannot disrupt a healthy leader. */
  preVote?: boolean;
  /** A leader that hears from no quorum within an election timeout steps down. */
  checkQuorum?: boolean;
  /** Append messages in flight per follower in the replicate state. */
  maxInflight?: number;
  /** Soft cap on the entry bytes in one append message (at least one entry is always sent). */
  maxMsgBytes?: number;
  /**
   * Largest normal entry `propose` accepts, in encoded bytes (its data as a JSON string, as a
   * message carries it). Larger proposals are refused before they reach the log.
   */
  maxProposalBytes?: number;
  /**
   * Largest entry an append message may carry at all: what fits the transport's frame with the
   * message around it. An entry above it (one written before proposals were capped) is never sent;
   * the follower's progress shows it as stalled instead of the leader retrying it forever.
   */
  maxEntryBytes?: number;
  /** Snapshot data is streamed to followers in chunks of this many characters. */
  snapshotChunkBytes?: number;
  /** Source of randomness in [0, 1) for election timeouts; inject a seeded one in simulations. */
  random: () => number;
}

export type ResolvedConfig = Required<RaftConfig>;

export const DEFAULT_CONFIG = {
  electionTick: 10,
  heartbeatTick: 1,
  preVote: true,
  checkQuorum: true,
  maxInflight: 256,
  maxMsgBytes: 64 * 1024,
  // swarmkit's limit on one proposal (MaxTransactionBytes, 1.5 MiB)
  maxProposalBytes: 1.5 * 1024 * 1024,
  // the cluster transport's 8 MiB frame, less room for the message around the entry
  maxEntryBytes: 8 * 1024 * 1024 - 64 * 1024,
  snapshotChunkBytes: 1024 * 1024,
} as const;

/** Where a member starts from: its storage's load() result plus, for a brand-new cluster, the initial members. */
export interface InitialState {
  hardState?: HardState;
  snapshot?: Snapshot;
  entries?: Entry[];
  /** Membership when there is no snapshot (e.g. `{voters: [self], learners: []}` to bootstrap). */
  conf?: ConfState;
  /** Index the application state already reflects; defaults to the snapshot's index (or 0). */
  applied?: number;
}

// ---- membership changes ---------------------------------------------------

export type ConfChangeType = 'add-voter' | 'add-learner' | 'promote' | 'remove';

export interface ConfChange {
  type: ConfChangeType;
  id: RaftId;
  /** Opaque to raft (e.g. the new member's address); surfaced with the committed entry. */
  context?: string;
}

// ---- messages -------------------------------------------------------------

interface Envelope {
  from: RaftId;
  to: RaftId;
  /** Sender's term (for pre-votes: the term it would campaign at). */
  term: number;
}

/** Leader → follower: entries after (index, logTerm), plus the leader's commit. */
export interface AppendMessage extends Envelope {
  type: 'app';
  index: number;
  logTerm: number;
  entries: Entry[];
  commit: number;
}

/**
 * Follower → leader. Accepted: `index` is the follower's last matching index.
 * Rejected: `index` is the prev index that did not match, `rejectHint`/`logTerm`
 * point at where the leader should probe next (the follower's last index, or the
 * first index of the conflicting term).
 */
export interface AppendResponse extends Envelope {
  type: 'app-resp';
  index: number;
  reject: boolean;
  rejectHint: number;
  logTerm: number;
}

export interface VoteMessage extends Envelope {
  type: 'vote' | 'pre-vote';
  /** Candidate's last log index and term. */
  index: number;
  logTerm: number;
  /** Set when campaigning because of a leadership transfer: bypasses leader stickiness. */
  transfer: boolean;
}

export interface VoteResponse extends Envelope {
  type: 'vote-resp' | 'pre-vote-resp';
  reject: boolean;
}

export interface HeartbeatMessage extends Envelope {
  type: 'heartbeat';
  commit: number;
  /** ReadIndex round this heartbeat confirms leadership for ('' if none). */
  context: string;
}

export interface HeartbeatResponse extends Envelope {
  type: 'heartbeat-resp';
  context: string;
}

/** One chunk of a snapshot transfer; chunks of a transfer are sent and acknowledged in order. */
export interface SnapshotChunkMessage extends Envelope {
  type: 'snap';
  meta: SnapshotMeta;
  /** Character offset of `chunk` inside the snapshot data. */
  offset: number;
  chunk: string;
  /** Total length of the snapshot data. */
  total: number;
  /** Last chunk. */
  done: boolean;
}

/** Follower → leader: how much of snapshot `index` it holds (the next offset it wants). */
export interface SnapshotChunkResponse extends Envelope {
  type: 'snap-resp';
  index: number;
  offset: number;
}

/** Leadership transfer: campaign now, skipping pre-vote. */
export interface TimeoutNowMessage extends Envelope {
  type: 'timeout-now';
}

/** Follower → leader: a linearizable read request. */
export interface ReadIndexRequest extends Envelope {
  type: 'read-index';
  context: string;
}

export interface ReadIndexResponse extends Envelope {
  type: 'read-index-resp';
  context: string;
  index: number;
}

export type Message =
  | AppendMessage
  | AppendResponse
  | VoteMessage
  | VoteResponse
  | HeartbeatMessage
  | HeartbeatResponse
  | SnapshotChunkMessage
  | SnapshotChunkResponse
  | TimeoutNowMessage
  | ReadIndexRequest
  | ReadIndexResponse;

export type MessageType = Message['type'];

// ---- Ready ----------------------------------------------------------------

export interface SoftState {
  leader: RaftId;
  role: Role;
}

/** A ReadIndex result: once `applied >= index`, a read for `context` is linearizable. */
export interface ReadState {
  index: number;
  context: string;
}

/**
 * Everything the core wants done. The shell handles one Ready at a time, in
 * this order, then calls `advance(ready)`:
 *
 *  1. persist `snapshot`, `entries` and `hardState` in ONE atomic, durable
 *     write (storage.save). An entry at an index that already exists replaces
 *     it and all later ones;
 *  2. only then send `messages` (votes, append acks and appends all depend on
 *     what step 1 made durable);
 *  3. restore the application from `snapshot` (if any), then apply
 *     `committedEntries` in order (conf-change entries included: the core
 *     applies them to its membership on `advance`);
 *  4. hand `readStates` to the waiting readers (serve each once applied >= index);
 *  5. call `advance(ready)`.
 *
 * `ready()` may not be called again before `advance()`. `step`, `tick`, and
 * the proposal calls may be made at any time in between.
 */
export interface Ready {
  /** Set when leader or role changed since the last Ready. */
  softState?: SoftState;
  /** Set when term, vote or commit changed since the last Ready. */
  hardState?: HardState;
  /** Entries to persist (not yet durable). */
  entries: Entry[];
  /** A snapshot received from the leader, to persist and restore. */
  snapshot?: Snapshot;
  /** Messages to send after persisting. */
  messages: Message[];
  /** Committed entries to apply, in order. */
  committedEntries: Entry[];
  readStates: ReadState[];
  /** Whether step 1 needs an fsync (hard state or entries changed). */
  mustSync: boolean;
}

// ---- API results ------------------------------------------------------------

export type ProposeResult =
  | { ok: true; index: number; term: number }
  | {
      ok: false;
      reason: 'not-leader' | 'transferring' | 'conf-change-pending' | 'invalid-conf-change';
      /** Best known leader ('' if none), for forwarding. */
      leader: RaftId;
    }
  | {
      ok: false;
      reason: 'too-large';
      leader: RaftId;
      /** The proposal's encoded size and the limit it exceeds. */
      bytes: number;
      limit: number;
    };

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export interface ProgressStatus {
  match: number;
  next: number;
  state: ProgressState;
  recentActive: boolean;
  learner: boolean;
  /** Snapshot transfer in progress: acknowledged offset / total size. */
  snapshotSent?: { index: number; offset: number; total: number };
  /** Replication is stuck: the next entry is larger than any message may carry (maxEntryBytes). */
  stalled?: StalledReplication;
}

export interface StalledReplication {
  index: number;
  /** The entry's encoded size. */
  bytes: number;
  limit: number;
}

export interface Status {
  id: RaftId;
  term: number;
  vote: RaftId;
  role: Role;
  leader: RaftId;
  commit: number;
  applied: number;
  lastIndex: number;
  snapshotIndex: number;
  conf: ConfState;
  /** This member was removed from the cluster (it never campaigns again). */
  removed: boolean;
  /** Leadership transfer target while one is in progress. */
  transferee?: RaftId;
  /** Per-member replication progress (leader only, self included). */
  progress?: Record<RaftId, ProgressStatus>;
}
