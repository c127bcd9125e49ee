import { describe, expect, it } from 'vitest';
import { entrySize } from './log';
import { TestCluster, entriesOfTerms } from './test-cluster';
import type { AppendMessage, AppendResponse, Message } from './types';

const apps = (msgs: Message[], to: string): AppendMessage[] =>
  msgs.filter((m): m is AppendMessage => m.type === 'app' && m.to === to);

describe('log replication (§5.3)', () => {
  it('replicates and applies proposals in order on every member', () => {
    const c = new TestCluster(['a', 'b', 'c']);
    c.elect('a');
    for (const x of ['x', 'y', 'z']) expect(c.node('a').propose(x).ok).toBe(true);
    c.stabilize();
    for (const id of ['a', 'b', 'c']) {
      expect(c.applied.get(id)).toEqual(['x', 'y', 'z']);
      expect(c.node(id).status().commit).toBe(7); // 3 bootstrap entries, the no-op, x, y, z
    }
  });

  it('followers refuse proposals and name the leader', () => {
    const c = new TestCluster(['a', 'b', 'c']);
    c.elect('a');
    expect(c.node('b').propose('x')).toEqual({ ok: false, reason: 'not-leader', leader: 'a' });
  });

  it('batches proposals made between two Readies into one append per follower', () => {
    const c = new TestCluster(['a', 'b', 'c']);
    c.elect('a');
    for (let i = 0; i < 10; i++) c.node('a').propose(`p${i}`);
    c.flush();
    const toB = apps(c.queue, 'b');
    expect(toB).toHaveLength(1);
    expect(toB[0]!.entries.map((e) => e.data)).toEqual([...Array(10).keys()].map((i) => `p${i}`));
    c.stabilize();
    expect(c.applied.get('c')).toHaveLength(10);
  });

  it('caps entry bytes per append (at least one entry) and pipelines the rest', () => {
    const big = 'x'.repeat(999); // 1,000 characters, its quotes and the entry's fields: 1,098 bytes a message
    const each = entrySize({ index: 1, term: 1, type: 'normal', data: big + 0 });
    const c = new TestCluster(['a', 'b', 'c'], { maxMsgBytes: 4 * each });
    c.elect('a');
    for (let i = 0; i < 10; i++) c.node('a').propose(big + i);
    c.node('a').propose('y'.repeat(10_000)); // larger than a message: still sent alone
    c.flush();
    expect(apps(c.queue, 'b').map((m) => m.entries.length)).toEqual([4, 4, 2, 1]);
    c.stabilize();
    expect(c.applied.get('b')).toHaveLength(11);
  });

  it('pipelines appends without waiting for acknowledgements (optimistic next index)', () => {
    const c = new TestCluster(['a', 'b', 'c']);
    c.elect('a');
    c.node('a').propose('one');
    c.flush();
    c.node('a').propose('two');
    c.flush();
    const toB = apps(c.queue, 'b');
    expect(toB.map((m) => [m.index, m.entries.map((e) => e.index)])).toEqual([
      [4, [5]],
      [5, [6]],
    ]);
    expect(c.node('a').status().progress!.b).toMatchObject({ state: 'replicate', match: 4, next: 7 });
  });

  it('flow control: at most maxInflight appends are outstanding per follower', () => {
    const c = new TestCluster(['a', 'b', 'c'], { maxInflight: 2, maxMsgBytes: 1 });
    c.elect('a');
    c.isolate('b');
    for (let i = 0; i < 5; i++) {
      c.node('a').propose(`p${i}`);
      c.flush();
    }
    expect(apps(c.queue, 'b').map((m) => m.entries.map((e) => e.data))).toEqual([['p0'], ['p1']]);
    c.queue = [];
    c.heal();
    // Heartbeat answers free the window and the follower catches up.
    c.tick(undefined, 3);
    expect(c.applied.get('b')).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
  });

  it('a probing leader sends one append at a time until the follower answers', () => {
    const c = new TestCluster(['a', 'b', 'c']);
    c.elect('a');
    c.isolate('b');
    c.tick(['a', 'c'], 12); // check-quorum round: b goes inactive, nothing acked
    c.node('a').reportUnreachable('b');
    expect(c.node('a').status().progress!.b!.state).toBe('probe');
    c.queue = [];
    for (let i = 0; i < 3; i++) {
      c.node('a').propose(`p${i}`);
      c.flush();
    }
    expect(apps(c.queue, 'b')).toHaveLength(1);
  });
});

