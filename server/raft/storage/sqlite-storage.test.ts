import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../storage/db';
import type { Entry, HardState, Snapshot } from '../types';
import { SqliteRaftStorage, type CommitInfo } from './sqlite-storage';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function tempFile(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'swarmdeck-raft-'));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'raft.db');
}

async function open(file: string): Promise<Db> {
  const db = await openDb(file);
  cleanup.push(() => db.$disconnect());
  return db;
}

async function tempStorage(): Promise<{ db: Db; storage: SqliteRaftStorage; commits: CommitInfo[]; file: string }> {
  const file = await tempFile();
  const db = await open(file);
  const commits: CommitInfo[] = [];
  const storage = new SqliteRaftStorage(db, { file, onCommit: (c) => commits.push(c) });
  cleanup.push(() => storage.close());
  return { db, storage, commits, file };
}

const entry = (index: number, term = 1, data = `e${index}`, type: Entry['type'] = 'normal'): Entry => ({
  index,
  term,
  type,
  data,
});
const range = (from: number, to: number, term = 1) =>
  Array.from({ length: to - from + 1 }, (_, i) => entry(from + i, term));
const snap = (index: number, term: number, data = `image@${index}`): Snapshot => ({
  meta: { index, term, conf: { voters: ['a', 'b'], learners: ['c'], removed: ['z'] } },
  data,
});
const ids = (es: Entry[]) => es.map((e) => `${e.index}/${e.term}`);

