// Members a lagging member has not heard of yet. Raft has a server take appends
// and vote requests from a leader or candidate outside its configuration
// (Ongaro's thesis §4.1): a member that slept through conf changes catches up
// from a leader added meanwhile. Here member rights follow the applied
// configuration (a manager certificate alone grants no raft), so such a
// leader's messages are dropped and this member could not address its answers
// anyway. A member that hears from no leader for an election timeout therefore
// asks the members it knows for the members they know, as swarmkit resolves an
// unknown member ID through a known member (Transport.resolvePeer →
// ResolveAddress). What a member names is admitted on its word (a member may
// speak raft anyway) until the log catches up and says for itself.

import type { Message } from './core';
import type { RaftId } from './types';

interface HintEnvelope {
  from: RaftId;
  to: RaftId;
  /** The sender's term, for the record: hints never touch a core's term. */
  term: number;
}

/** Member → member: which members do you know? */
export interface MemberQuery extends HintEnvelope {
  type: 'member-query';
}

/** The answer: the voters and learners of the sender's applied configuration, with their addresses. */
export interface MemberList extends HintEnvelope {
  type: 'member-list';
  members: Record<RaftId, string>;
}

export type MemberHint = MemberQuery | MemberList;

/** What travels between raft members: the core's messages and the shell's member hints. */
export type WireMessage = Message | MemberHint;

/** More than any swarm runs managers (a list is answered only to members, so this is a sanity bound). */
export const MAX_LISTED_MEMBERS = 1_000;

export function isMemberHint(m: WireMessage): m is MemberHint {
  return m.type === 'member-query' || m.type === 'member-list';
}
