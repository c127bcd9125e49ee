import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Batch } from '../store/batch';
import { MemoryStore, type StoreImage } from '../store/memory-store';
import { makeService, makeServiceSpec } from '../store/test-support';
import { openDb, type Db } from '../storage/db';
import { LogStorage } from '../storage/log-storage';
import { SingleNodeLog } from './single-node-log';

/** Real SQLite storage whose snapshots fail while `failSnapshots` is set. */
class FlakySnapshotStorage extends LogStorage {
  failSnapshots = true;
  snapshotCalls = 0;
  override async saveSnapshot(image: StoreImage, keepEntries: number): Promise<void> {
    this.snapshotCalls++;
    await new Promise((r) => setTimeout(r, 20)); // proposals arrive while the snapshot is in flight
    if (this.failSnapshots) throw new Error('SQLITE_FULL: database or disk is full');
    return super.saveSnapshot(image, keepEntries);
  }
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function tempDb(): Promise<Db> {
  const dir = mkdtempSync(join(tmpdir(), 'swarmdeck-log-'));
  const db = await openDb(join(dir, 'swarmdeck.db'));
  cleanup.push(async () => {
    await db.$disconnect();
    rmSync(dir, { recursive: true, force: true });
  });
  return db;
}

let n = 0;
const createService = (): Batch => ({
  ops: [{ op: 'create', kind: 'service', object: makeService({ Spec: makeServiceSpec({ Name: `web${++n}` }) }) }],
});

/** Settles within `ms` or reports that it hung. */
function within<T>(p: Promise<T>, ms = 2_000): Promise<T | 'hung'> {
  return Promise.race([p, new Promise<'hung'>((r) => setTimeout(() => r('hung'), ms))]);
}

describe('SingleNodeLog', () => {
  it('keeps accepting proposals when a snapshot fails, and loses no entry', async () => {
    const db = await tempDb();
    const storage = new FlakySnapshotStorage(db);
    const view = new MemoryStore();
    const log = new SingleNodeLog(view, storage, { snapshotInterval: 1, keepEntries: 0 });
    const first = log.propose(createService());
    // queued behind the first entry's (failing) snapshot
    await new Promise((r) => setTimeout(r, 5));
    const second = log.propose(createService());
    expect(await within(first)).toEqual({ index: 1, error: undefined });
    expect(await within(second)).toEqual({ index: 2, error: undefined });
    expect(storage.snapshotCalls).toBeGreaterThan(0);
    // once the disk recovers, snapshots resume and compaction keeps the state
    storage.failSnapshots = false;
    expect(await within(log.propose(createService()))).toMatchObject({ index: 3 });
    await log.close();
    const replayed = new MemoryStore();
    await SingleNodeLog.open(replayed, new LogStorage(db), { snapshotInterval: 1, keepEntries: 0 });
    expect(replayed.index).toBe(3);
    expect(replayed.count('service')).toBe(3);
  });

  it('applies every entry of a group even when a watcher throws', async () => {
    const db = await tempDb();
    const view = new MemoryStore();
    const log = new SingleNodeLog(view, new LogStorage(db), { snapshotInterval: 1_000, keepEntries: 0 });
    view.watch((e) => {
      if (e.index === 1) throw new Error('watcher bug');
    });
    // proposed together: group-committed in one append
    const results = await Promise.all([1, 2, 3].map(() => within(log.propose(createService()))));
    expect(results.map((r) => (r === 'hung' ? r : { index: r.index, error: r.error }))).toEqual(
      [1, 2, 3].map((index) => ({ index, error: undefined })),
    );
    expect(view.count('service')).toBe(3);
    await log.close();
  });
});
