// Who the cluster port lets in: members presenting the cluster's member key,
// and joiners presenting the manager join token. Callbacks read live state, so
// a token rotation or a member's removal takes effect on the next connection.

import { createHash, timingSafeEqual } from 'node:crypto';
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
    dial: () => {
      const creds = src.current();
      if (creds) return { clusterId: creds.clusterID, memberKey: creds.memberKey };
      const joinToken = src.joinToken?.();
      return joinToken ? { joinToken } : {};
    },
  };
}
