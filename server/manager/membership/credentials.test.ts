import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../api/types';
import { nodeKeyFor, safeEqual, tokenRole, transportCredentials } from './credentials';

const cluster = { JoinTokens: { Worker: 'SWMTKN-1-abc-worker', Manager: 'SWMTKN-1-abc-manager' } } as Cluster;

describe('cluster credentials', () => {
  it('tells the manager token from the worker token, and neither from a guess', () => {
    expect(tokenRole(cluster, 'SWMTKN-1-abc-manager')).toBe('manager');
    expect(tokenRole(cluster, 'SWMTKN-1-abc-worker')).toBe('worker');
    expect(tokenRole(cluster, 'SWMTKN-1-abc-manageR')).toBeUndefined();
    expect(tokenRole(undefined, 'SWMTKN-1-abc-manager')).toBeUndefined();
    expect(safeEqual('a', 'a')).toBe(true);
    expect(safeEqual('a', 'ab')).toBe(false);
  });

  it('admits members holding the key unless removed; dials with the key once it has one, else the join token', () => {
    const state: { current?: { clusterID: string; memberKey: string }; removed: string[] } = { removed: [] };
    const creds = transportCredentials({
      current: () => state.current,
      joinToken: () => 'SWMTKN-1-abc-manager',
      cluster: () => cluster,
      removed: () => state.removed,
    });
    expect(creds.dial()).toEqual({ joinToken: 'SWMTKN-1-abc-manager' });
    expect(creds.validateMember('n2', 'k')).toBe(false);
    state.current = { clusterID: 'c1', memberKey: 'k' };
    expect(creds.dial()).toEqual({ clusterId: 'c1', memberKey: 'k' });
    expect(creds.clusterId()).toBe('c1');
    expect(creds.validateMember('n2', 'k')).toBe(true);
    expect(creds.validateMember('n2', 'x')).toBe(false);
    state.removed = ['n2'];
    expect(creds.validateMember('n2', 'k')).toBe(false);
    expect(creds.validateToken('SWMTKN-1-abc-worker')).toBe('worker');
  });
});

describe('node keys', () => {
  it('admits an agent with the key derived for its node while the node exists, and nothing else', () => {
    const current = { clusterID: 'c1', memberKey: 'k' };
    const nodes = new Set(['w1']);
    const creds = transportCredentials({
      current: () => current,
      cluster: () => cluster,
      removed: () => [],
      isNode: (id) => nodes.has(id),
    });
    const key = nodeKeyFor(current, 'w1');
    expect(creds.validateNode!('w1', key)).toBe(true);
    // another node's key, the member key, and a key from another cluster are all refused
    expect(creds.validateNode!('w2', key)).toBe(false);
    expect(creds.validateNode!('w1', 'k')).toBe(false);
    expect(creds.validateNode!('w1', nodeKeyFor({ clusterID: 'c2', memberKey: 'k' }, 'w1'))).toBe(false);
    // a removed node's key stops working
    nodes.delete('w1');
    expect(creds.validateNode!('w1', key)).toBe(false);
  });
});
