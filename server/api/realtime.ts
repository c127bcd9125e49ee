// The console's realtime wire protocol (socket.io), shared by the gateway and
// the browser. Plain types plus tiny pure helpers; nothing server-only.

import type { RaftEvent, RaftView } from './raft-view';
import type { MetricsFrame } from './metric-sample';
import type { ReplicaCounts } from './replica-counts';
import { KINDS, isAuthKind, type AuthKind, type Kind, type ObjectByKind } from './types';

/** Bumped on any incompatible change to the frames below. */
export const REALTIME_PROTOCOL_VERSION = 3;

/** socket.io event names. */
export const REALTIME_EVENTS = {
  snapshot: 'snapshot',
  changes: 'changes',
  raft: 'raft',
  beat: 'beat',
  metrics: 'metrics',
  counts: 'counts',
} as const;

/**
 * Which tasks a client is sent: every one, or only those of some services. A page that
 * draws no task (the services list: counts only) or a few services' tasks (a service's
 * page) asks for those, and is not sent the rest of a 10,000-task rollout.
 */
export type TaskScope = 'all' | { services: string[] };

/** More services than this and a client asks for every task (it keeps the scope message small). */
export const MAX_SCOPE_SERVICES = 256;

/** Does the scope take this service's tasks? (Compiled once per scope: called per change.) */
export function taskScopeMatcher(scope: TaskScope): (serviceID: string) => boolean {
  if (scope === 'all') return () => true;
  const ids = new Set(scope.services);
  return (id) => ids.has(id);
}

/** Does holding `held` mean holding every task `wanted` asks for? */
export function scopeCovers(held: TaskScope, wanted: TaskScope): boolean {
  if (held === 'all') return true;
  if (wanted === 'all') return false;
  const ids = new Set(held.services);
  return wanted.services.every((id) => ids.has(id));
}

/**
 * Running over desired per service (the services list's REPLICAS) and running tasks per node
 * (the overview's node cards), counted by the gateway over every task, so a page that holds
 * no task still shows them. `reset` replaces everything held; otherwise only the entries
 * named change, and `null` removes one.
 */
export interface CountsFrame {
  reset?: boolean;
  services: Record<string, ReplicaCounts | null>;
  nodes: Record<string, number | null>;
}

/**
 * How often the server sends a {@link BeatFrame}. socket.io's own pings are
 * invisible to the page; the beat lets a console tell "nothing changed" from
 * "nothing arrives" within a few seconds (a frozen manager must not look live).
 */
export const BEAT_INTERVAL_MS = 1000;

/** The client's handshake `auth` (socket.io also accepts it as query params). */
export interface RealtimeHello {
  v?: number;
  /** Log index the client already has; the server resumes after it when it can. */
  since?: number;
  /** The tasks it wants (absent: all). */
  tasks?: TaskScope;
}

/**
 * The kinds the socket carries whole. `serviceVersion` objects (a spec plus up
 * to 400 rollout events each, up to 20 per service) stay out of the snapshot:
 * change frames carry only a {@link ServiceVersionNotice} for them, and the
 * console fetches history over HTTP (GET /api/services/:id/versions), refetching
 * when a notice for that service arrives.
 */
export type ConsoleKind = Exclude<Kind, 'serviceVersion' | AuthKind>;
/** Accounts, sessions and share links never travel on the socket (the console fetches accounts over HTTP). */
export const CONSOLE_KINDS = KINDS.filter((k): k is ConsoleKind => k !== 'serviceVersion' && !isAuthKind(k));

/** Every object, redacted: secrets and configs carry no Spec.Data, the cluster no join tokens. */
export type ConsoleObjects = { [K in ConsoleKind]: ObjectByKind[K][] };

/** "This service's spec history changed": enough to refetch, nothing more. */
export interface ServiceVersionNotice {
  ID: string;
  ServiceID: string;
  SpecIndex: number;
  /** The record's Version.Index after the change. */
  Index: number;
}

/** What GET /api/state returns and what the socket sends first. */
export interface ConsoleState {
  index: number;
  objects: ConsoleObjects;
  /** The raft group as the serving manager sees it; absent when it runs no raft group. */
  raft?: RaftFrame;
  /** Which replica served it: the leader's store, or a follower's (possibly a moment behind). */
  replica?: 'leader' | 'follower';
}

/**
 * The Raft panel's data. Sent with the snapshot (and on a resume), then
 * whenever it changes. `events` (oldest first) is left out when unchanged
 * since the previous frame to this client.
 */
export interface RaftFrame {
  view: RaftView;
  events?: RaftEvent[];
}

export interface SnapshotFrame extends ConsoleState {
  v: number;
  /** The tasks `objects.task` holds (absent: all). */
  tasks?: TaskScope;
}

/** One object's net change within a frame. Deletes carry only the ID. */
export type WireChange =
  | { [K in ConsoleKind]: { kind: K; action: 'create' | 'update'; id: string; object: ObjectByKind[K] } }[ConsoleKind]
  | { kind: ConsoleKind; action: 'delete'; id: string }
  | { kind: 'serviceVersion'; action: 'create' | 'update' | 'delete'; id: string; object: ServiceVersionNotice };

/**
 * The changes committed in log entries (from, to]. Consecutive frames chain:
 * the next frame's `from` is this frame's `to`.
 */
export interface ChangesFrame {
  from: number;
  to: number;
  changes: WireChange[];
}

/** The application heartbeat: the stream is alive, and the log index the server has applied. */
export interface BeatFrame {
  /** The server's applied log index (what this client's frames chain up to, or will). */
  index: number;
  /** The server's clock, ms since the epoch. */
  at: number;
}

export interface ServerToClientEvents {
  snapshot: (frame: SnapshotFrame) => void;
  changes: (frame: ChangesFrame) => void;
  raft: (frame: RaftFrame) => void;
  beat: (frame: BeatFrame) => void;
  /** The live charts' samples (see server/api/metric-sample.ts). */
  metrics: (frame: MetricsFrame) => void;
  counts: (frame: CountsFrame) => void;
}

export interface ClientToServerEvents {
  /** The page now draws these tasks: the server answers with a snapshot of that scope. */
  scope: (scope: TaskScope) => void;
}
