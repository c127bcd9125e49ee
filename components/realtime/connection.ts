import { useSyncExternalStore } from 'react';
import { decideConnection, WATCHDOG_MS, type ConnectionState, type LinkFacts } from './staleness';

export type { ConnectionState, ConnectionStatus } from './staleness';

// The page's one view of the live link: facts reported by the socket, and a
// watchdog that turns silence into "stale" (decideConnection).
let facts: LinkFacts = { connected: false };
let state: ConnectionState = { status: 'connecting', since: 0 };
let watchdog: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<() => void>();
const SERVER_STATE: ConnectionState = { status: 'connecting', since: 0 };

function decide(now = Date.now()): void {
  const next = decideConnection(facts, now, state.status);
  facts = { ...facts, checkedAt: now };
  if (next.status === state.status && next.since === state.since) return;
  // a live link's `since` moves with every beat: only re-render on a status change, or a stale one's start
  if (next.status === state.status && next.status === 'live') {
    state = next;
    return;
  }
  state = next;
  for (const l of listeners) l();
}

/** The socket connected (true) or dropped (false). */
export function linkChanged(connected: boolean): void {
  facts = { ...facts, connected, heardAt: connected ? Date.now() : facts.heardAt };
  decide();
}

/** Any frame arrived: the stream is alive. */
export function frameHeard(): void {
  facts = { ...facts, heardAt: Date.now() };
  if (state.status !== 'live') decide();
}

/** Start judging silence (the provider calls it on mount; the returned function stops it). */
export function startWatchdog(): () => void {
  // what the page shows is as of its first load: silence counts from there until the socket speaks
  facts = { ...facts, heardAt: facts.heardAt ?? Date.now() };
  watchdog ??= setInterval(() => decide(), WATCHDOG_MS);
  return () => {
    clearInterval(watchdog);
    watchdog = undefined;
    facts = { connected: false };
  };
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
