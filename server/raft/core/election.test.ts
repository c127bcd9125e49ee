import { describe, expect, it } from 'vitest';
import { RaftNode } from './raft';
import { TestCluster, seededRandom } from './test-cluster';
import type { Message, VoteMessage } from './types';

const ids = ['a', 'b', 'c'];

function drain(node: RaftNode): Message[] {
  const out: Message[] = [];
  while (node.hasReady()) {
    const rd = node.ready();
    out.push(...rd.messages);
    node.advance(rd);
  }
  return out;
}

describe('leader election (§5.2)', () => {
  it('a one-member cluster elects itself and commits its no-op', () => {
    const c = new TestCluster(['a']);
    c.elect('a');
    const st = c.node('a').status();
    expect(st.role).toBe('leader');
    // Index 1 is the bootstrap conf change (term 1); the first election is term 2.
    expect(st.term).toBe(2);
    expect(st.commit).toBe(2);
    expect(c.disks.get('a')!.hardState).toEqual({ term: 2, vote: 'a', commit: 2 });
  });

  it('elects exactly one leader by timeout, and everyone follows it', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const c = new TestCluster(ids, {}, seed * 7);
      for (let t = 0; t < 60 && c.leaders().length === 0; t++) c.tick();
      const leaders = c.leaders();
      expect(leaders).toHaveLength(1);
      const term = c.node(leaders[0]!).currentTerm;
      for (const id of ids) {
        expect(c.node(id).leader).toBe(leaders[0]);
        expect(c.node(id).currentTerm).toBe(term);
      }
    }
  });

  it('randomizes the election timeout within [electionTick, 2 × electionTick)', () => {
    const seen = new Set<number>();
    for (let seed = 1; seed <= 200; seed++) {
      const n = new RaftNode(
        { id: 'a', electionTick: 10, preVote: false, random: seededRandom(seed) },
        { conf: { voters: ['a', 'b'], learners: [] } },
      );
      let ticks = 0;
      while (n.status().role === 'follower') {
        n.tick();
        ticks++;
        expect(ticks).toBeLessThan(20);
      }
      expect(n.status().role).toBe('candidate');
      seen.add(ticks);
    }
    expect(Math.min(...seen)).toBe(10);
    expect(Math.max(...seen)).toBe(19);
  });

  it('grants one vote per term and only to an up-to-date log (§5.4.1)', () => {
    // No stickiness here, so plain vote requests reach the followers.
    const c = new TestCluster(ids, { preVote: false, checkQuorum: false });
    c.elect('a');
    c.node('a').propose('x');
    c.stabilize();
    // c misses the next entry.
    c.isolate('c');
    c.node('a').propose('y');
    c.stabilize();
    c.heal();
    // c campaigns with a shorter log: b refuses, a refuses too.
    c.isolate('a');
    const bLastIndex = c.node('b').status().lastIndex;
    c.node('c').campaign();
    c.stabilize();
    expect(c.node('c').isLeader).toBe(false);
    expect(c.node('b').status().lastIndex).toBe(bLastIndex);
    // b campaigns: its log is the longest of the two, c grants.
    c.node('b').campaign();
    c.stabilize();
    expect(c.node('b').isLeader).toBe(true);
    const votes = c.sent.filter((m) => m.type === 'vote-resp' && m.to === 'b' && !m.reject).map((m) => m.from);
    expect(votes).toEqual(['c']);
  });

  it('a vote already cast in a term is kept across restart', () => {
    const c = new TestCluster(ids, { preVote: false });
    c.isolate('c');
    c.node('a').campaign();
    c.flush();
    c.deliver((m) => m.to === 'b');
    c.flush(); // b persists its vote for a
    c.restart('b');
    const vote: VoteMessage = {
      type: 'vote',
      from: 'c',
      to: 'b',
      term: 2,
      index: 3,
      logTerm: 1,
      transfer: false,
    };
    c.node('b').step(vote);
    const out = drain(c.node('b'));
    expect(out).toEqual([expect.objectContaining({ type: 'vote-resp', to: 'c', reject: true })]);
  });

  it('a candidate that hears from the leader of its term steps down', () => {
    const c = new TestCluster(ids, { preVote: false, checkQuorum: false });
    c.elect('a');
    c.isolate('c');
    c.node('c').campaign(); // term 2, alone
    c.flush();
    c.queue = [];
    expect(c.node('c').status().role).toBe('candidate');
    c.heal();
    c.elect('b'); // term 2 won with a's vote; c voted for itself in term 2
    c.tick(['b'], 1);
    expect(c.node('c').status().role).toBe('follower');
    expect(c.node('c').leader).toBe('b');
  });
});

