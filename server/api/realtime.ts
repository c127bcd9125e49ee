// The console's realtime wire protocol (socket.io), shared by the gateway and
// the browser. Plain types plus tiny pure helpers; nothing server-only.

import type { Kind, ObjectByKind } from './types';

/** Bumped on any incompatible change to the frames below. */
export const REALTIME_PROTOCOL_VERSION = 1;

/** socket.io event names. */
export const REALTIME_EVENTS = { snapshot: 'snapshot', changes: 'changes' } as const;

/** The client's handshake `auth` (socket.io also accepts it as query params). */
export interface RealtimeHello {
  v?: number;
  /** Log index the client already has; the server resumes after it when it can. */
  since?: number;
}

/** Every object, redacted: secrets carry no Spec.Data, the cluster no join tokens. */
export type ConsoleObjects = { [K in Kind]: ObjectByKind[K][] };

/** What GET /api/state returns and what the socket sends first. */
export interface ConsoleState {
  index: number;
  objects: ConsoleObjects;
}

export interface SnapshotFrame extends ConsoleState {
  v: number;
}

/** One object's net change within a frame. Deletes carry only the ID. */
export type WireChange =
  | { [K in Kind]: { kind: K; action: 'create' | 'update'; id: string; object: ObjectByKind[K] } }[Kind]
  | { kind: Kind; action: 'delete'; id: string };

/**
 * The changes committed in log entries (from, to]. Consecutive frames chain:
 * the next frame's `from` is this frame's `to`.
 */
export interface ChangesFrame {
  from: number;
  to: number;
  changes: WireChange[];
}

export interface ServerToClientEvents {
  snapshot: (frame: SnapshotFrame) => void;
  changes: (frame: ChangesFrame) => void;
}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ClientToServerEvents {}
