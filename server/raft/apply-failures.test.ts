// Committed entries that cannot be applied: every member records the same
// failure, moves past it and ends with the same store, now and on replay.

import { describe, expect, it } from 'vitest';
import type { Batch } from '../store/batch';
import { MemoryStore } from '../store/memory-store';
import { makeService } from '../store/test-support';
import { applyEntry } from './apply';
import { encodeConfChange } from './core';
import type { RaftLog } from './raft-log';
import { config, create, threeMembers, World } from './test-world';
import type { Entry } from './types';

const entry = (index: number, data: string, type: Entry['type'] = 'normal'): Entry => ({ index, term: 1, type, data });

describe('applyEntry', () => {
  it.each([
    ['bad JSON', entry(1, '{"ops": ['), /not JSON/],
    ['JSON that is not a batch', entry(1, '[1,2,3]'), /batch is not an object/],
    [
      'a batch of the wrong shape',
      entry(1, JSON.stringify({ ops: [{ op: 'create', kind: 'node', object: {} }] })),
      /no ID/,
    ],
    ['a malformed membership change', entry(1, '{"type":"explode","id":"n9"}', 'conf-change'), /membership change/],
    ['a membership change that is not JSON', entry(1, '}{', 'conf-change'), /membership change/],
  ])('records %s as failed and moves the store past it', (_, e, why) => {
    const store = new MemoryStore();
    const out = applyEntry(store, e);
    expect(out.failed).toMatch(why);
    expect(out.confChange).toBeUndefined();
    expect(store.index).toBe(1);
    expect(applyEntry(store, entry(2, JSON.stringify(create('after'))))).toEqual({});
    expect(store.get('config', 'after')?.Version.Index).toBe(2);
  });

  it("judges the proposer's own object as the others judge its data", () => {
    // NaN becomes null in JSON: both are refused
    const svc = makeService({ ID: 's', SpecVersion: { Index: NaN } });
    const nan: Batch = { ops: [{ op: 'create', kind: 'service', object: svc }] };
    const mine = applyEntry(new MemoryStore(), entry(1, JSON.stringify(nan)), nan);
    const theirs = applyEntry(new MemoryStore(), entry(1, JSON.stringify(nan)));
    expect(mine.failed).toBeDefined();
    expect(mine.failed).toBe(theirs.failed);
    // a Date where a string belongs is a string in JSON: the data is applied on every member alike
    const dated = { ...config('c'), ID: new Date(0) as unknown as string };
    const data = JSON.stringify({ ops: [{ op: 'create', kind: 'config', object: dated }] });
    const store = new MemoryStore();
    expect(applyEntry(store, entry(1, data), { ops: [{ op: 'create', kind: 'config', object: dated }] })).toEqual({});
    expect(store.get('config', new Date(0).toISOString())).toBeDefined();
    expect(
      applyEntry(new MemoryStore(), entry(1, JSON.stringify({ ops: [{ op: 'create', kind: 'config', object: {} }] }))),
    ).toMatchObject({ failed: expect.stringMatching(/no ID/) });
  });
});

/** Every store of the world holds the same objects at the same index. */
function sameStores(w: World): void {
  const images = [...w.stores.values()].map((s) => JSON.stringify(s.image()));
  expect(new Set(images).size).toBe(1);
}

const failedIndexes = (log: RaftLog) => log.failedEntries().map((f) => f.index);

