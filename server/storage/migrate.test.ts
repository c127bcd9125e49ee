import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from './db';
import { migrate } from './migrate';

const SCHEMA = fileURLToPath(new URL('../../prisma/schema.prisma', import.meta.url));

/** Models and their scalar fields as written in schema.prisma. */
function schemaModels(): Map<string, { name: string; type: string; optional: boolean; id: boolean }[]> {
  const text = readFileSync(SCHEMA, 'utf8');
  const models = new Map<string, { name: string; type: string; optional: boolean; id: boolean }[]>();
  // a model ends at a line that is just '}' (defaults may hold JSON braces)
  for (const m of text.matchAll(/model\s+(\w+)\s*\{([\s\S]*?)\n\}/g)) {
    const fields = m[2]!
      .split('\n')
      .map((l) => l.replace(/\/\/.*$/, '').trim())
      .filter((l) => l && !l.startsWith('@@'))
      .map((l) => {
        const [name, type, ...attrs] = l.split(/\s+/);
        return { name: name!, type: type!.replace('?', ''), optional: type!.endsWith('?'), id: attrs.includes('@id') };
      });
    models.set(m[1]!, fields);
  }
  return models;
}

const SQLITE_TYPE: Record<string, string> = {
  Int: 'INTEGER',
  String: 'TEXT',
  DateTime: 'DATETIME',
  Boolean: 'BOOLEAN',
};

describe('migrations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'swarmdeck-migrate-'));
  let db: Db;
  afterAll(async () => {
    await db?.$disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('produce exactly the tables and columns schema.prisma declares', async () => {
    db = await openDb(join(dir, 'm.db'));
    const tables = (
      await db.$queryRawUnsafe<{ name: string }[]>(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
    ).map((t) => t.name);
    const models = schemaModels();
    expect(tables).toEqual([...models.keys()].sort());
    for (const [model, fields] of models) {
      const cols = await db.$queryRawUnsafe<
        { name: string; type: string; notnull: number | bigint; pk: number | bigint }[]
      >(`PRAGMA table_info("${model}")`);
      expect(cols.map((c) => c.name).sort(), model).toEqual(fields.map((f) => f.name).sort());
      for (const f of fields) {
        const c = cols.find((x) => x.name === f.name)!;
        expect(c.type, `${model}.${f.name}`).toBe(SQLITE_TYPE[f.type]);
        expect(Number(c.notnull) === 1 || Number(c.pk) === 1, `${model}.${f.name} NOT NULL`).toBe(!f.optional);
        expect(Number(c.pk) === 1, `${model}.${f.name} primary key`).toBe(f.id);
      }
    }
  });

  it('is idempotent: a second run applies nothing', async () => {
    expect(await migrate(db)).toEqual([]);
  });
});
