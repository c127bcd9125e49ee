import { describe, expect, it } from 'vitest';
import { ReadOnly } from './read-only';
import { TestCluster } from './test-cluster';
import type { HeartbeatMessage } from './types';

describe('ReadIndex (linearizable reads)', () => {
  it('the leader answers after a heartbeat round acknowledged by a quorum', () => {
    const c = new TestCluster(['a', 'b', 'c']);
    c.elect('a');
    c.node('a').propose('x');
    c.stabilize();
    expect(c.node('a').readIndex('r1')).toBe(true);
    c.flush();
    const hbs = c.queue.filter((m): m is HeartbeatMessage => m.type === 'heartbeat');
    expect(hbs.map((m) => [m.to, m.context])).toEqual([
      ['b', 'r1'],
      ['c', 'r1'],
    ]);
    expect(c.readStates.get('a')).toEqual([]);
    c.stabilize();
    expect(c.readStates.get('a')).toEqual([{ index: 5, context: 'r1' }]); // 3 bootstrap entries, no-op, x
  });

  it('a leader cut off from the quorum never answers (it may already be deposed)', () => {
    const c = new TestCluster(['a', 'b', 'c']);
    c.elect('a');
    c.isolate('a');
    c.node('a').readIndex('stale');
    c.tick(['a'], 5);
    expect(c.readStates.get('a')).toEqual([]);
    // Heartbeats keep carrying the pending round: once the partition heals it is answered.
    c.heal();
    c.tick(['a', 'b', 'c'], 1);
    expect(c.readStates.get('a')).toEqual([{ index: 4, context: 'stale' }]);
  });

  it('followers forward the request to the leader and get the leader commit index', () => {
    const c = new TestCluster(['a', 'b', 'c']);
    c.elect('a');
    c.node('a').propose('x');
    c.node('a').propose('y');
    c.stabilize();
    expect(c.node('c').readIndex('from-c')).toBe(true);
    c.stabilize();
    expect(c.readStates.get('c')).toEqual([{ index: 6, context: 'from-c' }]);
    expect(c.readStates.get('a')).toEqual([]);
  });

  it('a member that knows no leader drops the read', () => {
    const c = new TestCluster(['a', 'b', 'c']);
    expect(c.node('b').readIndex('r')).toBe(false);
  });

  it('a new leader answers only after committing an entry of its own term', () => {
    const c = new TestCluster(['a', 'b', 'c']);
    c.dropIf = (m) => m.type === 'app-resp';
    c.elect('a');
    expect(c.node('a').isLeader).toBe(true);
    expect(c.node('a').status()).toMatchObject({ commit: 3, lastIndex: 4 }); // no-op not committed
    c.node('a').readIndex('early');
    c.stabilize();
    expect(c.readStates.get('a')).toEqual([]);
    c.dropIf = () => false;
    c.tick(undefined, 2); // heartbeat answers make the leader resend; the no-op commits
    expect(c.readStates.get('a')).toEqual([{ index: 4, context: 'early' }]);
  });

  it('a single-voter leader answers at once', () => {
    const c = new TestCluster(['a']);
    c.elect('a');
    c.node('a').readIndex('solo');
    c.flush();
    expect(c.readStates.get('a')).toEqual([{ index: 2, context: 'solo' }]);
  });

  it('a quorum ack for a later round releases the earlier ones in order', () => {
    const ro = new ReadOnly();
    ro.add(5, 'r1', 'a');
    ro.add(6, 'r2', 'b');
    expect(ro.add(6, 'r2', 'b')).toBe(false);
    expect(ro.lastPendingContext()).toBe('r2');
    expect([...ro.recvAck('c', 'r2')!]).toEqual(['c']);
    expect(ro.advance('r2').map((r) => [r.context, r.index, r.from])).toEqual([
      ['r1', 5, 'a'],
      ['r2', 6, 'b'],
    ]);
    expect(ro.size()).toBe(0);
    expect(ro.recvAck('c', 'r1')).toBeUndefined();
  });
});
