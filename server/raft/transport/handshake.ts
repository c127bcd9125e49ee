// Who gets onto the cluster port. The port speaks TLS only; a caller is who
// its certificate says (CN node ID, OU role, O cluster), checked against this
// swarm's root before the HTTP upgrade is answered. A caller without a
// certificate is a joiner: only a join token admits it, for one request.

import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { CLUSTER_ADDR_PATTERN, isNodeID, NODE_ID_RULE } from '../../api/node-id';
import type { RaftId } from '../types';
import { AUTH_SCHEME, CLUSTER_PROTOCOL, HEADER, type ConnPurpose, type PeerIdentity } from './wire';

export const INVALID_JOIN_TOKEN = 'A valid join token is necessary to join this cluster';
export const WORKER_TOKEN_FOR_MEMBER_LINK = 'a worker join token cannot join this cluster as a manager';

/** Certificate OUs (swarmkit ManagerRole / WorkerRole). */
export const MANAGER_OU = 'swarm-manager';
export const WORKER_OU = 'swarm-worker';

/** swarmkit's refusals (ca/auth.go); none of them names this swarm to a caller it did not certify. */
export const denied = {
  unverified: 'Permission denied: no verified chains for remote certificate',
  removed: (nodeID: string) => `Permission denied: node ${nodeID} was removed from swarm`,
  ous: (ous: readonly string[]) => `Permission denied: remote certificate not part of OUs: [${ous.join(' ')}]`,
  organization: (org: string) => `Permission denied: remote certificate not part of organization: ${org}`,
  notMember: (nodeID: string) => `Permission denied: node ${nodeID} is not a member of the raft cluster`,
};

/** TLS material (PEM) a process presents and trusts. */
export interface TlsMaterial {
  /** The roots peers' certificates must chain to. */
  ca: string;
  /** This node's certificate chain and key; absent while it joins. */
  cert?: string;
  key?: string;
}

/** How this process speaks TLS on the cluster port. Callbacks, so a renewal or rotation applies at once. */
export interface TransportSecurity {
  /** What to present and trust now; undefined before this process has any (it cannot dial yet). */
  material(): TlsMaterial | undefined;
  /** `listener` runs whenever the material changes (the cluster port's server context follows it). */
  onChange(listener: () => void): () => void;
  /** This swarm's cluster ID: the O every peer certificate must carry (undefined before joining). */
  clusterId(): string | undefined;
  /** Whether a node's certificate is refused: the node was removed from the swarm (or its raft group). */
  isRemoved(nodeID: RaftId): boolean;
  /**
   * Whether a manager certificate naming this node grants member rights (raft, forwarded writes): the
   * node is a raft voter or learner now. A manager certificate of any other node (a demoted or never
   * added manager, a stolen old one) is worth a worker's rights at most.
   */
  isMember(nodeID: RaftId): boolean;
  /** Which join token this is (compared in constant time by the owner), for callers without a certificate. */
  validateToken(token: string): 'manager' | 'worker' | undefined;
  /** The token this process presents while joining; sent only over a connection verified against material().ca. */
  joinToken?(): string | undefined;
}

export function dialHeaders(
  self: { raftId: RaftId; addr: string },
  purpose: ConnPurpose,
  joinToken: string | undefined,
): OutgoingHttpHeaders {
  const h: OutgoingHttpHeaders = {
    Connection: 'Upgrade',
    Upgrade: CLUSTER_PROTOCOL,
    [HEADER.raftId]: self.raftId,
    [HEADER.addr]: self.addr,
    [HEADER.purpose]: purpose,
  };
  if (joinToken) h.authorization = `${AUTH_SCHEME.joinToken} ${joinToken}`;
  return h;
}