describe('log matching and fast back-off (§5.3, figure 7)', () => {
  const leaderLog = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
  const followers: Record<string, number[]> = {
    a: [1, 1, 1, 4, 4, 5, 5, 6, 6],
    b: [1, 1, 1, 4],
    c: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
    d: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
    e: [1, 1, 1, 4, 4, 4, 4],
    f: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
  };
  for (const [name, log] of Object.entries(followers)) {
    it(`brings follower (${name}) in line with the leader in few round trips`, () => {
      const conf = { voters: ['L', 'F', 'X'], learners: [] };
      const c = new TestCluster([], { preVote: false });
      c.load('L', { hardState: { term: 7, vote: '', commit: 0 }, entries: entriesOfTerms(leaderLog) }, conf);
      c.load('X', { hardState: { term: 7, vote: '', commit: 0 }, entries: entriesOfTerms(leaderLog) }, conf);
      c.load('F', { hardState: { term: 7, vote: '', commit: 0 }, entries: entriesOfTerms(log) }, conf);
      c.elect('L');
      expect(c.node('L').status()).toMatchObject({ role: 'leader', term: 8 });
      const expected = [...leaderLog, 8];
      expect(c.disks.get('F')!.entries.map((e) => e.term)).toEqual(expected);
      expect(
        c.disks
          .get('F')!
          .entries.map((e) => e.data)
          .slice(0, 10),
      ).toEqual(entriesOfTerms(leaderLog).map((e) => e.data));
      const rejects = c.sent.filter((m): m is AppendResponse => m.type === 'app-resp' && m.from === 'F' && m.reject);
      expect(rejects.length).toBeLessThanOrEqual(1);
      expect(c.node('F').status().commit).toBe(11);
    });
  }
});

describe('commit rule (§5.4.2, figure 8)', () => {
  it('does not commit an entry of an older term by counting replicas; a later leader may overwrite it', () => {
    const conf = { voters: ['s1', 's2', 's3', 's4', 's5'], learners: [] };
    const c = new TestCluster([], { preVote: false, checkQuorum: false });
    const disk = (terms: number[], term: number) => ({
      hardState: { term, vote: '', commit: 1 },
      entries: entriesOfTerms(terms),
    });
    // (b): s1 replicated (2, term 2) to s2 only; s5 led term 3 and wrote (2, term 3) alone.
    c.load('s1', disk([1, 2], 3), conf);
    c.load('s2', disk([1, 2], 3), conf);
    c.load('s3', disk([1], 3), conf);
    c.load('s4', disk([1], 3), conf);
    c.load('s5', disk([1, 3], 3), conf);
    c.isolate('s5');

    // (c): s1 wins term 4; appends are held back so we control what reaches whom.
    c.dropIf = (m) => m.type === 'app';
    c.elect('s1');
    expect(c.node('s1').status()).toMatchObject({ role: 'leader', term: 4, lastIndex: 3 });
    c.dropIf = () => false;
    c.queue = [];
    const e2 = c.disks.get('s1')!.entries[1]!;
    for (const to of ['s2', 's3']) {
      c.node(to).step({ type: 'app', from: 's1', to, term: 4, index: 1, logTerm: 1, commit: 1, entries: [e2] });
    }
    c.flush();
    c.deliver((m) => m.type === 'app-resp' && m.to === 's1');
    // Entry 2 (term 2) now sits on s1, s2 and s3, a majority, yet must not count as committed.
    expect(c.node('s1').status().progress!.s3!.match).toBe(2);
    expect(c.node('s1').status().commit).toBe(1);

    // (d): s1 crashes; s5 (last term 3) wins with s2, s3, s4 and overwrites entry 2.
    c.queue = [];
    c.heal();
    c.isolate('s1');
    c.elect('s5');
    if (!c.node('s5').isLeader) c.elect('s5');
    expect(c.node('s5').isLeader).toBe(true);
    expect(c.disks.get('s2')!.entries[1]).toMatchObject({ index: 2, term: 3 });
    for (const id of ['s2', 's3', 's4', 's5']) expect(c.applied.get(id)).toEqual(['t1i1', 't3i2']);
  });

  it('an entry of an older term commits once an entry of the current term does', () => {
    const conf = { voters: ['s1', 's2', 's3'], learners: [] };
    const c = new TestCluster([], { preVote: false });
    c.load('s1', { hardState: { term: 2, vote: '', commit: 0 }, entries: entriesOfTerms([1, 2]) }, conf);
    c.load('s2', { hardState: { term: 2, vote: '', commit: 0 }, entries: entriesOfTerms([1]) }, conf);
    c.load('s3', { hardState: { term: 2, vote: '', commit: 0 }, entries: entriesOfTerms([1]) }, conf);
    c.elect('s1');
    expect(c.node('s1').status()).toMatchObject({ term: 3, commit: 3 });
    expect(c.applied.get('s3')).toEqual(['t1i1', 't2i2']);
  });
});
