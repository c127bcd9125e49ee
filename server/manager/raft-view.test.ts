import { describe, expect, it } from 'vitest';
import type { RaftView } from '../api/raft-view';
import type { Message } from '../raft/core';
import { seededRandom } from '../raft/core/test-cluster';
import { RaftLog, type RaftTransport } from '../raft/raft-log';
import { flush, MemStorage } from '../raft/test-world';
import type { RaftId } from '../raft/types';
import { MemoryStore } from '../store/memory-store';
import { makeNode } from '../store/test-support';
import { ManualClock } from '../util/clock';
import {
  buildRaftView,
  createRaftViewSource,
  failedEntriesWarnings,
  raftEvents,
  raftViewChange,
  type RaftViewSampler,
} from './raft-view';

// ---- a small in-memory world of real RaftLogs (as in raft-log.test.ts) ----

/** Members, a droppable network that remembers who last heard from whom, and one manual clock. */
class World {
  clock = new ManualClock();
  down = new Set<RaftId>();
  handlers = new Map<RaftId, (from: RaftId, m: Message) => void>();
  peers = new Map<RaftId, Map<RaftId, string>>();
  /** heard.get(a).get(b): when a last got a message from b. */
  heard = new Map<RaftId, Map<RaftId, number>>();
  logs = new Map<RaftId, RaftLog>();
  stores = new Map<RaftId, MemoryStore>();
  sources = new Map<RaftId, RaftViewSampler>();
  private seed = 1;

  transport(id: RaftId): RaftTransport {
    const peers = new Map<RaftId, string>();
    this.peers.set(id, peers);
    return {
      send: (to, m) => {
        if (!peers.has(to)) return false;
        if (this.down.has(id) || this.down.has(to)) return true;
        const copy = JSON.parse(JSON.stringify(m)) as Message;
        queueMicrotask(() => {
          if (!this.handlers.has(to)) return;
          const heard = this.heard.get(to) ?? new Map<RaftId, number>();
          heard.set(id, this.clock.now());
          this.heard.set(to, heard);
          this.handlers.get(to)!(id, copy);
        });
        return true;
      },
      onMessage: (h) => {
        this.handlers.set(id, h);
        return () => this.handlers.delete(id);
      },
      addPeer: (p, addr) => void peers.set(p, addr),
      removePeer: (p) => void peers.delete(p),
    };
  }

  /** Like ClusterTransport.peerStatus: active = heard from within a second. */
  peerStatus(id: RaftId) {
    const now = this.clock.now();
    return [...(this.peers.get(id)?.keys() ?? [])].map((p) => {
      const at = this.heard.get(id)?.get(p);
      const ms = at === undefined ? null : now - at;
      return {
        id: p,
        active: ms !== null && ms <= 1_000 && !this.down.has(id) && !this.down.has(p),
        lastContactMs: ms,
      };
    });
  }

  async open(id: RaftId, extra: { bootstrap?: Record<RaftId, string>; peers?: Record<RaftId, string> }) {
    const store = new MemoryStore();
    this.stores.set(id, store);
    const log = await RaftLog.open({
      id,
      addr: `addr-${id}`,
      storage: new MemStorage(),
      transport: this.transport(id),
      clock: this.clock,
      store,
      random: seededRandom(this.seed++),
      core: { electionTick: 10, heartbeatTick: 1 },
      tickMs: 100,
      logger: { error: () => undefined },
      ...extra,
    });
    this.logs.set(id, log);
    const source = createRaftViewSource({
      raftLog: log,
      peerStatus: () => this.peerStatus(id),
      store,
      selfId: id,
      clock: this.clock,
    });
    this.sources.set(id, source);
    return { log, source };
  }

  async run(ms: number): Promise<void> {
    for (let t = 0; t < ms; t += 10) {
      this.clock.advance(10);
      await flush();
    }
  }

  async until(cond: () => boolean, maxMs = 10_000): Promise<void> {
    for (let t = 0; t < maxMs; t += 10) {
      if (cond()) return;
      await this.run(10);
    }
    throw new Error('condition not reached');
  }

  leader(): RaftLog | undefined {
    return [...this.logs.values()].find((l) => l.isLeader());
  }

