import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../api/types';
import { managerAcceptPolicy, safeEqual, tokenRole } from './credentials';

const cluster = {
  JoinTokens: { Worker: 'SWMTKN-1-abc-worker', Manager: 'SWMTKN-1-abc-manager' },
  BlacklistedCertificates: { w9: { Expiry: '2030-01-01T00:00:00Z' } },
} as unknown as Cluster;

describe('cluster credentials', () => {
  it('tells the manager token from the worker token, and neither from a guess', () => {
    expect(tokenRole(cluster, 'SWMTKN-1-abc-manager')).toBe('manager');
    expect(tokenRole(cluster, 'SWMTKN-1-abc-worker')).toBe('worker');
    expect(tokenRole(cluster, 'SWMTKN-1-abc-manageR')).toBeUndefined();
    expect(tokenRole(undefined, 'SWMTKN-1-abc-manager')).toBeUndefined();
    expect(safeEqual('a', 'a')).toBe(true);
    expect(safeEqual('a', 'ab')).toBe(false);
  });

  it('refuses the certificates of removed nodes and of members removed from raft', () => {
    const removed: string[] = [];
    const members = ['m1', 'm2'];
    const policy = managerAcceptPolicy({
      cluster: () => cluster,
      raftRemoved: (id) => removed.includes(id),
      raftMember: (id) => members.includes(id),
    });
    expect(policy.isRemoved('w9')).toBe(true);
    expect(policy.isRemoved('m2')).toBe(false);
    expect(policy.isMember('m2')).toBe(true);
    // a manager certificate is worth member rights only while its node is in the raft group
    expect(policy.isMember('m3')).toBe(false);
    removed.push('m2');
    members.splice(1, 1);
    expect(policy.isRemoved('m2')).toBe(true);
    expect(policy.isMember('m2')).toBe(false);
    expect(policy.validateToken('SWMTKN-1-abc-worker')).toBe('worker');
    // before the store has the cluster: no token is valid, no certificate is blacklisted
    const early = managerAcceptPolicy({ cluster: () => undefined, raftRemoved: () => false, raftMember: () => false });
    expect(early.validateToken('SWMTKN-1-abc-manager')).toBeUndefined();
    expect(early.isRemoved('w9')).toBe(false);
  });
});
