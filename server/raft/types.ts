// Raft's persistent data, shared by the pure core (server/raft/core), its
// storage on SQLite (server/raft/storage) and the simulated disk used by the
// deterministic simulation. Plain data only.

/** Raft member IDs: random, never reused (swarm keeps removed IDs in a list). */
export type RaftId = string;

export type EntryType = 'normal' | 'conf-change';

export interface Entry {
  index: number;
  term: number;
  type: EntryType;
  /** Opaque to raft: a JSON-encoded store batch, a conf change, or '' for a leader's no-op. */
  data: string;
}

/** What must be on disk before any message that depends on it is sent. */
export interface HardState {
  term: number;
  /** '' when this member voted for nobody in `term`. */
  vote: RaftId;
  commit: number;
}

export interface ConfState {
  voters: RaftId[];
  /** Non-voting members catching up before promotion. */
  learners: RaftId[];
  /** Members removed from the cluster; their IDs are never accepted again. */
  removed?: RaftId[];
}

export interface SnapshotMeta {
  index: number;
  term: number;
  conf: ConfState;
}

export interface Snapshot {
  meta: SnapshotMeta;
  /** The application state at meta.index (a serialized store image). */
  data: string;
}

/**
 * Durable raft state. Implementations: SQLite through Prisma (production) and
 * a simulated disk (the deterministic simulation, which can lose unsynced
 * writes on a crash). `save` must be atomic and durable when it resolves.
 */
export interface RaftStorage {
  /** Everything needed to restart a member. */
  load(): Promise<{ hardState: HardState; snapshot?: Snapshot; entries: Entry[] }>;
  /**
   * Persist, in one atomic step: new entries (an entry at an index that
   * already exists replaces it and every later one), the hard state, and a
   * snapshot received from the leader (which discards entries it covers).
   */
  save(update: { hardState?: HardState; entries?: Entry[]; snapshot?: Snapshot }): Promise<void>;
  /** A local snapshot at `snapshot.meta.index`; drops entries up to `snapshot.meta.index - keepEntries`. */
  compact(snapshot: Snapshot, keepEntries: number): Promise<void>;
}
