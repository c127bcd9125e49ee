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
  /** Raft IDs removed from the group: their certificates are never admitted again. */
  raftRemoved(): readonly RaftId[];
}

export function managerAcceptPolicy(src: ManagerAcceptSource) {
  return {
    isRemoved: (nodeID: string) => src.raftRemoved().includes(nodeID) || isBlacklisted(src.cluster(), nodeID),
    validateToken: (token: string) => tokenRole(src.cluster(), token),
  };
}
