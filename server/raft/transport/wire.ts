// What travels on a cluster connection once it is upgraded (inside TLS): JSON
// envelopes in length-prefixed frames (see frames.ts).

import type { RaftId } from '../types';

/** The HTTP Upgrade protocol name for manager-to-manager connections. */
export const CLUSTER_PROTOCOL = 'swarmdeck-cluster/1';

/** Request headers of the upgrade (lower-case, as node reports them). */
export const HEADER = {
  /** The caller's raft ID. */
  raftId: 'x-swarmdeck-raft-id',
  /** The caller's advertised cluster address (host:port). */
  addr: 'x-swarmdeck-addr',
  /** `peer` for the one long-lived connection a member keeps to another, `oneshot` for a single request. */
  purpose: 'x-swarmdeck-conn',
} as const;

/**
 * A joiner's token rides in Authorization (so loggers treat it as a secret), and only inside TLS
 * verified against the root its digest pinned. Everyone else is known by their certificate.
 */
export const AUTH_SCHEME = { joinToken: 'Swarm-Join' } as const;

export type ConnPurpose = 'peer' | 'oneshot';

/** The error a request handler threw, carried back to the caller. */
export interface WireError {
  message: string;
  code?: string;
  status?: number;
}

export type WireFrame =
  /** A raft message (fire-and-forget). */
  | { t: 'msg'; m: unknown }
  /** A request; the response carries the same id back on the same connection. */
  | { t: 'req'; id: number; p: unknown }
  | { t: 'res'; id: number; ok: true; p: unknown }
  | { t: 'res'; id: number; ok: false; e: WireError }
  /** Health check: the dialer pings, the accepting side pongs. */
  | { t: 'ping' }
  | { t: 'pong' }
  /** Sent once before a connection is closed for a protocol violation. */
  | { t: 'error'; e: string };

/** Checks a decoded frame's shape; undefined for anything that is not one. */
export function asWireFrame(v: unknown): WireFrame | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const f = v as Record<string, unknown>;
  switch (f.t) {
    case 'msg':
      return typeof f.m === 'object' && f.m !== null ? (f as WireFrame) : undefined;
    case 'req':
      return Number.isSafeInteger(f.id) ? (f as WireFrame) : undefined;
    case 'res':
      if (!Number.isSafeInteger(f.id)) return undefined;
      if (f.ok === true) return f as WireFrame;
      return f.ok === false && typeof (f.e as WireError | undefined)?.message === 'string'
        ? (f as WireFrame)
        : undefined;
    case 'ping':
    case 'pong':
      return f as WireFrame;
    case 'error':
      return typeof f.e === 'string' ? (f as WireFrame) : undefined;
    default:
      return undefined;
  }
}

/** Who is on the other end of an accepted connection, and how they got in. */
export interface PeerIdentity {
  raftId: RaftId;
  addr: string;
  /**
   * `member`: a manager (certificate OU swarm-manager); `node`: a worker node (OU swarm-worker);
   * `join-token`: a manager that is joining (no certificate yet, the manager token admitted it);
   * `worker-token`: a worker that is joining (the worker token, one request).
   */
  via: 'member' | 'join-token' | 'worker-token' | 'node';
}
