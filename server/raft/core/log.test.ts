import { describe, expect, it } from 'vitest';
import { RaftLog, entrySize } from './log';
import { Inflights, Progress } from './progress';
import { entriesOfTerms } from './test-cluster';
import type { Snapshot } from '../types';

const snap = (index: number, term: number): Snapshot => ({
  meta: { index, term, conf: { voters: ['a'], learners: [] } },
  data: 'state',
});

describe('RaftLog', () => {
  it('loads from storage with or without a snapshot, entries kept behind it included', () => {
    const plain = RaftLog.fromStorage(undefined, entriesOfTerms([1, 1, 2]), 2, 0);
    expect([plain.firstIndex(), plain.lastIndex(), plain.lastTerm(), plain.committed]).toEqual([1, 3, 2, 2]);
    expect(plain.term(0)).toBe(0);

    const after = RaftLog.fromStorage(snap(3, 2), entriesOfTerms([1, 1, 2, 3, 3]).slice(3), 4, 3);
    expect([after.firstIndex(), after.lastIndex(), after.term(3), after.term(2)]).toEqual([4, 5, 2, undefined]);

    // Entries 2..5 kept behind a snapshot at 3: entry 2 becomes the offset marker.
    const behind = RaftLog.fromStorage(snap(3, 2), entriesOfTerms([1, 1, 2, 3, 3]).slice(1), 3, 3);
    expect([behind.firstIndex(), behind.lastIndex(), behind.term(2), behind.term(3)]).toEqual([3, 5, 1, 2]);

    const onlySnap = RaftLog.fromStorage(snap(9, 4), [], 0, 0);
    expect([onlySnap.lastIndex(), onlySnap.lastTerm(), onlySnap.committed, onlySnap.applied]).toEqual([9, 4, 9, 9]);
    expect(() => RaftLog.fromStorage(snap(3, 2), entriesOfTerms([1, 1, 2, 3, 3, 3]).slice(5), 3, 3)).toThrow(/gap/);
  });

  it('maybeAppend skips matching entries, truncates a conflicting suffix and moves the commit', () => {
    const log = new RaftLog(0, 0, entriesOfTerms([1, 1, 2, 2]), 1, 1);
    expect(log.maybeAppend(1, 2, 9, [])).toBeUndefined(); // prev term mismatch
    // Already-held entries: nothing truncated.
    expect(log.maybeAppend(1, 1, 2, entriesOfTerms([1, 1]).slice(1))).toBe(2);
    expect(log.lastIndex()).toBe(4);
    expect(log.committed).toBe(2);
    // Conflict at 3: entries 3..4 replaced.
    const newer = [
      { index: 3, term: 3, type: 'normal' as const, data: 'n3' },
      { index: 4, term: 3, type: 'normal' as const, data: 'n4' },
      { index: 5, term: 3, type: 'normal' as const, data: 'n5' },
    ];
    expect(log.stableIndex).toBe(4);
    expect(log.maybeAppend(2, 1, 4, newer)).toBe(5);
    expect(log.stableIndex).toBe(2);
    expect(log.unstableEntries().map((e) => e.data)).toEqual(['n3', 'n4', 'n5']);
    expect(log.committed).toBe(4);
    // Rewriting a committed entry is a safety violation.
    expect(() => log.maybeAppend(2, 1, 4, [{ index: 3, term: 4, type: 'normal', data: 'x' }])).toThrow(
      /conflicts with committed/,
    );
  });

  it('findConflictByTerm skips a whole term at a time', () => {
    const log = new RaftLog(0, 0, entriesOfTerms([1, 1, 1, 4, 4, 5, 5, 6, 6, 6]), 0, 0);
    expect(log.findConflictByTerm(10, 3)).toEqual({ index: 3, term: 1 });
    expect(log.findConflictByTerm(10, 5)).toEqual({ index: 7, term: 5 });
    expect(log.findConflictByTerm(20, 6)).toEqual({ index: 10, term: 6 });
    log.appliedTo(5);
    log.commitTo(5);
    log.compact(5);
    expect(log.findConflictByTerm(10, 3)).toEqual({ index: 4, term: 0 }); // ran into the compacted prefix
  });

  it('slices by byte budget without copying the whole log, and stableTo ignores replaced entries', () => {
    const log = new RaftLog(0, 0, entriesOfTerms([1, 1, 1, 1]), 0, 0);
    const size = entrySize(entriesOfTerms([1])[0]!); // every entry's data is as long: `t1i<n>`
    expect(log.slice(1, 4, size * 2)!.map((e) => e.index)).toEqual([1, 2]);
    expect(log.slice(2, 4, 1)!.map((e) => e.index)).toEqual([2]);
    expect(log.slice(5, 4, 1000)).toEqual([]);
    log.append([{ index: 5, term: 2, type: 'normal', data: '' }]);
    log.stableTo(5, 1); // wrong term: the entry was replaced meanwhile
    expect(log.stableIndex).toBe(4);
    log.stableTo(5, 2);
    expect(log.stableIndex).toBe(5);
  });

  it('compacts only applied, durable entries and reports compacted ranges', () => {
    const log = new RaftLog(0, 0, entriesOfTerms([1, 1, 2, 2, 2]), 5, 3);
    expect(() => log.compact(4)).toThrow(/beyond applied/);
    log.compact(3);
    expect([log.firstIndex(), log.term(3), log.term(2), log.slice(3, 5, 1000)]).toEqual([4, 2, undefined, undefined]);
    expect(log.nextCommitted().map((e) => e.index)).toEqual([4, 5]);
  });

  it('restores a snapshot from the leader, or only moves the commit when the entry is already held', () => {
    const log = new RaftLog(0, 0, entriesOfTerms([1, 1, 2]), 1, 1);
    expect(log.restore(snap(3, 2))).toBe(false);
    expect(log.committed).toBe(3);
    expect(log.restore(snap(8, 3))).toBe(true);
    expect([log.lastIndex(), log.lastTerm(), log.committed, log.pendingSnapshot?.meta.index]).toEqual([8, 3, 8, 8]);
    expect(log.nextCommitted()).toEqual([]);
    expect(log.restore(snap(6, 3))).toBe(false); // older than the commit
  });
});

describe('Progress and Inflights', () => {
  it('the inflight window is a ring buffer freed by acknowledgements', () => {
    const w = new Inflights(3);
    w.add(2);
    w.add(4);
    w.add(7);
    expect(w.full()).toBe(true);
    expect(() => w.add(8)).toThrow();
    w.freeLE(4);
    expect(w.count).toBe(1);
    w.add(9);
    w.add(11);
    expect(w.full()).toBe(true);
    w.freeFirstOne();
    w.freeLE(10);
    expect(w.count).toBe(1);
    w.freeLE(100);
    expect(w.count).toBe(0);
  });

  it('probe backs off on rejection and ignores stale rejections; replicate falls back to match + 1', () => {
    const pr = new Progress('b', 11, false, 4);
    expect(pr.maybeDecrTo(5, 3)).toBe(false); // not the probe in flight
    expect(pr.maybeDecrTo(10, 3)).toBe(true);
    expect(pr.next).toBe(4);
    expect(pr.maybeUpdate(3)).toBe(true);
    pr.becomeReplicate();
    pr.optimisticUpdate(8);
    pr.inflights.add(8);
    expect(pr.maybeDecrTo(2, 0)).toBe(false); // below match: stale
    expect(pr.maybeDecrTo(6, 0)).toBe(true);
    expect(pr.next).toBe(4);
    expect(pr.maybeUpdate(2)).toBe(false);
  });
});
