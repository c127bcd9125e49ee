import { describe, expect, it } from 'vitest';
import { SnapshotAssembler, SnapshotSender } from './snapshot-chunks';
import { TestCluster } from './test-cluster';
import type { SnapshotChunkMessage } from './types';
import type { Snapshot } from '../types';

const snap: Snapshot = { meta: { index: 7, term: 2, conf: { voters: ['a'], learners: [] } }, data: 'abcdefghij' };

function chunks(s: Snapshot, size: number): SnapshotChunkMessage[] {
  const sender = new SnapshotSender(s, size, 0);
  const out: SnapshotChunkMessage[] = [];
  for (;;) {
    const ch = sender.next(0)!;
    out.push({ type: 'snap', from: 'a', to: 'b', term: 2, meta: s.meta, ...ch });
    if (ch.done) return out;
    sender.ack(ch.offset + ch.chunk.length, 0);
  }
}

describe('snapshot chunks', () => {
  it('the sender cuts the data in chunks, one in flight at a time', () => {
    const sender = new SnapshotSender(snap, 4, 0);
    expect(sender.next(0)).toEqual({ offset: 0, chunk: 'abcd', total: 10, done: false });
    expect(sender.next(0)).toBeUndefined();
    sender.ack(4, 1);
    expect(sender.next(1)).toEqual({ offset: 4, chunk: 'efgh', total: 10, done: false });
    // Lost: nothing moves until the resend timer expires, then it resends from the acknowledged offset.
    expect(sender.expire(2, 2)).toBe(false);
    expect(sender.expire(3, 2)).toBe(true);
    expect(sender.next(3)).toEqual({ offset: 4, chunk: 'efgh', total: 10, done: false });
    sender.ack(8, 4);
    expect(sender.next(4)).toEqual({ offset: 8, chunk: 'ij', total: 10, done: true });
  });

  it('the assembler rebuilds the snapshot only when the last chunk arrives in order', () => {
    const a = new SnapshotAssembler();
    const [c0, c1, c2] = chunks(snap, 4);
    expect(a.receive(c0!)).toEqual({ offset: 4 });
    expect(a.receive(c0!)).toEqual({ offset: 4 }); // restart of the same transfer
    expect(a.receive(c2!)).toEqual({ offset: 4 }); // gap: ask for what is missing
    expect(a.receive(c1!)).toEqual({ offset: 8 });
    expect(a.receive(c1!)).toEqual({ offset: 8 }); // duplicate
    expect(a.receive(c2!)).toEqual({ offset: 10, snapshot: snap });
    expect(a.progress()).toBeUndefined();
  });

  it('a chunk of a transfer the assembler does not hold asks for a restart', () => {
    const a = new SnapshotAssembler();
    const [, c1] = chunks(snap, 4);
    expect(a.receive(c1!)).toEqual({ offset: 0 });
    const other = chunks({ ...snap, meta: { ...snap.meta, index: 9 } }, 4);
    a.receive(chunks(snap, 4)[0]!);
    expect(a.receive(other[1]!)).toEqual({ offset: 0 });
  });
});