  view(id: RaftId): RaftView {
    return this.sources.get(id)!.view();
  }

  close(): Promise<void> {
    for (const s of this.sources.values()) s.close();
    return Promise.all([...this.logs.values()].map((l) => l.close())).then(() => undefined);
  }
}

/** Manager nodes in the replicated store, named mgr-<id>, ready. */
async function addNodes(log: RaftLog, ids: RaftId[]): Promise<number> {
  const ops = ids.map((id) => ({
    op: 'create' as const,
    kind: 'node' as const,
    object: makeNode({ ID: id, hostname: `mgr-${id}`, Role: 'manager' }),
  }));
  const r = await log.propose({ ops });
  return r.index;
}

async function threeMembers(w: World): Promise<RaftLog> {
  const boot = { n1: 'addr-n1', n2: 'addr-n2', n3: 'addr-n3' };
  for (const id of Object.keys(boot)) await w.open(id, { bootstrap: boot });
  await w.until(() => !!w.leader());
  const leader = w.leader()!;
  const index = await addNodes(leader, Object.keys(boot));
  await w.until(() => [...w.stores.values()].every((s) => s.index >= index));
  await w.run(300); // a sample after the nodes landed everywhere
  return leader;
}

describe('createRaftViewSource with a one-member RaftLog', () => {
  it('shows the member as leader, "1 manager: can lose 0", a leader-elected event and snapshot numbers', async () => {
    const w = new World();
    const { log, source } = await w.open('n1', { bootstrap: { n1: 'addr-n1' } });
    let changes = 0;
    source.onChange(() => changes++);
    await w.until(() => log.isLeader());
    await addNodes(log, ['n1']);
    await w.run(300);

    const v = source.view();
    expect(v).toMatchObject({
      observedBy: 'n1',
      leader: 'n1',
      role: 'leader',
      term: log.status().term,
      commit: log.status().commit,
      applied: log.status().applied,
      quorum: { voters: 1, majority: 1, reachableVoters: 1, canLose: 0 },
      hasQuorum: true,
    });
    expect(v.members).toEqual([
      {
        raftId: 'n1',
        nodeID: 'n1',
        hostname: 'mgr-n1',
        addr: 'addr-n1',
        role: 'leader',
        self: true,
        reachable: true,
        matchIndex: log.status().lastIndex,
        lag: 0,
      },
    ]);
    expect(v.snapshot).toEqual({ index: 0, bytes: 0 });
    const elected = source.events().filter((e) => e.kind === 'leader-elected');
    expect(elected).toEqual([{ at: expect.any(String), kind: 'leader-elected', term: v.term, member: 'n1' }]);
    expect(changes).toBeGreaterThan(0);
    await w.close();
  });

  it('pushes index movement at most every 500 ms, and nothing while idle', async () => {
    const w = new World();
    const { log, source } = await w.open('n1', { bootstrap: { n1: 'addr-n1' } });
    await w.until(() => log.isLeader());
    await w.run(1_000);
    const at: number[] = [];
    source.onChange(() => at.push(w.clock.now()));
    await w.run(2_000);
    expect(at).toEqual([]); // idle: heartbeats alone push nothing
    // a proposal every 50 ms for 2 s
    for (let i = 0; i < 40; i++) {
      await addNodes(log, [`x${i}`]);
      await w.run(50);
    }
    await w.run(600);
    expect(at.length).toBeGreaterThanOrEqual(3);
    expect(at.length).toBeLessThanOrEqual(6);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(500);
    expect(source.view().commit).toBe(log.status().commit); // the last movement was pushed
    await w.close();
  });
});

