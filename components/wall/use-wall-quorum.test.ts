import { describe, expect, it } from 'vitest';
import type { RaftView } from '@/server/api/raft-view';
import type { RaftState } from '../raft/raft-store';
import { quorumKey } from './use-wall-quorum';

const state = (over: Partial<RaftView> = {}): RaftState => ({
  view: {
    observedBy: 'm1',
    at: '2026-12-06T00:00:00Z',
    term: 2,
    leader: 'm1',
    role: 'leader',
    commit: 100,
    applied: 100,
    snapshot: { index: 0, bytes: 0 },
    members: [],
    quorum: { voters: 3, majority: 2, reachableVoters: 3, canLose: 1 },
    hasQuorum: true,
    failedEntries: { total: 0, recent: [] },
    ...over,
  },
  events: [],
  receivedAt: 0,
});

describe('quorumKey', () => {
  it('stays the same while frames only move the log', () => {
    expect(quorumKey(state({ commit: 101, applied: 101, at: '2026-12-06T00:00:01Z' }))).toBe(quorumKey(state()));
  });
  it('changes with what the alert strip reads: voters, how many can be lost, quorum', () => {
    const base = quorumKey(state());
    expect(quorumKey(state({ quorum: { voters: 3, majority: 2, reachableVoters: 2, canLose: 0 } }))).not.toBe(base);
    expect(quorumKey(state({ quorum: { voters: 5, majority: 3, reachableVoters: 5, canLose: 1 } }))).not.toBe(base);
    expect(quorumKey(state({ hasQuorum: false }))).not.toBe(base);
  });
  it('is empty when the manager sends no Raft view', () => {
    expect(quorumKey(null)).toBe('');
  });
});
