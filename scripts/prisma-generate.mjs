// Runs `prisma generate` offline. The Prisma 7 CLI insists that a schema-engine
// binary exists, though generate never runs it, and no npm package ships one;
// point it at a stub so nothing is downloaded.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = join(tmpdir(), 'swarmdeck-prisma-stub');
mkdirSync(dir, { recursive: true });
const stub = join(dir, 'schema-engine');
writeFileSync(stub, '#!/bin/sh\necho "schema-engine is not available offline" >&2\nexit 1\n');
chmodSync(stub, 0o755);

const r = spawnSync('npx', ['--no-install', 'prisma', 'generate'], {
  stdio: 'inherit',
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: stub, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
});
process.exit(r.status ?? 1);
