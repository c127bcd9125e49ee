// Who a manager's cluster port lets in besides certificate holders: joiners
// presenting a join token. And whose certificates it refuses: nodes removed
// from the swarm (swarmkit's blacklist) and members removed from raft.
// Callbacks read live state, so a token rotation or a removal takes effect on
// the next connection.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { Cluster } from '../../api/types';
import type { RaftId } from '../../raft/types';
import { isBlacklisted } from '../ca/issuer';

/** Constant-time string comparison (through fixed-length digests, so lengths do not leak either). */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db) && a.length === b.length;
}

/** Which join token `token` is: both are always compared, in constant time. */
export function tokenRole(cluster: Cluster | undefined, token: string): 'manager' | 'worker' | undefined {
  if (!cluster || !token) return undefined;
  const manager = safeEqual(token, cluster.JoinTokens.Manager);
  const worker = safeEqual(token, cluster.JoinTokens.Worker);
  return manager ? 'manager' : worker ? 'worker' : undefined;
}

export interface ManagerAcceptSource {
  /** The cluster object (join tokens, blacklist), once the store has it. */
  cluster(): Cluster | undefined;
  /** Whether a raft ID was removed from the group: its certificates are never admitted again. */
  raftRemoved(id: RaftId): boolean;
  /** Whether a raft ID is a voter or learner now: only then does its manager certificate make it a member. */
  raftMember(id: RaftId): boolean;
}

export function managerAcceptPolicy(src: ManagerAcceptSource) {
  return {
    isRemoved: (nodeID: string) => src.raftRemoved(nodeID) || isBlacklisted(src.cluster(), nodeID),
    isMember: (nodeID: string) => src.raftMember(nodeID),
    validateToken: (token: string) => tokenRole(src.cluster(), token),
  };
}
