import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PrismaClient } from '../generated/prisma/client';

export const MIGRATIONS_DIR = join(fileURLToPath(new URL('.', import.meta.url)), '../../prisma/migrations');

/**
 * Apply prisma/migrations/<name>/migration.sql in order, each in a
 * transaction with its ledger row. Prisma's own migrate needs a schema-engine
 * binary that cannot be installed offline.
 */
export async function migrate(db: PrismaClient): Promise<string[]> {
  await db.$executeRawUnsafe(
    'CREATE TABLE IF NOT EXISTS "SchemaMigration" ("name" TEXT NOT NULL PRIMARY KEY, "appliedAt" TEXT NOT NULL)',
  );
  const done = new Set((await db.schemaMigration.findMany()).map((m) => m.name));
  const applied: string[] = [];
  for (const name of readdirSync(MIGRATIONS_DIR).sort()) {
    if (done.has(name)) continue;
    const sql = readFileSync(join(MIGRATIONS_DIR, name, 'migration.sql'), 'utf8');
    const statements = sql
      .split(/;\s*$/m)
      .map((s) => s.trim())
      .filter(Boolean);
    await db.$transaction([
      ...statements.map((s) => db.$executeRawUnsafe(s)),
      db.schemaMigration.create({ data: { name, appliedAt: new Date().toISOString() } }),
    ]);
    applied.push(name);
  }
  return applied;
}
