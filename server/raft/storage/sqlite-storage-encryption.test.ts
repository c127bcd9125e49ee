// The raft storage with encryption at rest: what lands in the SQLite file is
// never the plaintext, and it reads back only under the node's keys.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../storage/db';
import { CannotDecryptError } from '../../storage/encryption/errors';
import {
  beginRotation,
  finishRotation,
  initialDeks,
  requestRotation,
  type RaftDeks,
} from '../../storage/encryption/raft-deks';
import { recordCodec } from '../../storage/encryption/record-codec';
import type { Entry, Snapshot } from '../types';
import { SqliteRaftStorage } from './sqlite-storage';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'swarmdeck-raft-enc-'));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function open(file: string): Promise<Db> {
  const db = await openDb(file);
  cleanup.push(() => db.$disconnect());
  return db;
}

const SECRET = 'hunter2-the-secret-value';
const entry = (index: number, data: string): Entry => ({ index, term: 1, type: 'normal', data });
const snapshot = (index: number): Snapshot => ({
  meta: { index, term: 1, conf: { voters: ['a'], learners: [] } },
  data: JSON.stringify({ secrets: [{ Spec: { Data: SECRET } }] }),
});

/** Every file under `dir` (the db, its WAL and shm), raw bytes. */
function rawBytes(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f))));
}

describe('SqliteRaftStorage with a record codec', () => {
  it('stores no plaintext, and reads back under the same keys across a reopen', async () => {
    const dir = tempDir();
    const file = join(dir, 'raft.db');
    const deks = initialDeks();
    const codec = recordCodec(() => deks);
    const db = await open(file);
    const storage = new SqliteRaftStorage(db, { file, codec });
    const entries = [entry(1, ''), entry(2, `{"env":["PASSWORD=${SECRET}"]}`), entry(3, '{}')];
    await storage.save({ entries, hardState: { term: 1, vote: 'a', commit: 3 } });
    await storage.compact(snapshot(1), 0); // the snapshot holds the secret too
    await storage.close();

    const rows = await db.logEntry.findMany();
    expect(rows.map((r) => r.data.startsWith('swarmdeck-enc:1:'))).toEqual([true, true]);
    expect((await db.snapshot.findFirst())!.data.startsWith('swarmdeck-enc:1:')).toBe(true);
    expect(rawBytes(dir).includes(SECRET)).toBe(false);

    await db.$disconnect();
    const reopened = new SqliteRaftStorage(await open(file), { codec });
    const loaded = await reopened.load();
    expect(loaded.entries).toEqual(entries.slice(1));
    expect(loaded.snapshot).toEqual(snapshot(1));

    const stranger = new SqliteRaftStorage(await open(file), { codec: recordCodec(() => initialDeks()) });
    await expect(stranger.load()).rejects.toThrow(CannotDecryptError);
  });

  it('seals on this thread too when no writer thread is given (Prisma)', async () => {
    const dir = tempDir();
    const deks = initialDeks();
    const storage = new SqliteRaftStorage(await open(join(dir, 'raft.db')), { codec: recordCodec(() => deks) });
    await storage.save({ entries: [entry(1, SECRET), entry(2, SECRET)] });
    await storage.compact(snapshot(1), 1);
    expect((await storage.storedRecords('LogEntry', 0, 10))[0]!.data.startsWith('swarmdeck-enc:1:')).toBe(true);
    expect((await storage.storedRecords('Snapshot', 0, 10))[0]!.data).not.toContain(SECRET);
    const loaded = await storage.load();
    expect([loaded.entries.map((e) => e.data), loaded.snapshot]).toEqual([[SECRET], snapshot(1)]);
  });

  it('reads a plaintext log from an older data dir, and mixes old and new rows', async () => {
    const dir = tempDir();
    const file = join(dir, 'raft.db');
    const plain = new SqliteRaftStorage(await open(file), { file });
    await plain.save({ entries: [entry(1, '{"old":1}')] });
    await plain.close();

    const deks = initialDeks();
    const storage = new SqliteRaftStorage(await open(file), { file, codec: recordCodec(() => deks) });
    await storage.save({ entries: [entry(2, '{"new":2}')] });
    expect((await storage.load()).entries.map((e) => e.data)).toEqual(['{"old":1}', '{"new":2}']);
    await storage.close();
  });

  it('reads rows under the current and the pending DEK during a rotation', async () => {
    const dir = tempDir();
    const file = join(dir, 'raft.db');
    let deks: RaftDeks = initialDeks();
    const storage = new SqliteRaftStorage(await open(file), { file, codec: recordCodec(() => deks) });
    await storage.save({ entries: [entry(1, 'before')] });
    deks = beginRotation(requestRotation(deks));
    await storage.save({ entries: [entry(2, 'during')] });
    expect((await storage.load()).entries.map((e) => e.data)).toEqual(['before', 'during']);
    // finishing without rewriting row 1 strands it: the load says so instead of returning garbage
    deks = finishRotation(deks, deks.pending!);
    await expect(storage.load()).rejects.toThrow(CannotDecryptError);
    await storage.close();
  });
});
