// Timeouts and connection limits of the three listeners, and how the limits
// shrink to fit a low open-file limit.

import type { HttpListenerLimits } from './http-listener';

export type ListenerName = 'console' | 'engine' | 'cluster';

/**
 * - Headers within 10 s and a whole request within 30 s: a 4 MiB body takes
 *   well under a second on any network a manager is reached over.
 * - Keep-alive: the Engine API keeps idle connections 65 s (longer than the
 *   60 s many proxies use, so they close first); a browser reconnects cheaply.
 * - Per peer: a docker CLI holds one or two connections per command, a browser
 *   six plus its socket; managers and agents one each (plus a request in
 *   flight). On one host everything comes from 127.0.0.1, so the per-peer
 *   limits leave room for many local clients at once.
 * - In total: a few thousand on the cluster port (one per agent and manager);
 *   a thousand on each API.
 */
export const LISTENER_LIMITS: Readonly<Record<ListenerName, HttpListenerLimits>> = {
  console: {
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    keepAliveTimeoutMs: 5_000,
    maxConnections: 1024,
    maxPerPeer: 128,
  },
  engine: {
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    keepAliveTimeoutMs: 65_000,
    maxConnections: 1024,
    maxPerPeer: 128,
  },
  cluster: {
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 10_000,
    keepAliveTimeoutMs: 5_000,
    maxConnections: 4096,
    maxPerPeer: 256,
  },
};

/** Descriptors left to the process itself: SQLite, task logs, outbound connections, children. */
function reserved(fdLimit: number): number {
  return Math.max(256, Math.floor(fdLimit / 4));
}

/**
 * The limits, scaled down together when the three listeners' totals would not
 * fit the open-file limit, so a listener refuses before the process runs out
 * of descriptors (which would make every listener fail at once). A peer may
 * then hold at most a quarter of a listener.
 */
export function listenerLimits(fdLimit: number | undefined): Record<ListenerName, HttpListenerLimits> {
  const names = Object.keys(LISTENER_LIMITS) as ListenerName[];
  const wanted = names.reduce((n, k) => n + LISTENER_LIMITS[k].maxConnections, 0);
  const budget = fdLimit === undefined ? Infinity : fdLimit - reserved(fdLimit);
  const scale = Math.min(1, Math.max(0, budget) / wanted);
  const out = {} as Record<ListenerName, HttpListenerLimits>;
  for (const k of names) {
    const l = LISTENER_LIMITS[k];
    if (scale === 1) {
      out[k] = { ...l };
      continue;
    }
    const maxConnections = Math.max(16, Math.floor(l.maxConnections * scale));
    out[k] = { ...l, maxConnections, maxPerPeer: Math.min(l.maxPerPeer, Math.max(4, Math.floor(maxConnections / 4))) };
  }
  return out;
}
