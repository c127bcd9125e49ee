// The background re-encryption over a real SQLite file and its writer thread:
// a plaintext data dir is upgraded and leaves no plaintext byte on disk, and a
// DEK rotation completes while writes keep landing.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../storage/db';
import { openRaftKeys, type RaftKeyRing } from '../../storage/encryption/raft-key-ring';
import type { Entry } from '../types';
import { RecordReencryption } from './reencrypt';
import { SqliteRaftStorage } from './sqlite-storage';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const SECRET = 'plaintext-secret-7f3a9c';
const entry = (index: number, data: string): Entry => ({ index, term: 1, type: 'normal', data });

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'swarmdeck-reencrypt-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Every file under `dir`, recursively, as raw bytes. */
function rawFiles(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) for (const [k, v] of rawFiles(p)) out.set(k, v);
    else out.set(p, readFileSync(p));
  }
  return out;
}

function holding(dir: string, needle: string): string[] {
  return [...rawFiles(dir)].filter(([, bytes]) => bytes.includes(needle)).map(([p]) => p);
}

async function openStorage(dir: string, ring?: RaftKeyRing): Promise<SqliteRaftStorage> {
  const file = join(dir, 'swarmdeck.db');
  const db = await openDb(file);
  const storage = new SqliteRaftStorage(db, { file, ...(ring ? { codec: ring.codec } : {}) });
  cleanup.push(async () => {
    await storage.close();
    await db.$disconnect();
  });
  return storage;
}

describe('background re-encryption', () => {
  it('upgrades a plaintext data dir: every row rewritten, no plaintext left in the DB, WAL or free pages', async () => {
    const dir = tempDir();
    const plain = await openStorage(dir);
    const many = Array.from({ length: 120 }, (_, i) => entry(i + 1, `{"env":["PASSWORD=${SECRET}"],"i":${i}}`));
    await plain.save({ entries: many, hardState: { term: 1, vote: '', commit: 120 } });
    // compacted rows went to free pages while secure_delete was not on yet (an older version)
    await plain.compact({ meta: { index: 60, term: 1, conf: { voters: ['a'], learners: [] } }, data: SECRET }, 10);
    await plain.close();
    expect(holding(dir, SECRET).length).toBeGreaterThan(0);

    const opened = openRaftKeys(dir, { hasRaftLog: true });
    if (opened.state !== 'open') throw new Error('keys did not open');
    expect(opened.upgraded).toBe(true);
    const storage = await openStorage(dir, opened.ring);
    const pass = new RecordReencryption(storage, opened.ring, { batch: 7, log: () => undefined });
    cleanup.push(() => pass.stop());
    pass.kick();
    // the manager keeps writing while the pass runs
    for (let i = 121; i <= 140; i++) await storage.save({ entries: [entry(i, `{"late":"${SECRET}"}`)] });
    await pass.idle();

    expect(pass.rotations).toBe(1);
    expect(opened.ring.rotationWanted()).toBe(false);
    const loaded = await storage.load();
    expect(loaded.snapshot?.data).toBe(SECRET);
    expect(loaded.entries.map((e) => e.index)).toEqual(Array.from({ length: 80 }, (_, i) => i + 61));
    expect(loaded.entries.at(-1)!.data).toBe(`{"late":"${SECRET}"}`);
    expect(await pass.pass()).toEqual({ rewritten: 0, plaintext: 0 });
    // the DB, its WAL (checkpointed and truncated) and the key file
    expect(holding(dir, SECRET)).toEqual([]);
  });

  it('a DEK rotation retires the old key while entries are appended and truncated', async () => {
    const dir = tempDir();
    const opened = openRaftKeys(dir, { hasRaftLog: false });
    if (opened.state !== 'open') throw new Error('keys did not open');
    const ring = opened.ring;
    expect(ring.rotationWanted()).toBe(false);
    const storage = await openStorage(dir, ring);
    await storage.save({ entries: Array.from({ length: 50 }, (_, i) => entry(i + 1, `v${i + 1}`)) });
    const before = (await storage.storedRecords('LogEntry', 0, 1))[0]!.data;

    const pass = new RecordReencryption(storage, ring, { batch: 5, log: () => undefined });
    cleanup.push(() => pass.stop());
    ring.requestRotation(); // kicks the pass
    // a leader change rewrites the tail (truncate and append) mid-pass
    await storage.save({ entries: [entry(45, 'replaced45'), entry(46, 'replaced46')] });
    await pass.idle();

    expect(pass.rotations).toBe(1);
    expect(ring.pendingKey()).toBeUndefined();
    const loaded = await storage.load();
    expect(loaded.entries.map((e) => e.data)).toEqual([
      ...Array.from({ length: 44 }, (_, i) => `v${i + 1}`),
      'replaced45',
      'replaced46',
    ]);
    expect((await storage.storedRecords('LogEntry', 0, 1))[0]!.data).not.toBe(before);

    // the key file alone opens the log after a restart
    const again = openRaftKeys(dir, { hasRaftLog: true });
    if (again.state !== 'open') throw new Error('keys did not open');
    expect(again.upgraded).toBe(false);
    const reread = new SqliteRaftStorage(await openDb(join(dir, 'swarmdeck.db')), { codec: again.ring.codec });
    expect((await reread.load()).entries).toHaveLength(46);
  });
});
