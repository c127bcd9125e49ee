// The pure raft core: see README.md for the API and the Ready contract.

export { RaftNode } from './raft';
export { RaftLog, entrySize, encodedDataBytes } from './log';
export { Membership, encodeConfChange, decodeConfChange, tryDecodeConfChange } from './membership';
export { Progress, Inflights } from './progress';
export { ReadOnly } from './read-only';
export { SnapshotAssembler, SnapshotSender } from './snapshot-chunks';
export { DEFAULT_CONFIG, NONE } from './types';
export type {
  AppendMessage,
  AppendResponse,
  ConfChange,
  ConfChangeType,
  HeartbeatMessage,
  HeartbeatResponse,
  InitialState,
  Message,
  MessageType,
  ProgressState,
  ProgressStatus,
  ProposeResult,
  RaftConfig,
  ReadIndexRequest,
  ReadIndexResponse,
  ReadState,
  Ready,
  Role,
  SnapshotChunkMessage,
  SnapshotChunkResponse,
  SoftState,
  StalledReplication,
  Status,
  TimeoutNowMessage,
  VoteMessage,
  VoteResponse,
} from './types';
export type { ConfState, Entry, EntryType, HardState, RaftId, Snapshot, SnapshotMeta } from '../types';