export type Admission =
  { ok: true; peer: PeerIdentity; purpose: ConnPurpose } | { ok: false; status: 400 | 401 | 403; message: string };

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v)?.trim();
const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The subject of a verified client certificate, or why there is none worth reading. */
export function peerSubject(
  socket: TLSSocket,
): { kind: 'none' } | { kind: 'unverified' } | { kind: 'certified'; cn: string; ous: string[]; orgs: string[] } {
  const cert = socket.getPeerCertificate() as PeerCertificate | Record<string, never>;
  if (!cert || !('subject' in cert) || !cert.subject) return { kind: 'none' };
  if (!socket.authorized) return { kind: 'unverified' };
  const s = cert.subject as unknown as Record<string, string | string[] | undefined>;
  return { kind: 'certified', cn: one(s.CN) ?? '', ous: list(s.OU), orgs: list(s.O) };
}

/** Decide whether an upgrade request on a TLS connection may become a cluster connection. */
export function admit(req: IncomingMessage, policy: TransportSecurity): Admission {
  const socket = req.socket as TLSSocket;
  if (!socket.encrypted) return { ok: false, status: 400, message: 'the cluster port speaks TLS only' };
  return admitHeaders(req.headers, peerSubject(socket), policy);
}

/** The decision itself, over the headers and what TLS verified of the caller (see admit). */
export function admitHeaders(
  headers: IncomingHttpHeaders,
  subject: ReturnType<typeof peerSubject>,
  policy: TransportSecurity,
): Admission {
  const addr = one(headers[HEADER.addr]);
  const claimed = one(headers[HEADER.raftId]);
  if (!addr || !claimed)
    return { ok: false, status: 400, message: `missing ${HEADER.raftId} or ${HEADER.addr} header` };
  // a joiner's claimed ID becomes its Node's ID and its certificate's CN: short and plain, or refused
  if (!isNodeID(claimed))
    return { ok: false, status: 400, message: `malformed ${HEADER.raftId} header: ${NODE_ID_RULE}` };
  if (!CLUSTER_ADDR_PATTERN.test(addr))
    return { ok: false, status: 400, message: `malformed ${HEADER.addr} header: must be host:port` };
  const purpose: ConnPurpose = one(headers[HEADER.purpose]) === 'oneshot' ? 'oneshot' : 'peer';
  if (subject.kind === 'unverified') return { ok: false, status: 403, message: denied.unverified };
  if (subject.kind === 'certified') {
    // only a certificate from this swarm's root gets here, so naming the swarm tells the caller nothing new
    const ours = policy.clusterId();
    if (!ours || !subject.orgs.includes(ours))
      return { ok: false, status: 403, message: denied.organization(ours ?? '') };
    if (policy.isRemoved(subject.cn)) return { ok: false, status: 403, message: denied.removed(subject.cn) };
    const manager = subject.ous.includes(MANAGER_OU);
    if (!manager && !subject.ous.includes(WORKER_OU))
      return { ok: false, status: 403, message: denied.ous([MANAGER_OU, WORKER_OU]) };
    if (claimed !== subject.cn)
      return { ok: false, status: 400, message: `the ${HEADER.raftId} header does not name the certificate's node` };
    // The OU says what the node was when the certificate was signed; the raft membership says what it
    // is now. A manager certificate also grants a worker's rights (swarmkit's dispatcher takes both).
    const via = manager && policy.isMember(subject.cn) ? 'member' : 'node';
    return { ok: true, peer: { raftId: subject.cn, addr, via }, purpose };
  }
  // no certificate: a joiner, admitted by a join token for a single request
  const auth = one(headers.authorization) ?? '';
  const space = auth.indexOf(' ');
  const scheme = space < 0 ? auth : auth.slice(0, space);
  const secret = space < 0 ? '' : auth.slice(space + 1).trim();
  const role = scheme === AUTH_SCHEME.joinToken && secret ? policy.validateToken(secret) : undefined;
  if (role && purpose !== 'oneshot') {
    return {
      ok: false,
      status: 403,
      message: role === 'worker' ? WORKER_TOKEN_FOR_MEMBER_LINK : 'a join token admits one join request at a time',
    };
  }
  if (role === 'manager') return { ok: true, peer: { raftId: claimed, addr, via: 'join-token' }, purpose };
  if (role === 'worker') return { ok: true, peer: { raftId: claimed, addr, via: 'worker-token' }, purpose };
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
