// A second process joins as a manager: having pinned the swarm's root by the
// token's digest, it calls a member over the cluster port (TLS verified
// against that root) with the manager join token and a CSR; the leader
// creates its Node, signs its manager certificate, adds it to raft as a
// learner (promoted once caught up, see promoter.ts) and answers with what
// the joiner needs to become a member.

import { runAs } from '../../store/audit-context';
import { SwarmError, rpcError } from '../../api/errors';
import { hostOf, isNodeID } from '../../api/node-id';
import { managerJoinRequestSchema } from '../../api/schemas/join-request';
import type { Agree, Assert } from '../../api/schemas/types-agree';
import { parseWire } from '../../api/schemas/wire';
import type { NodeDescription } from '../../api/types';
import { NO_LEADER } from '../../raft/raft-log';
import { INVALID_JOIN_TOKEN, type PeerIdentity } from '../../raft/transport';
import type { RaftId } from '../../raft/types';
import type { ClusterStore } from '../../store/cluster-store';
import { newNode } from '../bootstrap';
import { issueCertificate, leafNotAfter } from '../ca/issuer';
import { tokenRole } from './credentials';
import { NOT_LEADER_CODE, rebuildError } from './forward';

export const WORKER_TOKEN_REFUSED = 'a worker join token cannot join this cluster as a manager';

export interface JoinRequest {
  join: {
    token: string;
    /** The joiner's cluster address (host:port). */
    addr: string;
    description: NodeDescription;
    /** The joiner's certificate request (PEM); the CA decides the subject. */
    csr: string;
    /** Set when a follower passes the join on: the joiner's raft ID (= node ID). */
    raftId?: RaftId;
  };
}

export interface JoinAnswer {
  clusterID: string;
  nodeID: string;
  /** The joiner's manager certificate chain (PEM). */
  certificate: string;
  /** The swarm's trust root (PEM). */
  rootCA: string;
  /** Current members' addresses (the joiner needs them before it replays the log that names them). */
  members: Record<RaftId, string>;
}

/** Whether a transport request is a join (routing only: the handler parses it). */
export function isJoinRequest(p: unknown): boolean {
  const j = (p as Record<string, unknown> | null)?.join;
  return typeof j === 'object' && j !== null;
}

/** The schema decodes into exactly this request type. */
export type JoinRequestAgrees = Assert<Agree<typeof managerJoinRequestSchema, JoinRequest>>;

export interface JoinLog {
  isLeader(): boolean;
  leader(): RaftId;
  members(): Map<RaftId, string>;
  status(): { conf: { voters: RaftId[]; learners: RaftId[]; removed?: RaftId[] } };
  addMember(id: RaftId, addr: string, opts: { asLearner?: boolean }): Promise<unknown>;
}

export interface JoinDeps {
  store: ClusterStore;
  log: JoinLog;
  /** Linearizable read point before the leader reads the store. */
  barrier(): Promise<unknown>;
  /** Pass the join to the leader (a follower was dialled). */
  request(to: RaftId, payload: unknown, timeoutMs: number): Promise<unknown>;
  sleep(ms: number): Promise<void>;
}

/**
 * Where a join is decided: a joiner is who it authenticated as, a member passing a join on names the
 * joiner (`named`). On the leader `admit` runs; any other manager passes the join (`forward(joinerID)`)
 * to the leader once — a member's pass-on never travels further.
 */
export async function decideJoin<T>(
  deps: {
    isLeader(): boolean;
    leader(): RaftId;
    request(to: RaftId, payload: unknown, timeoutMs: number): Promise<unknown>;
  },
  from: PeerIdentity,
  named: string | undefined,
  forward: (joinerID: string) => unknown,
  admit: (joinerID: string) => Promise<T>,
): Promise<T> {
  const joinerID = from.via === 'member' ? named : from.raftId;
  if (!isNodeID(joinerID)) throw new SwarmError('InvalidArgument', 'invalid joiner ID');
  if (deps.isLeader()) return admit(joinerID);
  if (from.via === 'member') throw Object.assign(new Error('not the leader'), { code: NOT_LEADER_CODE, status: 503 });
  const leader = deps.leader();
  if (!leader) throw new SwarmError('Unavailable', NO_LEADER);
  try {
    return (await deps.request(leader, forward(joinerID), 30_000)) as T;
  } catch (err) {
    const f = err as { kind?: string; code?: string; message: string };
    throw f.kind === 'remote' ? rebuildError(f) : new SwarmError('Unavailable', f.message);
  }
}

/** Serves `{join}` requests: on the leader it admits the joiner, elsewhere it passes them on. */
export function joinRequestHandler(deps: JoinDeps): (payload: unknown, from: PeerIdentity) => Promise<JoinAnswer> {
  const route = { isLeader: () => deps.log.isLeader(), leader: () => deps.log.leader(), request: deps.request };
  return async (raw, from) => {
    const payload = parseWire(managerJoinRequestSchema, raw, 'join');
    const req = payload.join;
    return decideJoin(
      route,
      from,
      req.raftId,
      (raftId) => ({ join: { ...req, raftId } }) satisfies JoinRequest,
      (raftId) => admit(deps, raftId, req),
    );
  };
}

