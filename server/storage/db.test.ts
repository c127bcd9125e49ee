import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb } from './db';

const modeOf = (p: string) => statSync(p).mode & 0o777;

let root: string;
let umask: number;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'swarmdeck-db-'));
  // the usual umask: SQLite alone would create world-readable files under it
  umask = process.umask(0o022);
});
afterEach(() => {
  process.umask(umask);
  rmSync(root, { recursive: true, force: true });
});

describe('openDb', () => {
  it('keeps the database, its WAL and its shared memory 0600 in a 0700 directory', async () => {
    const dir = join(root, 'data');
    const file = join(dir, 'swarmdeck.db');
    const db = await openDb(file);
    try {
      await db.$executeRawUnsafe('CREATE TABLE t (x TEXT)');
      await db.$executeRawUnsafe("INSERT INTO t VALUES ('secret')");
      expect(modeOf(dir)).toBe(0o700);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(f), f).toBe(0o600);
    } finally {
      await db.$disconnect();
    }
  });

  it('repairs the files an older version left world-readable, a WAL not yet checkpointed included', async () => {
    const first = await openDb(join(root, 'live', 'swarmdeck.db'));
    await first.$executeRawUnsafe('CREATE TABLE t (x TEXT)');
    await first.$executeRawUnsafe("INSERT INTO t VALUES ('secret')");
    // the data dir as an older version left it after a crash: 0755, and 0644 files with a WAL not checkpointed
    const dir = join(root, 'old');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    const file = join(dir, 'swarmdeck.db');
    for (const suffix of ['', '-wal', '-shm']) {
      copyFileSync(join(root, 'live', `swarmdeck.db${suffix}`), file + suffix);
      chmodSync(file + suffix, 0o644);
    }
    await first.$disconnect();
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
    const db = await openDb(file);
    try {
      expect(modeOf(dir)).toBe(0o700);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(f), f).toBe(0o600);
      expect(await db.$queryRawUnsafe('SELECT x FROM t')).toEqual([{ x: 'secret' }]);
    } finally {
      await db.$disconnect();
    }
  });
});