describe('snapshots and log compaction', () => {
  function laggingCluster(chunkBytes = 200) {
    const c = new TestCluster(['a', 'b', 'c'], { snapshotChunkBytes: chunkBytes });
    c.elect('a');
    c.isolate('c');
    for (let i = 0; i < 30; i++) c.node('a').propose(`entry-${i}-${'z'.repeat(40)}`);
    c.stabilize();
    const s = c.snapshotAndCompact('a');
    expect(c.node('a').status()).toMatchObject({ snapshotIndex: 34, lastIndex: 34 });
    return { c, s };
  }

  it('streams the snapshot in chunks to a follower whose entries were compacted, then resumes appends', () => {
    const { c, s } = laggingCluster();
    c.heal();
    c.tick(['a'], 1); // heartbeat → answer → the leader finds c's next entry compacted
    const chunksSent = c.sent.filter((m): m is SnapshotChunkMessage => m.type === 'snap');
    expect(chunksSent.length).toBe(Math.ceil(s.data.length / 200));
    expect(chunksSent.map((m) => m.offset)).toEqual(chunksSent.map((_, i) => i * 200));
    expect(chunksSent.every((m) => m.meta.index === 34)).toBe(true);
    expect(c.disks.get('c')!.snapshot?.meta.index).toBe(34);
    expect(c.applied.get('c')).toEqual(c.applied.get('a'));
    expect(c.node('c').status()).toMatchObject({ commit: 34, applied: 34, snapshotIndex: 34 });
    expect(c.node('a').status().progress!.c).toMatchObject({ state: 'replicate', match: 34 });
    c.node('a').propose('after');
    c.stabilize();
    expect(c.applied.get('c')!.at(-1)).toBe('after');
  });

  it('surfaces the snapshot in a Ready only once fully reassembled', () => {
    const { c } = laggingCluster();
    c.heal();
    c.node('a').tick();
    let deliveredChunks = 0;
    for (let round = 0; round < 100; round++) {
      c.flush();
      const n = c.deliver((m) => m.type !== 'snap' || deliveredChunks < 3);
      deliveredChunks += n.filter((m) => m.type === 'snap').length;
      if (n.length === 0) break;
    }
    expect(deliveredChunks).toBe(3);
    expect(c.disks.get('c')!.snapshot).toBeUndefined();
    expect(c.node('a').status().progress!.c!.snapshotSent).toMatchObject({ index: 34, offset: 600 });
    c.stabilize();
    expect(c.disks.get('c')!.snapshot?.meta.index).toBe(34);
  });

  it('a lost chunk is resent from the offset the follower acknowledged', () => {
    const { c } = laggingCluster();
    let dropped = 0;
    c.dropIf = (m) => m.type === 'snap' && m.offset === 400 && dropped++ === 0;
    c.heal();
    c.tick(['a'], 1);
    expect(c.disks.get('c')!.snapshot).toBeUndefined();
    c.tick(['a', 'b', 'c'], 3);
    const offsets = c.sent.filter((m): m is SnapshotChunkMessage => m.type === 'snap').map((m) => m.offset);
    expect(offsets.slice(0, 4)).toEqual([0, 200, 400, 400]);
    expect(c.disks.get('c')!.snapshot?.meta.index).toBe(34);
    expect(c.applied.get('c')).toEqual(c.applied.get('a'));
  });

  it('a follower that restarts mid-transfer makes the leader start over', () => {
    const { c } = laggingCluster();
    c.heal();
    c.node('a').tick();
    let chunksSeen = 0;
    c.dropIf = (m) => m.type === 'snap' && ++chunksSeen > 2;
    c.stabilize();
    c.restart('c'); // the partial transfer is gone
    c.dropIf = () => false;
    c.tick(undefined, 4);
    const offsets = c.sent.filter((m): m is SnapshotChunkMessage => m.type === 'snap').map((m) => m.offset);
    // 400 was lost with the restart; the resend is answered with "offset 0", so the transfer starts over.
    expect(offsets.slice(0, 6)).toEqual([0, 200, 400, 400, 0, 200]);
    expect(c.disks.get('c')!.snapshot?.meta.index).toBe(34);
    expect(c.applied.get('c')).toEqual(c.applied.get('a'));
  });

  it('keeps entries behind the snapshot for slow followers (no snapshot needed)', () => {
    const c = new TestCluster(['a', 'b', 'c']);
    c.elect('a');
    c.node('a').propose('p0');
    c.stabilize();
    c.isolate('c');
    for (let i = 1; i < 10; i++) c.node('a').propose(`p${i}`);
    c.stabilize();
    c.snapshotAndCompact('a', 20);
    c.heal();
    c.tick(['a'], 1);
    expect(c.sent.some((m) => m.type === 'snap')).toBe(false);
    expect(c.applied.get('c')).toHaveLength(10);
  });

  it('a member restarts from its snapshot plus the entries after it', () => {
    const c = new TestCluster(['a', 'b', 'c']);
    c.elect('a');
    for (let i = 0; i < 5; i++) c.node('a').propose(`p${i}`);
    c.stabilize();
    c.snapshotAndCompact('b', 2);
    c.node('a').propose('p5');
    c.stabilize();
    const before = c.node('b').status();
    c.restart('b');
    c.flush();
    expect(c.node('b').status()).toMatchObject({ term: before.term, commit: 10, applied: 10, lastIndex: 10 });
    expect(c.applied.get('b')).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
    c.tick(undefined, 2);
    expect(c.node('b').leader).toBe('a');
  });
});
