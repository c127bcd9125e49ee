import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/memory-store';
import { decodeSnapshotData } from './apply';
import type { Message } from './core';
import { LOST_LEADERSHIP, NotLeaderError, leaderOf, type RaftTransport } from './raft-log';
import { create, threeMembers, World } from './test-world';
import type { ClusterTransport } from './transport';
import type { Snapshot } from './types';

// The production transport fits the shell's slice of it (checked by tsc).
export type TransportFits = ClusterTransport<Message> extends RaftTransport ? true : never;
const transportFits: TransportFits = true;

describe('RaftLog', () => {
  it('takes ClusterTransport as its transport', () => {
    expect(transportFits).toBe(true);
  });

  it('bootstraps a one-member cluster that leads at once and keeps Version.Index = raft index', async () => {
    const w = new World();
    const log = await w.open('n1', { bootstrap: { n1: 'addr-n1' } });
    const changes: [boolean, string, number][] = [];
    log.onLeadershipChange((isLeader, leader, term) => changes.push([isLeader, leader, term]));
    await w.until(() => log.isLeader());
    expect(changes.at(-1)).toEqual([true, 'n1', log.status().term]);
    const r = await log.propose(create('a'));
    const store = w.stores.get('n1')!;
    // index 1: bootstrap conf change, 2: the leader's no-op, 3: the batch
    expect(r).toEqual({ index: 3 });
    expect(store.get('config', 'a')?.Version.Index).toBe(3);
    expect(store.index).toBe(log.status().commit);
    expect(log.members()).toEqual(new Map([['n1', 'addr-n1']]));
  });

  it('reports a validation error of the applied batch without failing the proposal', async () => {
    const w = new World();
    const log = await w.open('n1', { bootstrap: { n1: 'addr-n1' } });
    await w.until(() => log.isLeader());
    await log.propose(create('a'));
    const r = await log.propose(create('a'));
    expect(r.error?.code).toBe('AlreadyExists');
    expect(w.stores.get('n1')!.index).toBe(r.index);
  });

  it('replicates to followers, who refuse proposals naming the leader and serve linearizable reads', async () => {
    const w = new World();
    const leader = await threeMembers(w);
    const { index } = await leader.propose(create('a'));
    const follower = [...w.logs.values()].find((l) => l !== leader)!;
    const err = await follower.propose(create('b')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotLeaderError);
    expect(leaderOf(err)).toBe(leader.id);
    expect((err as NotLeaderError).status).toBe(503);
    const readIndex = await follower.readBarrier();
    expect(readIndex).toBeGreaterThanOrEqual(index);
    expect(w.stores.get(follower.id)!.get('config', 'a')?.Version.Index).toBe(index);
    expect(leaderOf(new Error('x'))).toBeUndefined();
  });

  it('rejects a proposal with swarm’s lost-leadership error when the leader is deposed before commit', async () => {
    const w = new World();
    const leader = await threeMembers(w);
    w.net.down.add(leader.id); // cut off: the entry cannot commit
    const p = leader.propose(create('a')).catch((e: unknown) => e);
    await w.run(3_000); // check-quorum makes it step down
    const err = await p;
    expect((err as Error).message).toBe(LOST_LEADERSHIP);
    expect(leader.isLeader()).toBe(false);
    w.net.down.clear();
    await w.until(() => !!w.leader());
    const fresh = w.leader()!;
    const r = await fresh.propose(create('b'));
    await w.until(() => [...w.stores.values()].every((s) => s.index >= r.index));
  });

  it('snapshots every snapshotInterval entries, restarts from snapshot + log, and keeps addresses', async () => {
    const w = new World();
    const log = await w.open('n1', { bootstrap: { n1: 'addr-n1' }, snapshotInterval: 3, keepEntries: 1 });
    await w.until(() => log.isLeader());
    for (const id of ['a', 'b', 'c', 'd']) await log.propose(create(id));
    const storage = w.storages.get('n1')!;
    expect(storage.compactions).toBeGreaterThan(0);
    const snap = storage.snapshot!;
    expect(decodeSnapshotData(snap.data).members).toEqual({ n1: 'addr-n1' });
    expect(storage.entries[0]!.index).toBeGreaterThanOrEqual(snap.meta.index - 1);
    const before = w.stores.get('n1')!.image();
    await log.close();
    const again = await w.open('n1', { snapshotInterval: 3, keepEntries: 1 });
    // the store is whole before anything else runs
    expect(w.stores.get('n1')!.image()).toEqual(before);
    expect(again.members().get('n1')).toBe('addr-n1');
    await w.until(() => again.isLeader());
    const r = await again.propose(create('e'));
    expect(w.stores.get('n1')!.get('config', 'e')?.Version.Index).toBe(r.index);
  });

  it('goes on committing while a snapshot is being stored, and compacts once it is', async () => {
    const w = new World();
    const log = await w.open('n1', { bootstrap: { n1: 'addr-n1' }, snapshotInterval: 3, keepEntries: 0 });
    await w.until(() => log.isLeader());
    const storage = w.storages.get('n1')!;
    let release!: () => void;
    storage.holdCompact = new Promise((r) => (release = r));
    const stored: Snapshot[] = [];
    const compact = storage.compact.bind(storage);
    storage.compact = (snap, keep) => {
      stored.push(snap);
      return compact(snap, keep);
    };
    for (const id of ['a', 'b', 'c']) await log.propose(create(id));
    // the snapshot is under way and stuck on the disk; proposals commit and apply regardless
    const late = await Promise.all(['d', 'e', 'f', 'g'].map((id) => log.propose(create(id))));
    expect(late.every((r) => !r.error)).toBe(true);
    expect(w.stores.get('n1')!.get('config', 'g')).toBeDefined();
    expect(storage.compactions).toBe(0);
    expect(log.status().snapshot.index).toBe(0);
    release();
    await w.until(() => log.status().snapshot.index > 0);
    // the first image is the store as it stood when the snapshot began: before the proposals made meanwhile
    const first = stored[0]!;
    expect(first.meta.index).toBeLessThan(late[0]!.index);
    const names = decodeSnapshotData(first.data).objects.config.map((c) => c.ID);
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => ['a', 'b', 'c'].includes(n))).toBe(true);
    // and the stored log behind it is compacted
    await w.until(() => storage.entries.every((e) => e.index > first.meta.index));
  });

  it('a failed snapshot is logged and does not strand proposals', async () => {
    const w = new World();
    const log = await w.open('n1', { bootstrap: { n1: 'addr-n1' }, snapshotInterval: 2 });
    await w.until(() => log.isLeader());
    w.storages.get('n1')!.failCompact = true;
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((id) => log.propose(create(id))));
    expect(results.every((r) => !r.error)).toBe(true);
    await w.run(10);
    expect(w.errors.some((e) => e.includes('snapshot') && e.includes('disk full'))).toBe(true);
    w.storages.get('n1')!.failCompact = false;
    await log.propose(create('e'));
    expect(w.storages.get('n1')!.compactions).toBeGreaterThan(0);
  });

  it('adds a learner, promotes and removes it, telling every member’s transport the address', async () => {
    const w = new World();
    const leader = await threeMembers(w);
    const peers = Object.fromEntries(leader.members());
    const joiner = await w.open('n4', { peers });
    await leader.addMember('n4', 'addr-n4', { asLearner: true });
    const { index } = await leader.propose(create('a'));
    await w.until(() => w.stores.get('n4')!.index >= index);
    expect(joiner.status().role).toBe('learner');
    expect(w.transports.get('n2')!.peers.get('n4')).toBe('addr-n4');
    await leader.promote('n4');
    await w.until(() => joiner.status().role === 'follower');
    expect(leader.status().conf.voters).toContain('n4');
    await leader.removeMember('n4');
    await w.until(() => !w.transports.get('n2')!.peers.has('n4'));
    expect(leader.members().has('n4')).toBe(false);
    expect(leader.status().conf.removed).toContain('n4');
    const err = await leader.addMember('n4', 'addr-n4').catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/invalid membership change/);
  });

  it('drops and counts messages that are malformed, not from their sender, or from a non-member', async () => {
    const w = new World();
    const leader = await threeMembers(w);
    const follower = [...w.logs.values()].find((l) => l !== leader)!;
    const before = { term: follower.status().term, leader: follower.leader() };
    const deliver = w.net.handlers.get(follower.id)!;
    const vote = (from: string, o: object = {}) =>
      ({
        type: 'vote',
        from,
        to: follower.id,
        term: before.term + 50,
        index: 1e6,
        logTerm: 1e6,
        transfer: true,
        ...o,
      }) as unknown as Message;
    deliver('intruder', vote('intruder')); // no member
    deliver(leader.id, vote('intruder')); // a member speaking for someone else
    deliver(leader.id, vote(leader.id, { term: -1 }));
    deliver(leader.id, vote(leader.id, { from: 7 }));
    deliver(leader.id, { type: 'app', from: leader.id, to: follower.id, term: before.term + 50 } as unknown as Message);
    await w.run(200);
    expect(follower.status().droppedMessages).toBe(5);
    expect({ term: follower.status().term, leader: follower.leader() }).toEqual(before);
  });

  it('a member that slept through a member’s addition catches up from it as leader (sim seed 283)', async () => {
    const w = new World();
    const first = await threeMembers(w);
    const sleeper = [...w.logs.values()].find((l) => l !== first)!;
    await first.propose(create('before'));
    await w.until(() => w.stores.get(sleeper.id)!.index === first.status().commit);
    await sleeper.close();

    // n4 joins, is promoted and takes over while the sleeper's log knows nothing of it
    const leader = w.leader()!;
    const n4 = await w.open('n4', { peers: Object.fromEntries(leader.members()) });
    await leader.addMember('n4', 'addr-n4', { asLearner: true });
    const added = await leader.propose(create('added'));
    await w.until(() => w.stores.get('n4')!.index >= added.index);
    await leader.promote('n4');
    await w.until(() => n4.status().role === 'follower');
    await leader.transferLeadership('n4');
    await w.until(() => n4.isLeader());
    const { index } = await n4.propose(create('after'));

    const back = await w.open(sleeper.id);
    expect(back.status().conf.voters).not.toContain('n4');
    expect(back.isMember('n4')).toBe(false);
    // the others follow n4, so the sleeper's pre-votes win nothing: only n4 can bring it up to date
    await w.until(() => w.stores.get(sleeper.id)!.index >= index, 10_000);
    expect(back.leader()).toBe('n4');
    expect(back.status().conf.voters).toContain('n4');
    expect(w.stores.get(sleeper.id)!.get('config', 'after')).toBeDefined();
  });

  it('answers a member’s question with its configuration, and takes no list it did not ask for', async () => {
    const w = new World();
    const leader = await threeMembers(w);
    await w.run(2_500); // past any question asked while the first election ran: the leader is heard now
    const follower = [...w.logs.values()].find((l) => l !== leader)!;
    const deliver = w.net.handlers.get(follower.id)!;
    const list = (from: string, members: Record<string, string>) =>
      ({ type: 'member-list', from, to: follower.id, term: 0, members }) as unknown as Message;
    deliver('intruder', list('intruder', { n9: 'addr-n9' })); // not a member
    deliver(leader.id, list(leader.id, { 'swarm-manager': 'addr-x' })); // not a node ID
    expect(follower.status().droppedMessages).toBe(2);
    deliver(leader.id, list(leader.id, { n9: 'addr-n9' })); // well-formed, from a member, but unasked
    expect(follower.isMember('n9')).toBe(false);
    expect(w.transports.get(follower.id)!.peers.has('n9')).toBe(false);

    // the answer to a query: voters and learners of the applied configuration, with their addresses
    const answers: unknown[] = [];
    const other = [...w.logs.keys()].find((id) => id !== leader.id && id !== follower.id)!;
    const otherHandler = w.net.handlers.get(other)!;
    w.net.handlers.set(other, (from, m) => (m.type === 'member-list' ? answers.push(m) : otherHandler(from, m)));
    deliver(other, { type: 'member-query', from: other, to: follower.id, term: 0 } as unknown as Message);
    await w.until(() => answers.length > 0);
    expect(answers[0]).toMatchObject({ from: follower.id, to: other });
    expect((answers[0] as { members: object }).members).toEqual({ n1: 'addr-n1', n2: 'addr-n2', n3: 'addr-n3' });
  });

  it('transfers leadership and resolves once the target leads', async () => {
    const w = new World();
    const leader = await threeMembers(w);
    const to = [...w.logs.keys()].find((id) => id !== leader.id)!;
    await leader.transferLeadership(to);
    await w.until(() => w.logs.get(to)!.isLeader());
    expect(leader.isLeader()).toBe(false);
  });

  it('close() rejects pending proposals and reads and stops the member', async () => {
    const w = new World();
    const leader = await threeMembers(w);
    w.net.down.add(leader.id);
    const p = leader.propose(create('a')).catch((e: unknown) => e);
    const r = leader.readBarrier().catch((e: unknown) => e);
    await leader.close();
    expect(((await p) as Error).message).toMatch(/closed/);
    expect(((await r) as Error).message).toMatch(/closed/);
    expect(leader.isLeader()).toBe(false);
    await expect(leader.propose(create('b'))).rejects.toThrow(/closed/);
  });
});

describe('MemoryStore.advanceTo', () => {
  it('moves the index without telling watchers and refuses to go back', () => {
    const s = new MemoryStore();
    const seen: number[] = [];
    s.watch((e) => seen.push(e.index));
    s.advanceTo(2);
    expect(s.index).toBe(2);
    expect(seen).toEqual([]);
    expect(() => s.advanceTo(2)).toThrow(/out of order/);
    s.apply(3, create('a'));
    expect(s.get('config', 'a')?.Version.Index).toBe(3);
    expect(seen).toEqual([3]);
  });
});
