import { describe, expect, it } from 'vitest';
import type { RaftMemberView, RaftView } from '@/server/api/raft-view';
import type { Node } from '@/server/api/types';
import { lastContactText, memberTerm, quorumSentence, singleManagerView } from './derive';
import { ClientRaftStore } from './raft-store';

const q = (voters: number, reachableVoters: number, hasQuorum = true) => {
  const majority = Math.floor(voters / 2) + 1;
  return { quorum: { voters, majority, reachableVoters, canLose: Math.max(0, reachableVoters - majority) }, hasQuorum };
};

const member = (over: Partial<RaftMemberView>): RaftMemberView => ({
  raftId: 'b',
  nodeID: 'b',
  hostname: 'b',
  addr: '',
  role: 'follower',
  self: false,
  reachable: true,
  ...over,
});

function makeNode(over: Partial<Node> & { hostname?: string } = {}): Node {
  const { hostname = 'worker', ...rest } = over;
  return {
    ID: 'w',
    Version: { Index: 1 },
    CreatedAt: '',
    UpdatedAt: '',
    Spec: { Labels: {}, Role: 'worker', Availability: 'active' },
    Role: 'worker',
    Description: {
      Hostname: hostname,
      Platform: { Architecture: 'x86_64', OS: 'linux' },
      Resources: { NanoCPUs: 1e9, MemoryBytes: 1 },
      Engine: { EngineVersion: 'x', Labels: {} },
    },
    Status: { State: 'ready', Addr: '127.0.0.1' },
    ...rest,
  };
}

describe('raft panel wording', () => {
  it('states the quorum arithmetic', () => {
    expect(quorumSentence(q(1, 1))).toBe('1 manager: can lose 0 more');
    expect(quorumSentence(q(3, 3))).toBe('3 managers: can lose 1 more');
    expect(quorumSentence(q(5, 4))).toBe('5 managers, 1 unreachable: can lose 1 more');
    expect(quorumSentence(q(3, 1, false))).toBe('3 managers: quorum lost, 1 of 2 needed');
  });

  it('ages the last contact of an unreachable member from when the frame arrived', () => {
    expect(lastContactText(member({ self: true }), 0, 0)).toBe('this manager');
    expect(lastContactText(member({ lastContactMs: 120 }), 1_000, 60_000)).toBe('just now');
    expect(lastContactText(member({ reachable: false, lastContactMs: 2_000 }), 1_000, 13_000)).toBe('14 seconds ago');
    expect(lastContactText(member({ reachable: false }), 0, 0)).toBe('never');
  });

  it('claims a member’s term only where this manager can know it', () => {
    const v = { term: 7, leader: 'a' } as RaftView;
    expect(memberTerm(v, member({ raftId: 'a', role: 'leader' }))).toBe(7);
    expect(memberTerm(v, member({ reachable: false }))).toBeUndefined();
    expect(memberTerm({ ...v, leader: '' }, member({ role: 'unknown' }))).toBeUndefined();
  });

  it('derives a single-manager view from the store when no raft group runs', () => {
    const mgr = makeNode({
      ID: 'm',
      hostname: 'mgr',
      Role: 'manager',
      Spec: { Labels: {}, Role: 'manager', Availability: 'active' },
    });
    const v = singleManagerView(
      [{ ...mgr, ManagerStatus: { Leader: true, Reachability: 'reachable', Addr: 'x:2377' } }, makeNode()],
      42,
    );
    expect(v.members).toHaveLength(1);
    expect(v.members[0]).toMatchObject({ hostname: 'mgr', role: 'leader', self: true, reachable: true });
    expect(quorumSentence(v)).toBe('1 manager: can lose 0 more');
    expect(v.commit).toBe(42);
  });
});

describe('ClientRaftStore', () => {
  const view = (at: string, term: number) => ({ observedBy: 'a', at, term }) as RaftView;
  it('keeps the events when a frame leaves them out and ignores an older frame', () => {
    const s = new ClientRaftStore();
    s.apply({ view: view('2026-01-01T00:00:02Z', 2), events: [{ at: 'x', kind: 'leader-elected', term: 2 }] }, 1);
    s.apply({ view: view('2026-01-01T00:00:03Z', 3) }, 2);
    expect(s.get()?.view.term).toBe(3);
    expect(s.get()?.events).toHaveLength(1);
    expect(s.apply({ view: view('2026-01-01T00:00:01Z', 1) }, 3)).toBe(false);
    expect(s.get()?.view.term).toBe(3);
  });
});
