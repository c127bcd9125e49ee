import { describe, expect, it } from 'vitest';
import { TestCluster } from './test-cluster';

describe('leadership transfer', () => {
  it('hands leadership to an up-to-date follower with timeout-now', () => {
    const c = new TestCluster(['a', 'b', 'c']);
    c.elect('a');
    const term = c.node('a').currentTerm;
    expect(c.node('a').transferLeadership('b')).toBe(true);
    c.stabilize();
    expect(c.sent.filter((m) => m.type === 'timeout-now').map((m) => m.to)).toEqual(['b']);
    // The transfer flag skips pre-vote and gets through leader stickiness.
    expect(c.sent.some((m) => m.type === 'pre-vote' && m.from === 'b')).toBe(false);
    expect(c.leaders()).toEqual(['b']);
    expect(c.node('b').currentTerm).toBe(term + 1);
    expect(c.node('a').leader).toBe('b');
  });

  it('catches a lagging target up first, refusing proposals meanwhile', () => {
    const c = new TestCluster(['a', 'b', 'c']);
    c.elect('a');
    c.isolate('c');
    for (let i = 0; i < 5; i++) c.node('a').propose(`p${i}`);
    c.stabilize();
    c.node('a').transferLeadership('c');
    expect(c.node('a').status().transferee).toBe('c');
    expect(c.node('a').propose('during')).toMatchObject({ ok: false, reason: 'transferring' });
    expect(c.sent.some((m) => m.type === 'timeout-now')).toBe(false);
    c.heal();
    c.tick(['a'], 1);
    expect(c.leaders()).toEqual(['c']);
    expect(c.applied.get('c')).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
  });

  it('gives up after an election timeout if the target never catches up', () => {
    const c = new TestCluster(['a', 'b', 'c'], { electionTick: 10 });
    c.elect('a');
    c.isolate('c');
    c.node('a').propose('x');
    c.stabilize();
    c.node('a').transferLeadership('c');
    c.tick(['a', 'b'], 9);
    expect(c.node('a').status().transferee).toBe('c');
    c.tick(['a', 'b'], 1);
    expect(c.node('a').status().transferee).toBeUndefined();
    expect(c.node('a').isLeader).toBe(true);
    expect(c.node('a').propose('after').ok).toBe(true);
  });

  it('refuses targets that cannot lead', () => {
    const c = new TestCluster(['a', 'b', 'c']);
    c.elect('a');
    c.addNode('l');
    c.node('a').proposeConfChange({ type: 'add-learner', id: 'l' });
    c.stabilize();
    expect(c.node('a').transferLeadership('a')).toBe(false);
    expect(c.node('a').transferLeadership('l')).toBe(false);
    expect(c.node('a').transferLeadership('nobody')).toBe(false);
    expect(c.node('b').transferLeadership('c')).toBe(false);
  });
});
