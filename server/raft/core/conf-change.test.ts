import { describe, expect, it } from 'vitest';
import { Membership } from './membership';
import { TestCluster } from './test-cluster';

describe('membership rules', () => {
  it('validates single-server changes', () => {
    const m = new Membership({ voters: ['a'], learners: ['l'], removed: ['gone'] });
    expect(m.validate({ type: 'add-voter', id: 'a' })).toMatch(/already a voter/);
    expect(m.validate({ type: 'add-learner', id: 'l' })).toMatch(/already a member/);
    expect(m.validate({ type: 'promote', id: 'a' })).toMatch(/not a learner/);
    expect(m.validate({ type: 'remove', id: 'a' })).toMatch(/last voter/);
    expect(m.validate({ type: 'remove', id: 'x' })).toMatch(/not a member/);
    expect(m.validate({ type: 'add-voter', id: 'gone' })).toMatch(/removed/);
    expect(m.validate({ type: 'promote', id: 'l' })).toBeUndefined();
    expect(m.apply({ type: 'remove', id: 'l' })).toBe(true);
    expect(m.toConfState()).toEqual({ voters: ['a'], learners: [], removed: ['gone', 'l'] });
    expect(m.quorum()).toBe(1);
  });
});

describe('membership changes through the log', () => {
  it('adds a learner that catches up without voting, then promotes it', () => {
    const c = new TestCluster(['a', 'b', 'c']);
    c.elect('a');
    c.node('a').propose('before');
    c.stabilize();
    c.addNode('d');
    const r = c.node('a').proposeConfChange({ type: 'add-learner', id: 'd', context: 'tcp://d:4242' });
    expect(r.ok).toBe(true);
    expect(c.node('a').conf.learners).toEqual([]); // applied when committed, not when appended
    c.stabilize();
    expect(c.node('a').conf).toMatchObject({ voters: ['a', 'b', 'c'], learners: ['d'] });
    expect(c.node('a').status().progress!.d).toMatchObject({ learner: true, match: 6 });
    expect(c.node('d').status()).toMatchObject({ role: 'learner', leader: 'a', commit: 6 });
    expect(c.applied.get('d')).toEqual(['before']);

    // The learner never counts towards a quorum.
    c.isolate('b', 'c');
    c.node('a').propose('needs-b-or-c');
    c.stabilize();
    expect(c.node('a').status().commit).toBe(6);
    expect(c.node('a').status().progress!.d!.match).toBe(7);
    c.heal();
    c.stabilize();
    c.tick(undefined, 1);
    expect(c.node('a').status().commit).toBe(7);

    // Nor does it campaign.
    c.isolate('a');
    c.tick(['d'], 50);
    expect(c.node('d').status().role).toBe('learner');
    c.heal();
    c.tick(undefined, 30);

    const leader = c.leaders()[0]!;
    expect(c.node(leader).proposeConfChange({ type: 'promote', id: 'd' }).ok).toBe(true);
    c.stabilize();
    for (const id of ['a', 'b', 'c', 'd']) expect(c.node(id).conf.voters).toEqual(['a', 'b', 'c', 'd']);
    expect(c.node('d').status().role).toBe('follower');
    // 4 voters: a quorum is 3, so two members down stop commits.
    c.isolate('b', 'c');
    c.node(leader).propose('stuck');
    c.stabilize();
    expect(c.applied.get(leader)).not.toContain('stuck');
  });

  it('allows one pending conf change at a time', () => {
    const c = new TestCluster(['a', 'b', 'c']);
    c.elect('a');
    expect(c.node('a').proposeConfChange({ type: 'add-learner', id: 'd' }).ok).toBe(true);
    expect(c.node('a').proposeConfChange({ type: 'add-learner', id: 'e' })).toEqual({
      ok: false,
      reason: 'conf-change-pending',
      leader: 'a',
    });
    c.stabilize();
    expect(c.node('a').proposeConfChange({ type: 'add-learner', id: 'e' }).ok).toBe(true);
  });

  it('a new leader waits for the conf changes in its log to apply before accepting another', () => {
    const c = new TestCluster(['a', 'b', 'c'], { preVote: false });
    c.elect('a');
    // a's next entries reach b and c but never commit: their answers are lost.
    c.dropIf = (m) => m.type === 'app-resp';
    c.node('a').propose('x');
    c.stabilize();
    c.isolate('a');
    c.dropIf = (m) => m.type === 'app'; // hold b's appends back so nothing commits yet
    c.node('b').step({ type: 'timeout-now', from: 'a', to: 'b', term: c.node('b').currentTerm });
    c.stabilize();
    c.dropIf = () => false;
    expect(c.node('b').isLeader).toBe(true);
    // b's log holds entries it has not applied yet (any of them could be a conf change).
    expect(c.node('b').proposeConfChange({ type: 'add-learner', id: 'd' })).toMatchObject({
      ok: false,
      reason: 'conf-change-pending',
    });
    c.tick(['b', 'c'], 1);
    expect(c.node('b').status().applied).toBe(c.node('b').status().lastIndex);
    expect(c.node('b').proposeConfChange({ type: 'add-learner', id: 'd' }).ok).toBe(true);
  });

  it('removes a follower; its messages are ignored and its ID can never rejoin', () => {
    const c = new TestCluster(['a', 'b', 'c']);
    c.elect('a');
    c.node('a').proposeConfChange({ type: 'remove', id: 'c' });
    c.stabilize();
    expect(c.node('a').conf).toEqual({ voters: ['a', 'b'], learners: [], removed: ['c'] });
    expect(c.node('a').status().progress!.c).toBeUndefined();
    expect(c.node('c').status().removed).toBe(true);
    // Quorum of two voters is two.
    c.isolate('b');
    c.node('a').propose('needs-b');
    c.stabilize();
    expect(c.applied.get('a')).not.toContain('needs-b');
    c.heal();
    // c never campaigns again, and the others drop whatever it sends.
    c.tick(undefined, 40);
    expect(c.node('c').status().role).toBe('follower');
    c.node('b').step({ type: 'vote', from: 'c', to: 'b', term: 99, index: 99, logTerm: 99, transfer: true });
    expect(c.node('b').currentTerm).toBe(2);
    expect(c.node('a').proposeConfChange({ type: 'add-voter', id: 'c' })).toMatchObject({
      ok: false,
      reason: 'invalid-conf-change',
    });
    expect(c.node('a').proposeConfChange({ type: 'add-learner', id: 'c' })).toMatchObject({
      ok: false,
      reason: 'invalid-conf-change',
    });
  });

  it('a removed leader steps down once the change commits; the rest elect a new leader', () => {
    const c = new TestCluster(['a', 'b', 'c']);
    c.elect('a');
    c.node('a').proposeConfChange({ type: 'remove', id: 'a' });
    c.stabilize();
    expect(c.node('a').status()).toMatchObject({ role: 'follower', leader: '', removed: true });
    // The others learned the commit of the removal before the leader left.
    expect(c.node('b').conf.voters).toEqual(['b', 'c']);
    expect(c.node('c').conf.voters).toEqual(['b', 'c']);
    for (let t = 0; t < 100 && c.leaders().length === 0; t++) c.tick();
    const [leader] = c.leaders();
    expect(['b', 'c']).toContain(leader);
    expect(c.node(leader!).propose('after').ok).toBe(true);
    c.stabilize();
    expect(c.applied.get('b')).toEqual(['after']);
    expect(c.applied.get('a')).toEqual([]);
  });

  it('a new voter joins directly and the cluster commits with it', () => {
    const c = new TestCluster(['a']);
    c.elect('a');
    c.addNode('b');
    expect(c.node('a').proposeConfChange({ type: 'add-voter', id: 'b' }).ok).toBe(true);
    c.stabilize();
    expect(c.node('b').conf.voters).toEqual(['a', 'b']);
    c.node('a').propose('two-voters');
    c.stabilize();
    expect(c.applied.get('b')).toEqual(['two-voters']);
  });

  it('a snapshot carries the membership, removed IDs included', () => {
    const c = new TestCluster(['a', 'b', 'c']);
    c.elect('a');
    c.node('a').proposeConfChange({ type: 'add-learner', id: 'x' });
    c.stabilize();
    c.node('a').proposeConfChange({ type: 'remove', id: 'x' });
    c.stabilize();
    const s = c.snapshotAndCompact('a');
    expect(s.meta.conf).toEqual({ voters: ['a', 'b', 'c'], learners: [], removed: ['x'] });
  });
});
