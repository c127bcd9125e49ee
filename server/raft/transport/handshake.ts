// The HTTP side of a cluster connection: which headers a dialer sends, and
// whether an accepting member lets the caller in. Decided before the 101, so a
// refused caller never gets a frame through.

import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { RaftId } from '../types';
import { AUTH_SCHEME, CLUSTER_PROTOCOL, HEADER, type ConnPurpose, type PeerIdentity } from './wire';

export const INVALID_JOIN_TOKEN = 'A valid join token is necessary to join this cluster';

/**
 * What a process presents when it dials: a manager its member key once
 * admitted, an agent its node key once admitted, else the join token it was given.
 */
export interface DialCredentials {
  clusterId?: string;
  memberKey?: string;
  nodeKey?: string;
  joinToken?: string;
}

/** How this member checks callers. Callbacks, so rotation takes effect at once. */
export interface AcceptPolicy {
  /** This member's cluster ID (undefined before it has one). */
  clusterId(): string | undefined;
  /** The cluster's join tokens (compared in constant time by the owner). */
  validateToken(token: string): 'manager' | 'worker' | undefined;
  /** The per-cluster member key handed out at join. */
  validateMember(raftId: RaftId, key: string): boolean;
  /** The per-node key handed to an agent at join (absent: agents are not let in). */
  validateNode?(nodeId: RaftId, key: string): boolean;
}

export interface TransportCredentials extends AcceptPolicy {
  /** Read at every dial, so a member key received at join is used from then on. */
  dial(): DialCredentials;
}

export function dialHeaders(
  self: { raftId: RaftId; addr: string },
  creds: DialCredentials,
  purpose: ConnPurpose,
): OutgoingHttpHeaders {
  const h: OutgoingHttpHeaders = {
    Connection: 'Upgrade',
    Upgrade: CLUSTER_PROTOCOL,
    [HEADER.raftId]: self.raftId,
    [HEADER.addr]: self.addr,
    [HEADER.purpose]: purpose,
  };
  if (creds.clusterId) h[HEADER.clusterId] = creds.clusterId;
  if (creds.memberKey) h.authorization = `${AUTH_SCHEME.memberKey} ${creds.memberKey}`;
  else if (creds.nodeKey) h.authorization = `${AUTH_SCHEME.nodeKey} ${creds.nodeKey}`;
  else if (creds.joinToken) h.authorization = `${AUTH_SCHEME.joinToken} ${creds.joinToken}`;
  return h;
}

export type Admission =
  { ok: true; peer: PeerIdentity; purpose: ConnPurpose } | { ok: false; status: 400 | 401 | 403; message: string };

/** Caller-supplied text that ends up in messages and logs: short and printable. */
const printable = (s: string): string => s.replace(/[^\w.:@-]/g, '?').slice(0, 64);

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v)?.trim();

/** Decide whether an upgrade request may become a cluster connection. */
export function admit(headers: IncomingHttpHeaders, policy: AcceptPolicy): Admission {
  const raftId = one(headers[HEADER.raftId]);
  const addr = one(headers[HEADER.addr]);
  if (!raftId || !addr) {
    return { ok: false, status: 400, message: `missing ${HEADER.raftId} or ${HEADER.addr} header` };
  }
  const purpose: ConnPurpose = one(headers[HEADER.purpose]) === 'oneshot' ? 'oneshot' : 'peer';
  const ours = policy.clusterId();
  const theirs = one(headers[HEADER.clusterId]);
  if (theirs && ours && theirs !== ours) {
    return {
      ok: false,
      status: 403,
      message: `caller belongs to another cluster (${printable(theirs)}), this is ${ours}`,
    };
  }
  const auth = one(headers.authorization) ?? '';
  const space = auth.indexOf(' ');
  const scheme = space < 0 ? auth : auth.slice(0, space);
  const secret = space < 0 ? '' : auth.slice(space + 1).trim();
  if (scheme === AUTH_SCHEME.memberKey && secret) {
    if (policy.validateMember(raftId, secret)) return { ok: true, peer: { raftId, addr, via: 'member' }, purpose };
    return { ok: false, status: 403, message: `raft member ${printable(raftId)} is not admitted to this cluster` };
  }
  if (scheme === AUTH_SCHEME.nodeKey && secret) {
    if (policy.validateNode?.(raftId, secret)) return { ok: true, peer: { raftId, addr, via: 'node' }, purpose };
    return { ok: false, status: 403, message: `node ${printable(raftId)} is not part of this swarm` };
  }
  if (scheme === AUTH_SCHEME.joinToken && secret) {
    const role = policy.validateToken(secret);
    if (role === 'manager') return { ok: true, peer: { raftId, addr, via: 'join-token' }, purpose };
    // a joining agent gets one request at a time (its join); what it may ask is decided per request
    if (role === 'worker' && purpose === 'oneshot')
      return { ok: true, peer: { raftId, addr, via: 'worker-token' }, purpose };
    if (role === 'worker') {
      return { ok: false, status: 403, message: 'a worker join token cannot join this cluster as a manager' };
    }
  }
  return { ok: false, status: 401, message: INVALID_JOIN_TOKEN };
}

const REASON: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden' };

/** A complete HTTP response refusing an upgrade (written straight to the socket). */
export function refusal(status: number, message: string): string {
  const body = JSON.stringify({ message });
  return (
    `HTTP/1.1 ${status} ${REASON[status] ?? 'Error'}\r\n` +
    'Content-Type: application/json\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}

/** The 101 that turns the HTTP connection into a frame stream. */
export function switchingProtocols(selfId: RaftId): string {
  return (
    'HTTP/1.1 101 Switching Protocols\r\n' +
    `Upgrade: ${CLUSTER_PROTOCOL}\r\n` +
    'Connection: Upgrade\r\n' +
    `${HEADER.raftId}: ${selfId}\r\n\r\n`
  );
}
