// Build the console once, and again whenever UI sources are newer than the build.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const stamp = '.next/BUILD_ID';
function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const sources = Math.max(newest('app'), newest('components'), newest('server/api'), statSync('package.json').mtimeMs);
if (!existsSync(stamp) || statSync(stamp).mtimeMs < sources) {
  console.log('swarmdeck: building the console (next build)…');
  const r = spawnSync('npx', ['--no-install', 'next', 'build'], {
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