async function admit(deps: JoinDeps, raftId: RaftId, req: JoinRequest['join']): Promise<JoinAnswer> {
  await deps.barrier();
  const cluster = deps.store.view.list('cluster')[0];
  const role = tokenRole(cluster, req.token);
  if (role === 'worker') throw rpcError('InvalidArgument', WORKER_TOKEN_REFUSED);
  if (role !== 'manager') throw rpcError('InvalidArgument', INVALID_JOIN_TOKEN);
  if (!cluster) throw new SwarmError('Unavailable', 'this manager is not ready to admit members');
  const conf = deps.log.status().conf;
  if (conf.removed?.includes(raftId))
    throw rpcError('FailedPrecondition', `node ${raftId} was removed from the swarm; join with a fresh data directory`);
  // The token proves the right to add a manager, not to be an existing node (the leader itself
  // included): a certificate for one would let any token holder speak raft as it. Checked before
  // anything is signed, and again where the node is created.
  if (conf.voters.includes(raftId) || conf.learners.includes(raftId) || deps.store.view.get('node', raftId))
    throw alreadyPart(raftId);
  // the CSR is checked before the node exists, so a bad one leaves nothing behind; the certificate
  // goes out only with the node created
  const issued = await issueCertificate(deps.store.view, { nodeID: raftId, role: 'manager', csr: req.csr });
  await runAs({ actor: { kind: 'agent', nodeID: raftId }, action: 'join as manager' }, () =>
    deps.store.update(
      (tx) => {
        if (tx.get('node', raftId)) throw alreadyPart(raftId);
        tx.create('node', {
          ...newNode(raftId, 'manager', req.description, hostOf(req.addr), tx.now),
          CertificateNotAfter: leafNotAfter(issued.certificate),
        });
      },
      { retry: true },
    ),
  );
  // a learner once the certificate is signed: the leader dials it as soon as it is one
  for (let attempt = 0; ; attempt++) {
    try {
      await deps.log.addMember(raftId, req.addr, { asLearner: true });
      break;
    } catch (err) {
      // one membership change at a time: another join or a promotion is in flight
      if (!(err instanceof SwarmError) || err.code !== 'FailedPrecondition' || attempt >= 50) throw err;
      await deps.sleep(100);
    }
  }
  return {
    clusterID: cluster.ID,
    nodeID: raftId,
    certificate: issued.certificate,
    rootCA: issued.rootCA,
    members: Object.fromEntries(deps.log.members()),
  };
}

/** swarmkit answers a node ID it already knows with AlreadyExists (its CA never reissues one to a joiner). */
export function alreadyPart(nodeID: string): SwarmError {
  return rpcError(
    'AlreadyExists',
    `node ${nodeID} is already part of this swarm; a node that lost its credentials joins again with a fresh data directory`,
  );
}

/** The joiner's side: ask `remoteAddr` (any manager) to admit us. */
export async function requestJoin(
  transport: JoinTransport,
  remoteAddr: string,
  join: Omit<JoinRequest['join'], 'raftId'>,
  timeoutMs = 30_000,
): Promise<JoinAnswer> {
  return askToJoin(
    transport,
    remoteAddr,
    { join } satisfies JoinRequest,
    timeoutMs,
    (a: Partial<JoinAnswer>) =>
      typeof a.certificate === 'string' && typeof a.clusterID === 'string' && typeof a.members === 'object',
  );
}

export interface JoinTransport {
  request(target: { addr: string }, payload: unknown, timeoutMs: number): Promise<unknown>;
}

/**
 * One join request to `remoteAddr` (any manager), with the answer checked by
 * `valid` and every failure turned into the error swarm gives for it.
 */
export async function askToJoin<A>(
  transport: JoinTransport,
  remoteAddr: string,
  payload: unknown,
  timeoutMs: number,
  valid: (answer: Partial<A>) => boolean,
): Promise<A> {
  try {
    const answer = (await transport.request({ addr: remoteAddr }, payload, timeoutMs)) as Partial<A> | null;
    if (!answer || !valid(answer)) throw new SwarmError('Unknown', `unexpected join answer from ${remoteAddr}`);
    return answer as A;
  } catch (err) {
    if (err instanceof SwarmError) throw err;
    const f = err as { kind?: string; code?: string; message: string };
    if (f.kind === 'remote') throw rebuildError(f);
    // refused at the handshake: the transport names the reason
    if (f.message === INVALID_JOIN_TOKEN) throw rpcError('InvalidArgument', INVALID_JOIN_TOKEN);
    if (f.message?.includes('worker join token')) throw rpcError('InvalidArgument', WORKER_TOKEN_REFUSED);
    if (f.message?.startsWith('Permission denied')) throw rpcError('PermissionDenied', f.message);
    throw new SwarmError('Unavailable', `could not join the swarm at ${remoteAddr}: ${f.message}`);
  }
}