describe('RaftLog with entries that cannot be applied', () => {
  it('every member records a malformed proposal as failed, ends with the same store, and writes go on', async () => {
    const w = new World();
    const leader = await threeMembers(w);
    const bad = { ops: [{ op: 'create', kind: 'task', object: { ID: 'x', ServiceID: 7 } }] } as unknown as Batch;
    const r = await leader.propose(bad);
    expect(r.error?.message).toMatch(/^raft: the entry failed to apply: op 0: task x: ServiceID is not a string/);
    const next = await leader.propose(create('after'));
    await w.until(() => [...w.stores.values()].every((s) => s.index >= next.index));
    for (const log of w.logs.values()) {
      expect(failedIndexes(log)).toEqual([r.index]);
      expect(log.status().failedEntries.total).toBe(1);
      expect(log.failedEntries()[0]).toMatchObject({ kind: 'entry', term: leader.status().term });
    }
    sameStores(w);
    expect(w.stores.get('n1')!.get('config', 'after')).toBeDefined();
    expect(w.errors.filter((e) => e.includes(`entry ${r.index} `))).toHaveLength(3);
  });

  it('replays past a bad committed entry after a restart (bad JSON written into the log)', async () => {
    const w = new World();
    const leader = await threeMembers(w);
    const { index } = await leader.propose(create('a'));
    await w.until(() => [...w.stores.values()].every((s) => s.index >= index));
    // stop everyone, then append the same garbage entry, committed, to every member's log
    const term = leader.status().term;
    for (const log of w.logs.values()) await log.close();
    for (const st of w.storages.values()) {
      const last = st.entries.at(-1)!;
      st.entries.push({ index: last.index + 1, term, type: 'normal', data: 'garbage{' });
      st.hardState = { ...st.hardState, commit: last.index + 1 };
    }
    for (const id of w.storages.keys()) await w.open(id);
    const bad = w.storages.get('n1')!.entries.at(-1)!.index;
    for (const log of w.logs.values()) {
      expect(log.failedEntries()).toEqual([
        expect.objectContaining({ index: bad, term, kind: 'entry', error: expect.stringMatching(/not JSON/) }),
      ]);
    }
    sameStores(w);
    await w.until(() => !!w.leader());
    const r = await w.leader()!.propose(create('b'));
    expect(r.error).toBeUndefined();
    await w.until(() => [...w.stores.values()].every((s) => s.get('config', 'b')));
    sameStores(w);
    // and once more: the replay meets it again and moves on
    const n2 = w.logs.get('n2')!;
    await n2.close();
    const again = await w.open('n2');
    expect(failedIndexes(again)).toEqual([bad]);
    expect(w.stores.get('n2')!.get('config', 'b')).toBeDefined();
  });

  it('a malformed membership change in the log changes nothing on any member', async () => {
    const w = new World();
    const leader = await threeMembers(w);
    const term = leader.status().term;
    for (const log of w.logs.values()) await log.close();
    for (const st of w.storages.values()) {
      const last = st.entries.at(-1)!;
      const data = encodeConfChange({ type: 'remove', id: '' });
      st.entries.push({ index: last.index + 1, term, type: 'conf-change', data });
      st.hardState = { ...st.hardState, commit: last.index + 1 };
    }
    for (const id of w.storages.keys()) await w.open(id);
    await w.until(() => !!w.leader());
    for (const log of w.logs.values()) {
      expect(log.status().conf.voters.sort()).toEqual(['n1', 'n2', 'n3']);
      expect(log.failedEntries()[0]?.error).toMatch(/membership change is malformed/);
    }
    await w.leader()!.propose(create('c'));
  });

  it('starts from a snapshot image that does not decode, and one with malformed objects', async () => {
    const w = new World();
    const log = await w.open('n1', { bootstrap: { n1: 'addr-n1' }, snapshotInterval: 2, keepEntries: 0 });
    await w.until(() => log.isLeader());
    for (const id of ['a', 'b', 'c']) await log.propose(create(id));
    await log.close();
    const st = w.storages.get('n1')!;
    const snap = st.snapshot!;
    // some objects of the image are broken: they are left out, the rest is restored
    const img = JSON.parse(snap.data) as { objects: { config: unknown[] } };
    img.objects.config[0] = { ID: 'broken' };
    st.snapshot = { ...snap, data: JSON.stringify(img) };
    let again = await w.open('n1', { snapshotInterval: 2 });
    expect(again.failedEntries()[0]).toMatchObject({ kind: 'snapshot', index: snap.meta.index });
    expect(again.failedEntries()[0]!.error).toMatch(/1 malformed objects left out: config broken: Spec/);
    expect(w.stores.get('n1')!.index).toBeGreaterThanOrEqual(snap.meta.index);
    await again.close();
    // an image that is not JSON: the member still starts, at the snapshot's index
    st.snapshot = { ...snap, data: 'not json' };
    again = await w.open('n1', { snapshotInterval: 2 });
    expect(again.failedEntries()[0]?.error).toMatch(/does not decode/);
    await w.until(() => again.isLeader());
    const r = await again.propose(create('d'));
    expect(r.error).toBeUndefined();
  });
});