describe('SqliteRaftStorage', () => {
  it('loads an empty state with the default hard state', async () => {
    const { storage } = await tempStorage();
    expect(await storage.load()).toEqual({
      hardState: { term: 0, vote: '', commit: 0 },
      snapshot: undefined,
      entries: [],
    });
  });

  it('round-trips entries, hard state and snapshot across a reopen of the file', async () => {
    const { storage, file, db } = await tempStorage();
    const entries = [entry(1, 1, ''), entry(2, 1, '{"ops":[1]}'), entry(3, 2, '{"voter":"b"}', 'conf-change')];
    await storage.save({ entries, hardState: { term: 2, vote: 'b', commit: 2 } });
    expect(await storage.load()).toEqual({
      hardState: { term: 2, vote: 'b', commit: 2 },
      snapshot: undefined,
      entries,
    });

    await db.$disconnect();
    const reopened = new SqliteRaftStorage(await open(file));
    expect((await reopened.load()).entries).toEqual(entries);
  });

  it('runs on a durable database: WAL with synchronous=FULL', async () => {
    const { db } = await tempStorage();
    const [mode] = await db.$queryRawUnsafe<{ journal_mode: string }[]>('PRAGMA journal_mode');
    const [sync] = await db.$queryRawUnsafe<{ synchronous: bigint | number }[]>('PRAGMA synchronous');
    expect(mode!.journal_mode).toBe('wal');
    expect(Number(sync!.synchronous)).toBe(2);
  });

  it('replaces an entry at an existing index and drops every later one', async () => {
    const { storage } = await tempStorage();
    await storage.save({ entries: range(1, 10) });
    await storage.save({ entries: range(6, 7, 2) });
    expect(ids((await storage.load()).entries)).toEqual([...ids(range(1, 5)), '6/2', '7/2']);
    // appending past the end keeps what is there
    await storage.save({ entries: [entry(8, 2)] });
    expect(ids((await storage.load()).entries)).toEqual([...ids(range(1, 5)), '6/2', '7/2', '8/2']);
  });

  it('keeps the latest hard state and leaves entries alone when saving only it', async () => {
    const { storage } = await tempStorage();
    await storage.save({ entries: range(1, 3), hardState: { term: 1, vote: 'a', commit: 1 } });
    await storage.save({ hardState: { term: 3, vote: '', commit: 3 } });
    const l = await storage.load();
    expect(l.hardState).toEqual({ term: 3, vote: '', commit: 3 });
    expect(ids(l.entries)).toEqual(ids(range(1, 3)));
  });

  it('installs a received snapshot: covered entries go, a matching tail stays', async () => {
    const { storage, db } = await tempStorage();
    await storage.save({ entries: range(1, 10) });
    await storage.save({ snapshot: snap(5, 1), hardState: { term: 1, vote: '', commit: 5 } });
    const l = await storage.load();
    expect(l.snapshot).toEqual(snap(5, 1));
    expect(ids(l.entries)).toEqual(ids(range(6, 10)));
    expect(await db.logEntry.count({ where: { index: { lte: 5 } } })).toBe(0);
    expect(await db.snapshot.count()).toBe(1);
  });

  it('installs a received snapshot that does not match the log: the whole log goes', async () => {
    const { storage } = await tempStorage();
    await storage.save({ entries: range(1, 10) });
    // the leader's entry 8 is from term 2: our 9 and 10 diverged
    await storage.save({ snapshot: snap(8, 2), entries: [entry(9, 2), entry(10, 2)] });
    const l = await storage.load();
    expect(l.snapshot?.meta.index).toBe(8);
    expect(ids(l.entries)).toEqual(['9/2', '10/2']);
    // a snapshot beyond the end of the log leaves nothing behind either
    await storage.save({ snapshot: snap(20, 3) });
    expect(await storage.load()).toMatchObject({ snapshot: snap(20, 3), entries: [] });
  });

  it('ignores a received snapshot older than the stored one, and entries it covers', async () => {
    const { storage } = await tempStorage();
    await storage.save({ entries: range(1, 10) });
    await storage.compact(snap(8, 1), 0);
    await storage.save({ snapshot: snap(4, 1), entries: [entry(7, 1), entry(8, 1)] });
    const l = await storage.load();
    expect(l.snapshot?.meta.index).toBe(8);
    expect(ids(l.entries)).toEqual(ids(range(9, 10)));
  });

  it('compacts: keeps keepEntries behind the snapshot and the snapshot itself', async () => {
    const { storage, db } = await tempStorage();
    await storage.save({ entries: range(1, 100) });
    await storage.compact(snap(80, 1), 10);
    const l = await storage.load();
    expect(l.snapshot).toEqual(snap(80, 1));
    expect(ids(l.entries)).toEqual(ids(range(81, 100)));
    const kept = await db.logEntry.findMany({ select: { index: true }, orderBy: { index: 'asc' } });
    expect(kept.map((r) => r.index)).toEqual(range(71, 100).map((e) => e.index));

    await storage.compact(snap(90, 1), 0);
    expect(await db.logEntry.count()).toBe(10);
    expect(await db.snapshot.count()).toBe(1);
    // a compaction behind the stored snapshot changes nothing
    await storage.compact(snap(50, 1), 0);
    expect((await storage.load()).snapshot?.meta.index).toBe(90);
  });

  it('group-commits: 100 concurrent saves share far fewer transactions', async () => {
    const { storage, commits } = await tempStorage();
    await storage.save({ entries: [entry(1)] }); // warm up the lazy snapshot read
    commits.length = 0;
    const saves = [];
    for (let i = 2; i <= 101; i++)
      saves.push(storage.save({ entries: [entry(i)], hardState: { term: 1, vote: '', commit: i } }));
    await Promise.all(saves);
    expect(storage.transactions).toBeLessThanOrEqual(3);
    expect(commits.reduce((n, c) => n + c.calls, 0)).toBe(100);
    expect(commits.length).toBeLessThanOrEqual(2);
    const l = await storage.load();
    expect(ids(l.entries)).toEqual(ids(range(1, 101)));
    expect(l.hardState.commit).toBe(101);
  });

  it('merges saves issued while a transaction is in flight into the next one, resolving each after its commit', async () => {
    const { storage, commits } = await tempStorage();
    const events: string[] = [];
    const track = (name: string, p: Promise<void>) =>
      p.then(() => events.push(`${name} resolved after ${commits.length}`));
    const first = track('a', storage.save({ entries: range(1, 5) }));
    await Promise.resolve(); // the first transaction is now under way
    await Promise.resolve();
    const later = [
      track('b', storage.save({ entries: range(6, 8), hardState: { term: 1, vote: 'x', commit: 3 } })),
      track('c', storage.save({ entries: [entry(7, 2)] })), // overwrites 7 and drops 8
      track('d', storage.save({ hardState: { term: 2, vote: 'y', commit: 6 } })),
    ];
    await Promise.all([first, ...later]);
    expect(commits.map((c) => c.calls)).toEqual([1, 3]);
    expect(events).toEqual(['a resolved after 1', 'b resolved after 2', 'c resolved after 2', 'd resolved after 2']);
    const l = await storage.load();
    expect(ids(l.entries)).toEqual([...ids(range(1, 6)), '7/2']);
    expect(l.hardState).toEqual({ term: 2, vote: 'y', commit: 6 });
  });

  it('rejects every caller of a failed transaction and keeps working', async () => {
    const { storage } = await tempStorage();
    await storage.save({ entries: range(1, 2) });
    const bad = storage.save({ entries: [{ ...entry(3), data: null as unknown as string }] });
    const sameGroup = storage.save({ hardState: { term: 9, vote: '', commit: 9 } });
    await expect(bad).rejects.toThrow();
    await expect(sameGroup).rejects.toThrow();
    await storage.save({ entries: [entry(3)] });
    const l = await storage.load();
    expect(ids(l.entries)).toEqual(ids(range(1, 3)));
    expect(l.hardState).toEqual({ term: 0, vote: '', commit: 0 }); // the failed group left nothing
  });

  it('matches sequential semantics for random bursts of appends, overwrites, snapshots and compactions', async () => {
    const { storage, commits } = await tempStorage();
    const model = new ModelStorage();
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return (seed >>> 16) % n; // the low bits of this LCG cycle quickly
    };
    let term = 1;
    for (let burst = 0; burst < 40; burst++) {
      const calls: Promise<void>[] = [];
      const size = 1 + rand(12);
      for (let k = 0; k < size; k++) {
        const last = model.lastIndex();
        const roll = rand(20);
        if (roll === 0 && last > model.snapIndex()) {
          const at = model.snapIndex() + 1 + rand(last - model.snapIndex());
          const s = snap(at, model.termAt(at) ?? term);
          const keep = rand(5);
          model.compact(s, keep);
          calls.push(storage.compact(s, keep));
          continue;
        }
        const update: { hardState?: HardState; entries?: Entry[]; snapshot?: Snapshot } = {};
        if (roll === 1) {
          term++;
          const at = model.snapIndex() + 1 + rand(last - model.snapIndex() + 5); // inside or past the log
          update.snapshot = snap(at, rand(2) === 0 ? term : (model.termAt(at) ?? term));
        }
        if (roll !== 2) {
          if (rand(4) === 0) term++;
          const base = model.snapIndex() + 1;
          const from = Math.max(base, last + 1 - rand(4));
          update.entries = Array.from({ length: 1 + rand(6) }, (_, i) => entry(from + i, term, `b${burst}k${k}`));
        }
        if (rand(2) === 0) update.hardState = { term, vote: `v${rand(3)}`, commit: rand(50) };
        model.save(update);
        calls.push(storage.save(update));
      }
      await Promise.all(calls);
      const l = await storage.load();
      expect(l, `burst ${burst}`).toEqual(model.load());
    }
    expect(commits.length).toBeLessThan(commits.reduce((n, c) => n + c.calls, 0));
  });

  it('commits off the event loop with a file given: a 16 MB save holds it far less than on this thread', async () => {
    // the longest gap between 1 ms timer ticks while `save` runs
    const longestGap = async (save: () => Promise<void>) => {
      let last = performance.now();
      let gap = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        gap = Math.max(gap, now - last);
        last = now;
      }, 1);
      await save();
      clearInterval(timer);
      return Math.max(gap, performance.now() - last);
    };
    const payload = 'x'.repeat(1024);
    const big = (from: number) => Array.from({ length: 16_000 }, (_, i) => entry(from + i, 1, payload));
    const { storage: threaded, db } = await tempStorage();
    const inline = new SqliteRaftStorage(db);
    await threaded.save({ entries: [entry(1)] }); // the writer thread is up
    await inline.save({ entries: [entry(1)] }); // (the lazy snapshot reads are done)
    const onThread = await longestGap(() => threaded.save({ entries: big(2) }));
    const inlineGap = await longestGap(() => inline.save({ entries: big(20_000) }));
    expect(onThread, `thread ${onThread.toFixed(0)} ms, inline ${inlineGap.toFixed(0)} ms`).toBeLessThan(inlineGap / 2);
    expect((await threaded.load()).entries.at(-1)?.index).toBe(35_999);
  });

  it('a compaction writes its snapshot, not the entries it drops over again (as zeros)', async () => {
    const { storage, file } = await tempStorage();
    const payload = 'x'.repeat(8 * 1024);
    await storage.save({ entries: Array.from({ length: 2000 }, (_, i) => entry(i + 1, 1, payload)) });
    // the WAL starts empty, so what it holds next is the compaction's writing alone
    expect(await storage.maintain('checkpoint')).toBe(false);
    expect(statSync(`${file}-wal`).size).toBe(0);
    await storage.compact(snap(1900, 1, 'image'), 100);
    expect((await storage.storedRecords('LogEntry', 0, 1))[0]?.index).toBe(1801);
    // 14 MB of entries went; zeroing them would have written as much again into the WAL
    expect(statSync(`${file}-wal`).size).toBeLessThan(1024 * 1024);
  });

  it('appends 1,000 entries of 1 KB in one save quickly', async () => {
    const { storage } = await tempStorage();
    await storage.load();
    const payload = 'x'.repeat(1024);
    const times: number[] = [];
    for (let round = 0; round < 3; round++) {
      const entries = Array.from({ length: 1000 }, (_, i) => entry(round * 1000 + i + 1, 1, payload));
      const t = performance.now();
      await storage.save({ entries, hardState: { term: 1, vote: 'a', commit: round * 1000 } });
      times.push(performance.now() - t);
    }
    expect((await storage.load()).entries).toHaveLength(3000);
    // generous against a loaded 2-core machine; typically ~20 ms here
    expect(Math.min(...times)).toBeLessThan(250);
  });
});

