// ManagerStatus comes from the live raft membership, never from the store:
// Leader from who leads, Reachability from this manager's transport, Addr
// from the member's cluster address (swarm's ListNodes does the same).

import type { ManagerStatus } from '../../api/types';
import type { RaftId } from '../../raft/types';

export interface MemberInfo {
  id: RaftId;
  addr: string;
  /** Voter (false: a learner still catching up). */
  voter: boolean;
  /** Self, or a peer this manager's transport currently hears from. */
  reachable: boolean;
}

export interface MembershipView {
  selfID: RaftId;
  /** '' when no leader is known. */
  leader: RaftId;
  members: MemberInfo[];
}

/** The raft-side inputs, as RaftLog.status() and ClusterTransport.peerStatus() give them. */
export interface MembershipInputs {
  selfID: RaftId;
  leader: RaftId;
  voters: readonly RaftId[];
  learners: readonly RaftId[];
  addrs: ReadonlyMap<RaftId, string>;
  peers: readonly { id: RaftId; active: boolean }[];
}

export function membershipView(i: MembershipInputs): MembershipView {
  const active = new Set(i.peers.filter((p) => p.active).map((p) => p.id));
  const voters = new Set(i.voters);
  const members = [...i.voters, ...i.learners].map((id) => ({
    id,
    addr: i.addrs.get(id) ?? '',
    voter: voters.has(id),
    reachable: id === i.selfID || active.has(id),
  }));
  return { selfID: i.selfID, leader: i.leader, members };
}

/** A manager node's ManagerStatus, or undefined when it is not a raft member (raft ID = node ID). */
export function managerStatus(view: MembershipView, nodeID: string): ManagerStatus | undefined {
  const m = view.members.find((x) => x.id === nodeID);
  if (!m) return undefined;
  return {
    ...(view.leader === nodeID ? { Leader: true } : {}),
    Reachability: m.reachable ? 'reachable' : 'unreachable',
    Addr: m.addr,
  };
}

export const isMember = (view: MembershipView, id: RaftId): boolean => view.members.some((m) => m.id === id);

/**
 * swarmkit's CanRemoveMember: after removing `id`, the reachable voters left
 * (self plus active peers) must still be a majority of the smaller group.
 */
export function canRemoveMember(view: MembershipView, id: RaftId): boolean {
  const voters = view.members.filter((m) => m.voter);
  const remaining = voters.filter((m) => m.id !== id);
  const reachable = remaining.filter((m) => m.reachable).length;
  const quorum = Math.floor((voters.length - 1) / 2) + 1;
  return reachable >= quorum;
}

/** The voter best placed to take over from `self`: reachable, other than self (most up to date first when known). */
export function transferTarget(view: MembershipView, match: Record<RaftId, number> = {}): RaftId | undefined {
  const candidates = view.members.filter((m) => m.voter && m.reachable && m.id !== view.selfID);
  candidates.sort((a, b) => (match[b.id] ?? 0) - (match[a.id] ?? 0) || a.id.localeCompare(b.id));
  return candidates[0]?.id;
}
