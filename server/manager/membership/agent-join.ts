// An agent process joins as a worker: having pinned the swarm's root by the
// token's digest, it calls any manager over the cluster port with the worker
// join token and a CSR; the leader creates its Node and answers with its
// worker certificate, which is all the agent presents from then on, and
// where the managers are.

import { runAs } from '../../store/audit-context';
import { SwarmError, rpcError } from '../../api/errors';
import { hostOf } from '../../api/node-id';
import { agentJoinRequestSchema } from '../../api/schemas/join-request';
import type { Agree, Assert } from '../../api/schemas/types-agree';
import { parseWire } from '../../api/schemas/wire';
import type { NodeDescription } from '../../api/types';
import { INVALID_JOIN_TOKEN, type PeerIdentity } from '../../raft/transport';
import type { RaftId } from '../../raft/types';
import type { ClusterStore } from '../../store/cluster-store';
import { newNode } from '../bootstrap';
import { issueCertificate, leafNotAfter } from '../ca/issuer';
import { tokenRole } from './credentials';
import { alreadyPart, askToJoin, decideJoin, type JoinTransport } from './join';

export const MANAGER_TOKEN_FOR_AGENT =
  'this is the manager join token; an agent joins with the worker token (add a manager with `swarmdeck --join`)';

export interface AgentJoinRequest {
  agentJoin: {
    token: string;
    /** The agent's advertised address (host, or host:port). */
    addr: string;
    description: NodeDescription;
    /** The agent's certificate request (PEM); the CA decides the subject. */
    csr: string;
    /** Set when a follower passes the join on: the joiner's node ID. */
    nodeID?: string;
  };
}

export interface AgentJoinAnswer {
  clusterID: string;
  nodeID: string;
  /** The agent's worker certificate chain (PEM): its identity on every later connection. */
  certificate: string;
  /** The swarm's trust root (PEM). */
  rootCA: string;
  leader: RaftId;
  /** Manager raft ID → cluster address. */
  managers: Record<RaftId, string>;
}

/** Whether a transport request is a agent join (routing only: the handler parses it). */
export function isAgentJoinRequest(p: unknown): boolean {
  const j = (p as Record<string, unknown> | null)?.agentJoin;
  return typeof j === 'object' && j !== null;
}

/** The schema decodes into exactly this request type. */
export type AgentJoinRequestAgrees = Assert<Agree<typeof agentJoinRequestSchema, AgentJoinRequest>>;

export interface AgentJoinDeps {
  store: ClusterStore;
  isLeader(): boolean;
  leader(): RaftId;
  members(): Map<RaftId, string>;
  removed(): readonly RaftId[];
  barrier(): Promise<unknown>;
  request(to: RaftId, payload: unknown, timeoutMs: number): Promise<unknown>;
}

/** Serves `{agentJoin}`: the leader admits the agent, any other manager passes it on. */
export function agentJoinHandler(
  deps: AgentJoinDeps,
): (payload: unknown, from: PeerIdentity) => Promise<AgentJoinAnswer> {
  return async (raw, from) => {
    const payload = parseWire(agentJoinRequestSchema, raw, 'agent join');
    const req = payload.agentJoin;
    return decideJoin(
      deps,
      from,
      req.nodeID,
      (nodeID) => ({ agentJoin: { ...req, nodeID } }) satisfies AgentJoinRequest,
      (nodeID) => admitAgent(deps, nodeID, req),
    );
  };
}

async function admitAgent(deps: AgentJoinDeps, nodeID: string, req: AgentJoinRequest['agentJoin']) {
  await deps.barrier();
  const cluster = deps.store.view.list('cluster')[0];
  const role = tokenRole(cluster, req.token);
  if (role === 'manager') throw rpcError('InvalidArgument', MANAGER_TOKEN_FOR_AGENT);
  if (role !== 'worker') throw rpcError('InvalidArgument', INVALID_JOIN_TOKEN);
  if (!cluster) throw new SwarmError('Unavailable', 'this manager is not ready to admit nodes');
  if (deps.removed().includes(nodeID))
    throw rpcError(
      'FailedPrecondition',
      `node ${nodeID} was a manager removed from the swarm; use a fresh data directory`,
    );
  // The token proves the right to add a node, not to be an existing one: a certificate for an
  // existing node would let any token holder take over its session, tasks and logs. Checked before
  // anything is signed, and again where the node is created.
  if (deps.store.view.get('node', nodeID)) throw alreadyPart(nodeID);
  // the CSR is checked before the node exists, so a bad one leaves nothing behind
  const issued = await issueCertificate(deps.store.view, { nodeID, role: 'worker', csr: req.csr });
  // the join is the joining agent's own doing (its token vouched for it)
  await runAs({ actor: { kind: 'agent', nodeID }, action: 'join as worker' }, () =>
    deps.store.update(
      (tx) => {
        if (tx.get('node', nodeID)) throw alreadyPart(nodeID);
        tx.create('node', {
          ...newNode(nodeID, 'worker', req.description, hostOf(req.addr), tx.now),
          CertificateNotAfter: leafNotAfter(issued.certificate),
        });
      },
      { retry: true },
    ),
  );
  return {
    clusterID: cluster.ID,
    nodeID,
    certificate: issued.certificate,
    rootCA: issued.rootCA,
    leader: deps.leader(),
    managers: Object.fromEntries(deps.members()),
  };
}

/** The agent's side: ask `remoteAddr` (any manager's cluster address) to admit it. */
export function requestAgentJoin(
  transport: JoinTransport,
  remoteAddr: string,
  join: Omit<AgentJoinRequest['agentJoin'], 'nodeID'>,
  timeoutMs = 30_000,
): Promise<AgentJoinAnswer> {
  const payload: AgentJoinRequest = { agentJoin: join };
  return askToJoin(
    transport,
    remoteAddr,
    payload,
    timeoutMs,
    (a: Partial<AgentJoinAnswer>) =>
      typeof a.certificate === 'string' && typeof a.clusterID === 'string' && typeof a.managers === 'object',
  );
}