/** Sequential reference semantics of RaftStorage, in memory. */
class ModelStorage {
  private entries: Entry[] = [];
  private snapshot: Snapshot | undefined;
  private hardState: HardState = { term: 0, vote: '', commit: 0 };

  snapIndex(): number {
    return this.snapshot?.meta.index ?? 0;
  }
  lastIndex(): number {
    return this.entries.at(-1)?.index ?? this.snapIndex();
  }
  termAt(i: number): number | undefined {
    return this.entries.find((e) => e.index === i)?.term;
  }

  save(u: { hardState?: HardState; entries?: Entry[]; snapshot?: Snapshot }): void {
    if (u.snapshot && u.snapshot.meta.index > this.snapIndex()) {
      const s = u.snapshot;
      const matches = this.termAt(s.meta.index) === s.meta.term;
      this.entries = matches ? this.entries.filter((e) => e.index > s.meta.index) : [];
      this.snapshot = s;
    }
    const fresh = (u.entries ?? []).filter((e) => e.index > this.snapIndex());
    if (fresh.length) this.entries = this.entries.filter((e) => e.index < fresh[0]!.index).concat(fresh);
    if (u.hardState) this.hardState = u.hardState;
  }

  compact(s: Snapshot, keep: number): void {
    if (s.meta.index < this.snapIndex()) return;
    this.snapshot = s;
    this.entries = this.entries.filter((e) => e.index > s.meta.index - keep);
  }

  load() {
    return {
      hardState: this.hardState,
      snapshot: this.snapshot,
      entries: this.entries.filter((e) => e.index > this.snapIndex()),
    };
  }
}