describe('pre-vote, stickiness and check-quorum', () => {
  it('a partitioned node rejoining does not bump terms or disrupt the leader (pre-vote)', () => {
    const c = new TestCluster(ids);
    c.elect('a');
    const term = c.node('a').currentTerm;
    c.isolate('c');
    // c times out over and over, alone.
    for (let i = 0; i < 100; i++) c.tick(['c']);
    expect(c.node('c').currentTerm).toBe(term);
    expect(c.node('c').status().role).toBe('pre-candidate');
    c.node('a').propose('while-c-was-away');
    c.stabilize();
    c.heal();
    c.tick(undefined, 30);
    expect(c.leaders()).toEqual(['a']);
    expect(c.node('a').currentTerm).toBe(term);
    expect(c.node('c').leader).toBe('a');
    expect(c.applied.get('c')).toEqual(['while-c-was-away']);
  });

  it('without pre-vote, the same rejoining node forces a new election', () => {
    const c = new TestCluster(ids, { preVote: false, checkQuorum: false });
    c.elect('a');
    c.isolate('c');
    for (let i = 0; i < 100; i++) c.tick(['c']);
    expect(c.node('c').currentTerm).toBeGreaterThan(1);
    c.heal();
    c.tick(undefined, 25);
    expect(c.node('a').currentTerm).toBeGreaterThan(1);
  });

  it('leader stickiness: a vote request is ignored while the leader is recently heard', () => {
    const c = new TestCluster(ids, { preVote: false });
    c.elect('a');
    c.tick(undefined, 2);
    const vote: VoteMessage = { type: 'vote', from: 'c', to: 'b', term: 5, index: 100, logTerm: 5, transfer: false };
    c.node('b').step(vote);
    expect(c.node('b').currentTerm).toBe(2);
    expect(drain(c.node('b'))).toEqual([]);
    // The same request with the transfer flag goes through.
    c.node('b').step({ ...vote, transfer: true });
    expect(c.node('b').currentTerm).toBe(5);
    expect(drain(c.node('b'))).toEqual([expect.objectContaining({ type: 'vote-resp', reject: false })]);
  });

  it('check-quorum: a leader that hears from no quorum within an election timeout steps down', () => {
    const c = new TestCluster(ids, { electionTick: 10 });
    c.elect('a');
    c.isolate('b', 'c');
    c.tick(['a'], 9);
    expect(c.node('a').isLeader).toBe(true);
    c.tick(['a'], 11);
    expect(c.node('a').status().role).toBe('follower');
    expect(c.node('a').leader).toBe('');
    const r = c.node('a').propose('x');
    expect(r).toEqual({ ok: false, reason: 'not-leader', leader: '' });
  });

  it('check-quorum: a leader with one live follower of two stays leader', () => {
    const c = new TestCluster(ids);
    c.elect('a');
    c.isolate('c');
    c.tick(['a', 'b'], 50);
    expect(c.leaders()).toEqual(['a']);
  });

  it('the majority side elects a new leader; the old one steps down on healing', () => {
    const c = new TestCluster(['a', 'b', 'c', 'd', 'e'], {}, 3);
    c.elect('a');
    c.isolate('a', 'b');
    for (let t = 0; t < 300 && !c.leaders().some((id) => id !== 'a'); t++) c.tick(['a', 'b', 'c', 'd', 'e']);
    expect(c.node('a').isLeader).toBe(false); // check-quorum
    const newLeader = c.leaders().find((id) => id !== 'a');
    expect(newLeader).toBeDefined();
    c.heal();
    c.tick(undefined, 5);
    expect(c.leaders()).toEqual([newLeader]);
    expect(c.node('a').leader).toBe(newLeader);
  });

  it('a stale leader learns the new term from a stale-term append answer', () => {
    const c = new TestCluster(ids, { checkQuorum: false });
    c.elect('a');
    c.isolate('a');
    c.elect('b');
    const term = c.node('b').currentTerm;
    c.heal();
    c.node('a').propose('stale');
    c.stabilize();
    expect(c.node('a').status().role).toBe('follower');
    expect(c.node('a').currentTerm).toBe(term);
    c.tick(undefined, 2);
    expect(c.node('a').leader).toBe('b');
    expect(c.applied.get('a')).not.toContain('stale');
  });
});
