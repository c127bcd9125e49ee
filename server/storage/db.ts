import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../generated/prisma/client';
import { migrate } from './migrate';

export type Db = PrismaClient;

/**
 * Open (creating if needed) the manager's SQLite database. WAL with
 * synchronous=FULL: a commit is on disk before the proposal is acknowledged.
 */
export async function openDb(file: string): Promise<Db> {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true });
  const db = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${path}` }) });
  await db.$queryRawUnsafe('PRAGMA journal_mode=WAL');
  await db.$executeRawUnsafe('PRAGMA synchronous=FULL');
  await migrate(db);
  return db;
}
