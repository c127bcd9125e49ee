// Who the cluster port lets in: members presenting the cluster's member key,
// and joiners presenting the manager join token. Callbacks read live state, so
// a token rotation or a member's removal takes effect on the next connection.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Cluster } from '../../api/types';
import type { TransportCredentials } from '../../raft/transport';
import type { RaftId } from '../../raft/types';

export interface CredentialSource {
  /** The cluster ID and member key, once this manager belongs to a cluster. */
  current(): { clusterID: string; memberKey: string } | undefined;
  /** The join token a joining manager presents until it is admitted. */
  joinToken?(): string | undefined;
  /** The cluster object (its join tokens), once the store has it. */
  cluster(): Cluster | undefined;
  /** Raft IDs removed from the group: never admitted again. */
  removed(): readonly RaftId[];
  /** Whether a worker node exists in the store (an agent's key stops working once its node is removed). */
  isNode?(nodeID: string): boolean;
  /** This process's own node key, once it joined as a worker (it then dials as an agent). */
  nodeKey?(): { clusterID: string; nodeKey: string } | undefined;
}

/**
 * An agent's node key: an HMAC of its node ID under the cluster's member key,
 * so every manager can check it without shared state, and it ends with the node.
 */
export function nodeKeyFor(creds: { clusterID: string; memberKey: string }, nodeID: string): string {
  return createHmac('sha256', creds.memberKey)
    .update(`swarmdeck-node:${creds.clusterID}:${nodeID}`)
    .digest('base64url');
}

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

export function transportCredentials(src: CredentialSource): TransportCredentials {
  return {
    clusterId: () => src.current()?.clusterID,
    validateToken: (token) => tokenRole(src.cluster(), token),
    validateMember: (raftId, key) => {
      const creds = src.current();
      if (!creds || !safeEqual(key, creds.memberKey)) return false;
      return !src.removed().includes(raftId);
    },
    validateNode: (nodeID, key) => {
      const creds = src.current();
      if (!creds || !src.isNode || !safeEqual(key, nodeKeyFor(creds, nodeID))) return false;
      return src.isNode(nodeID) && !src.removed().includes(nodeID);
    },
    dial: () => {
      const creds = src.current();
      if (creds) return { clusterId: creds.clusterID, memberKey: creds.memberKey };
      const node = src.nodeKey?.();
      if (node) return { clusterId: node.clusterID, nodeKey: node.nodeKey };
      const joinToken = src.joinToken?.();
      return joinToken ? { joinToken } : {};
    },
  };
}
