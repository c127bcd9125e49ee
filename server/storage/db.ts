import { dirname, resolve } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../generated/prisma/client';
import { ensurePrivateDir, ensurePrivateFile, makePrivate } from '../util/private-files';
import { migrate } from './migrate';

export type Db = PrismaClient;

/** Files SQLite keeps beside a database (WAL mode uses -wal and -shm; -journal is the rollback journal). */
export const SQLITE_SIDE_FILES = ['-wal', '-shm', '-journal'];

/**
 * Open (creating if needed) the manager's SQLite database. WAL with
 * synchronous=FULL: a commit is on disk before the proposal is acknowledged.
 */
export async function openDb(file: string): Promise<Db> {
  const path = resolve(file);
  ensurePrivateDir(dirname(path));
  // SQLite creates -wal, -shm and -journal with the database file's own mode (its unix VFS copies it,
  // whatever the umask): a 0600 database keeps them 0600 too. Side files an older version left are repaired.
  ensurePrivateFile(path);
  for (const suffix of SQLITE_SIDE_FILES) makePrivate(path + suffix);
  const db = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${path}` }) });
  await db.$queryRawUnsafe('PRAGMA journal_mode=WAL');
  await db.$executeRawUnsafe('PRAGMA synchronous=FULL');
  // encryption at rest: deleted rows are overwritten with zeros, so no old plaintext stays in free pages
  await db.$queryRawUnsafe('PRAGMA secure_delete=ON');
  await migrate(db);
  return db;
}
