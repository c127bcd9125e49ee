import { useSyncExternalStore } from 'react';

/**
 * live: socket connected and frames flowing. reconnecting: just lost it (or
 * still connecting). stale: disconnected for longer than STALE_AFTER_MS, so
 * what is on screen may no longer be true.
 */
export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'stale';
export const STALE_AFTER_MS = 4000;

export interface ConnectionState {
  status: ConnectionStatus;
  /** ms when the status last changed */
  since: number;
}

let state: ConnectionState = { status: 'connecting', since: 0 };
const listeners = new Set<() => void>();
const SERVER_STATE: ConnectionState = { status: 'connecting', since: 0 };

export function setConnection(status: ConnectionStatus): void {
  if (state.status === status) return;
  state = { status, since: Date.now() };
  for (const l of listeners) l();
}

export function getConnection(): ConnectionState {
  return state;
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useConnection(): ConnectionState {
  return useSyncExternalStore(subscribe, getConnection, () => SERVER_STATE);
}