describe('createRaftViewSource with a three-member RaftLog group', () => {
  it('shows every member with its role, the leader’s match index and lag, and "3 managers: can lose 1"', async () => {
    const w = new World();
    const leader = await threeMembers(w);
    const v = w.view(leader.id);
    expect(v.quorum).toEqual({ voters: 3, majority: 2, reachableVoters: 3, canLose: 1 });
    expect(v.hasQuorum).toBe(true);
    expect(v.members.map((m) => [m.hostname, m.role, m.reachable])).toEqual(
      ['n1', 'n2', 'n3'].map((id) => [`mgr-${id}`, id === leader.id ? 'leader' : 'follower', true]),
    );
    for (const m of v.members) {
      expect(m.matchIndex).toBe(leader.status().lastIndex);
      expect(m.lag).toBe(0);
      if (!m.self) expect(m.lastContactMs).toBeLessThan(1_000);
    }
    // a follower sees the same group; it has no replication progress
    const follower = [...w.logs.keys()].find((id) => id !== leader.id)!;
    const fv = w.view(follower);
    expect(fv.role).toBe('follower');
    expect(fv.leader).toBe(leader.id);
    expect(fv.quorum).toEqual({ voters: 3, majority: 2, reachableVoters: 3, canLose: 1 });
    expect(fv.members.find((m) => m.raftId === leader.id)?.role).toBe('leader');
    expect(fv.members.every((m) => m.matchIndex === undefined)).toBe(true);
    await w.close();
  });

  it('a partitioned follower shows unreachable with growing lag; it loses quorum, then regains it', async () => {
    const w = new World();
    const leader = await threeMembers(w);
    const cut = [...w.logs.keys()].find((id) => id !== leader.id)!;
    w.down.add(cut);
    for (let i = 0; i < 5; i++) await addNodes(leader, [`w${i}`]);
    await w.run(1_500);

    const lv = w.view(leader.id);
    const row = lv.members.find((m) => m.raftId === cut)!;
    expect(row.reachable).toBe(false);
    expect(row.lag).toBeGreaterThanOrEqual(5);
    expect(row.lastContactMs).toBeGreaterThan(1_000);
    expect(lv.quorum).toEqual({ voters: 3, majority: 2, reachableVoters: 2, canLose: 0 });
    expect(lv.hasQuorum).toBe(true);

    // the cut-off member hears no leader: after the grace it reports the quorum lost
    await w.run(4_000);
    const cv = w.view(cut);
    expect(cv.leader).toBe('');
    expect(cv.hasQuorum).toBe(false);
    expect(cv.quorum.reachableVoters).toBe(1);
    const kinds = w.sources
      .get(cut)!
      .events()
      .map((e) => e.kind);
    expect(kinds).toContain('leader-lost');
    expect(kinds.at(-1)).toBe('quorum-lost');

    w.down.delete(cut);
    await w.until(() => w.view(cut).hasQuorum && w.view(leader.id).members.find((m) => m.raftId === cut)!.lag === 0);
    expect(w.sources.get(cut)!.events().at(-1)?.kind).toBe('quorum-regained');
    expect(w.view(cut).leader).toBe(leader.id);
    await w.close();
  });

  it('when the leader dies the others report leader-lost then a new leader at a higher term', async () => {
    const w = new World();
    const leader = await threeMembers(w);
    const oldTerm = leader.status().term;
    const other = [...w.logs.keys()].find((id) => id !== leader.id)!;
    const changes: RaftView[] = [];
    w.sources.get(other)!.onChange(() => changes.push(w.view(other)));
    w.down.add(leader.id);
    await w.until(() => !!w.view(other).leader && w.view(other).leader !== leader.id);
    const v = w.view(other);
    expect(v.term).toBeGreaterThan(oldTerm);
    expect(v.hasQuorum).toBe(true);
    expect(changes.every((c) => c.hasQuorum)).toBe(true); // the election was not announced as an outage
    const events = w.sources.get(other)!.events();
    const lost = events.findIndex((e) => e.kind === 'leader-lost' && e.member === leader.id);
    const elected = events.findIndex((e) => e.kind === 'leader-elected' && e.member === v.leader && e.term === v.term);
    expect(lost).toBeGreaterThanOrEqual(0);
    expect(elected).toBeGreaterThan(lost);
    // the cut-off old leader itself: it loses the quorum once, and an election grace does not flap it back
    await w.run(4_000);
    const own = w.sources.get(leader.id)!;
    expect(own.view().hasQuorum).toBe(false);
    expect(
      own
        .events()
        .filter((e) => e.kind.startsWith('quorum'))
        .map((e) => e.kind),
    ).toEqual(['quorum-lost']);
    await w.close();
  });

  it('a learner joins, is promoted and removed: member events on the timeline', async () => {
    const w = new World();
    const leader = await threeMembers(w);
    const source = w.sources.get(leader.id)!;
    await w.open('n4', { peers: Object.fromEntries(leader.members()) });
    await leader.addMember('n4', 'addr-n4', { asLearner: true });
    await w.run(300);
    expect(source.view().members.find((m) => m.raftId === 'n4')?.role).toBe('learner');
    expect(source.view().quorum.voters).toBe(3);
    await leader.promote('n4');
    await w.run(300);
    expect(source.view().quorum).toMatchObject({ voters: 4, majority: 3 });
    await leader.removeMember('n4');
    await w.run(300);
    const kinds = source
      .events()
      .filter((e) => e.member === 'n4')
      .map((e) => e.kind);
    expect(kinds).toEqual(['member-added', 'member-promoted', 'member-removed']);
    await w.close();
  });
});

