import { BEAT_INTERVAL_MS } from '@/server/api/realtime';

/**
 * live: frames (at least the server's beat) keep arriving. reconnecting: the
 * socket dropped a moment ago. stale: nothing arrived for STALE_AFTER_MS, so
 * what is on screen may no longer be true. connecting: nothing heard yet.
 */
export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'stale';

/** Three missed beats: stale at most ~3.5 s after the last frame (the watchdog ticks every WATCHDOG_MS). */
export const STALE_AFTER_MS = 3 * BEAT_INTERVAL_MS;
export const WATCHDOG_MS = 500;

/** What the socket has told us so far (client clock, ms). */
export interface LinkFacts {
  connected: boolean;
  /** the last frame of any kind (snapshot, changes, raft, beat), the (re)connect, or the page's first load */
  heardAt?: number;
  /** the previous watchdog tick */
  checkedAt?: number;
}

export interface ConnectionState {
  status: ConnectionStatus;
  /** live: when the stream was last heard; stale: since when the data may be untrue (the last frame); 0 if never */
  since: number;
}

/**
 * The staleness decision, pure. Silence counts from the last frame, not from
 * the disconnect: a frozen manager keeps its TCP connection open. A watchdog
 * tick that itself came late (the tab was throttled or the main thread
 * busy) proves nothing about the server: frames may be queued behind it, so
 * that tick keeps the status it had and the next one decides.
 */
export function decideConnection(facts: LinkFacts, now: number, previous: ConnectionStatus): ConnectionState {
  const { heardAt, checkedAt, connected } = facts;
  if (heardAt === undefined) return { status: 'connecting', since: 0 };
  const silent = now - heardAt > STALE_AFTER_MS;
  const lateTick = checkedAt !== undefined && now - checkedAt > STALE_AFTER_MS / 2;
  if (silent && !(lateTick && previous !== 'stale')) return { status: 'stale', since: heardAt };
  // not connected yet, or not again: the status it had holds until the silence is long
  if (!connected) return { status: previous === 'live' ? 'reconnecting' : previous, since: heardAt };
  return { status: silent ? previous : 'live', since: heardAt };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "12 s", "3 min 04 s", "2 h 05 min": short enough for a wall, exact enough to see it grow. */
export function compactAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${pad(Math.floor(s / 60) % 60)} min`;
}

/** "Stale since 14:03:21 (12 s)", in the viewer's local time (24 h: no AM/PM to misread across a room). */
export function staleLabel(since: number, now: number): string {
  const d = new Date(since);
  const at = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return `Stale since ${at} (${compactAge(now - since)})`;
}
