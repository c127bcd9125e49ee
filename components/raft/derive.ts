import type { RaftEvent, RaftMemberView, RaftRole, RaftView } from '@/server/api/raft-view';
import type { Node } from '@/server/api/types';
import type { Tone } from '../ui/badge';
import { humanDuration } from '../time/format';

/** "3 managers: can lose 1 more", or why changes are blocked. */
export function quorumSentence(v: Pick<RaftView, 'quorum' | 'hasQuorum'>): string {
  const { voters, majority, reachableVoters, canLose } = v.quorum;
  const managers = `${voters} manager${voters === 1 ? '' : 's'}`;
  if (!v.hasQuorum) return `${managers}: quorum lost, ${reachableVoters} of ${majority} needed`;
  const down = voters - reachableVoters;
  return `${managers}${down > 0 ? `, ${down} unreachable` : ''}: can lose ${canLose} more`;
}

/** What losing one more manager would mean, for the line under the sentence. */
export function quorumHint(v: Pick<RaftView, 'quorum' | 'hasQuorum'>): string {
  const { voters, majority } = v.quorum;
  if (!v.hasQuorum) {
    const missing = Math.max(1, majority - v.quorum.reachableVoters);
    return `Bring back ${missing} more manager${missing === 1 ? '' : 's'} to restore the quorum.`;
  }
  if (voters === 1) return 'Add two managers to survive the loss of one.';
  if (voters % 2 === 0) return `An even count adds no tolerance: ${voters - 1} managers survive as many losses.`;
  return `A majority of ${majority} of ${voters} must stay reachable for changes to commit.`;
}

export const ROLE_LABEL: Record<RaftRole, string> = {
  leader: 'Leader',
  follower: 'Follower',
  candidate: 'Candidate',
  'pre-candidate': 'Pre-candidate',
  learner: 'Learner',
  unknown: 'Unknown',
};

export const ROLE_TONE: Record<RaftRole, Tone> = {
  leader: 'accent',
  follower: 'neutral',
  candidate: 'warn',
  'pre-candidate': 'warn',
  learner: 'info',
  unknown: 'neutral',
};

/** "follower: reads from its replica, writes forwarded to the leader". */
export function servedByRole(role: RaftRole): string {
  switch (role) {
    case 'leader':
      return 'leader: reads and writes are served here';
    case 'follower':
      return 'follower: reads from its replica, writes forwarded to the leader';
    case 'learner':
      return 'learner: catching up, reads from its replica, writes forwarded to the leader';
    default:
      return `${role}: no leader known, changes are blocked until one is elected`;
  }
}

/** Term is known for this manager, the leader it follows, and reachable members under a known leader. */
export function memberTerm(v: RaftView, m: RaftMemberView): number | undefined {
  if (m.self || m.raftId === v.leader) return v.term;
  if (v.leader && m.reachable && m.role !== 'unknown') return v.term;
  return undefined;
}

/**
 * Last contact as shown: a reachable member is heard every heartbeat, so
 * the pushed value stands; an unreachable one counts up from when the frame
 * arrived (no push per second needed).
 */
export function lastContactText(m: RaftMemberView, receivedAt: number, now: number): string {
  if (m.self) return 'this manager';
  if (m.lastContactMs === undefined) return m.reachable ? 'via the leader' : 'never';
  const ms = m.reachable ? m.lastContactMs : m.lastContactMs + Math.max(0, now - receivedAt);
  if (ms < 1000) return 'just now';
  return `${humanDuration(ms)} ago`;
}

export function eventText(e: RaftEvent, name: (id: string) => string): string {
  const who = e.member ? name(e.member) : '';
  switch (e.kind) {
    case 'leader-elected':
      return `${who} elected leader`;
    case 'leader-lost':
      return `${who} is no longer leader`;
    case 'member-added':
      return `${who} joined`;
    case 'member-promoted':
      return `${who} promoted to voter`;
    case 'member-removed':
      return `${who} removed`;
    case 'quorum-lost':
      return 'Quorum lost: changes are blocked';
    case 'quorum-regained':
      return 'Quorum regained';
  }
}

export const EVENT_TONE: Record<RaftEvent['kind'], Tone> = {
  'leader-elected': 'accent',
  'leader-lost': 'warn',
  'member-added': 'info',
  'member-promoted': 'info',
  'member-removed': 'neutral',
  'quorum-lost': 'bad',
  'quorum-regained': 'ok',
};

/**
 * A manager that runs no raft group (one manager, its own log) sends no raft
 * frames: show what the store knows so the panel still reads correctly.
 */
export function singleManagerView(nodes: Iterable<Node>, index: number): RaftView {
  const managers = [...nodes].filter((n) => n.Spec.Role === 'manager');
  const leader = managers.find((n) => n.ManagerStatus?.Leader) ?? managers[0];
  const members: RaftMemberView[] = managers.map((n) => {
    const self = n === leader;
    return {
      raftId: n.ID,
      nodeID: n.ID,
      hostname: n.Description.Hostname || n.Spec.Name || n.ID,
      addr: n.ManagerStatus?.Addr ?? '',
      role: self ? 'leader' : 'unknown',
      self,
      reachable: self || n.ManagerStatus?.Reachability === 'reachable',
    };
  });
  const voters = members.length;
  const majority = Math.floor(voters / 2) + 1;
  const reachableVoters = members.filter((m) => m.reachable).length;
  return {
    observedBy: leader?.ID ?? '',
    at: '',
    term: 0,
    leader: leader?.ID ?? '',
    role: leader ? 'leader' : 'unknown',
    commit: index,
    applied: index,
    snapshot: { index: 0, bytes: 0 },
    members,
    quorum: { voters, majority, reachableVoters, canLose: Math.max(0, reachableVoters - majority) },
    hasQuorum: reachableVoters >= majority,
    failedEntries: { total: 0, recent: [] },
  };
}