describe('raft view core', () => {
  const base = (over: Partial<Parameters<typeof buildRaftView>[0]['status']> = {}) =>
    buildRaftView({
      status: {
        term: 4,
        role: 'follower',
        leader: '',
        commit: 10,
        applied: 10,
        lastIndex: 10,
        conf: { voters: ['a', 'b', 'c'], learners: [] },
        snapshot: { index: 0, term: 0, bytes: 0 },
        members: [],
        ...over,
      },
      peers: [],
      node: (id) => makeNode({ ID: id, hostname: id }),
      selfId: 'a',
      now: 0,
    });

  it('a follower without a leader vouches only for itself and its transport', () => {
    const v = base();
    expect(v.members.map((m) => m.role)).toEqual(['follower', 'unknown', 'unknown']);
    expect(v.quorum).toEqual({ voters: 3, majority: 2, reachableVoters: 1, canLose: 0 });
    expect(v.hasQuorum).toBe(false);
    expect(raftEvents(undefined, v).map((e) => e.kind)).toEqual(['quorum-lost']);
  });

  it('tells index movement from meaningful change', () => {
    const a = base({ leader: 'b' });
    expect(raftViewChange(a, base({ leader: 'b', commit: 11, applied: 11 }))).toBe('indexes');
    expect(raftViewChange(a, base({ leader: 'b' }))).toBe('none');
    expect(raftViewChange(a, base({ leader: 'c' }))).toBe('meaningful');
    expect(raftViewChange(a, base({ leader: 'b', term: 5 }))).toBe('meaningful');
  });

  it('marks a follower whose replication is stuck behind an entry no message can carry', () => {
    const stalledReplication = [{ to: 'c', index: 7, bytes: 9_000_000, limit: 8_323_072 }];
    const v = base({ role: 'leader', leader: 'a', stalledReplication });
    expect(v.members.map((m) => [m.raftId, m.stalled])).toEqual([
      ['a', undefined],
      ['b', undefined],
      ['c', { index: 7, bytes: 9_000_000, limit: 8_323_072 }],
    ]);
    // the console is told at once, not with the next index movement
    expect(raftViewChange(base({ role: 'leader', leader: 'a' }), v)).toBe('meaningful');
  });
});

describe('failedEntriesWarnings', () => {
  it('is empty with no failures and names the count and the last one otherwise', () => {
    expect(failedEntriesWarnings(undefined)).toEqual([]);
    expect(failedEntriesWarnings({ failedEntries: { total: 0, recent: [] } })).toEqual([]);
    const recent = [
      { index: 7, term: 2, kind: 'entry' as const, error: 'the entry is not JSON: x', at: '' },
      { index: 9, term: 3, kind: 'snapshot' as const, error: 'the image does not decode: y', at: '' },
    ];
    expect(failedEntriesWarnings({ failedEntries: { total: 1, recent: recent.slice(0, 1) } })).toEqual([
      'WARNING: 1 committed entry failed to apply; last: entry 7 (term 2): the entry is not JSON: x',
    ]);
    expect(failedEntriesWarnings({ failedEntries: { total: 60, recent } })).toEqual([
      'WARNING: 60 committed entries failed to apply; last: snapshot 9 (term 3): the image does not decode: y',
    ]);
  });
});
