// npm run cluster: a 3-manager swarm on loopback, each manager its own process
// with its own ports and data dir (./data/cluster/m1..m3). m1 founds the swarm
// (with 3 simulated workers and the demo services); m2 and m3 join it with the
// manager token read from m1's Engine API. Ctrl-C stops all three.
//
//   npm run cluster              start (or restart from ./data/cluster)
//   npm run cluster -- --fresh   delete ./data/cluster first
//   npm run cluster -- --no-console   Engine APIs only (no console build)
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MANAGERS = [1, 2, 3].map((i) => ({
  name: `m${i}`,
  console: 3000 + (i - 1),
  engine: 2375 + 10 * (i - 1),
  cluster: 2377 + 10 * (i - 1),
  dataDir: `data/cluster/m${i}`,
}));
const READY_MS = 180_000;

if (process.argv.includes('--fresh')) rmSync(`${ROOT}/data/cluster`, { recursive: true, force: true });

const headless = process.argv.includes('--no-console');
if (!headless) {
  const built = spawnSync(process.execPath, ['scripts/ensure-build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const children = [];
let stopping = false;

function start(m, extra, env = {}) {
  const args = ['--import', 'tsx', 'server/main.ts', '--console-port', String(m.console)];
  if (headless) args.push('--no-console');
  args.push('--engine-port', String(m.engine), '--cluster-port', String(m.cluster), '--data-dir', m.dataDir, ...extra);
  // its own process group, so Ctrl-C here stops it (and anything it spawned) cleanly
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
  });
  children.push(child);
  let out = '';
  const relay = (stream) => (chunk) => {
    const text = chunk.toString();
    out += text;
    for (const line of text.split('\n')) if (line) stream.write(`[${m.name}] ${line}\n`);
  };
  child.stdout.on('data', relay(process.stdout));
  child.stderr.on('data', relay(process.stderr));
  child.once('exit', (code, signal) => {
    if (!stopping) console.error(`[${m.name}] exited (${code ?? signal})`);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${m.name} not ready within ${READY_MS / 1000} s`)), READY_MS);
    const check = () => {
      if (!out.includes('swarmdeck ready')) return;
      clearTimeout(timer);
      child.stdout.off('data', check);
      resolve();
    };
    child.stdout.on('data', check);
    child.once('exit', () => reject(new Error(`${m.name} exited before it was ready`)));
  });
}

async function managerToken(m) {
  const res = await globalThis.fetch(`http://127.0.0.1:${m.engine}/swarm`);
  if (!res.ok) throw new Error(`GET /swarm on ${m.name}: ${res.status}`);
  return (await res.json()).JoinTokens.Manager;
}

function stopAll(signal = 'SIGTERM') {
  stopping = true;
  for (const c of children) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    try {
      process.kill(-c.pid, signal);
    } catch {
      // already gone
    }
  }
}

process.on('SIGINT', () => {
  console.log('\nstopping the cluster…');
  stopAll();
  const force = setTimeout(() => stopAll('SIGKILL'), 15_000);
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r))))).then(() => {
    clearTimeout(force);
    process.exit(0);
  });
});
process.on('SIGTERM', () => process.emit('SIGINT'));

try {
  const [m1, ...others] = MANAGERS;
  await start(m1, ['--sim-workers', '3', '--demo']);
  const token = await managerToken(m1);
  // one at a time: the leader admits one membership change at once (a restart ignores --join)
  // the token goes in the environment, where `ps` does not show it
  for (const m of others) await start(m, ['--join', `127.0.0.1:${m1.cluster}`], { SWARMDECK_TOKEN: token });
  console.log('\nswarmdeck cluster: 3 managers on loopback (Ctrl-C stops all)');
  for (const m of MANAGERS) {
    const web = headless ? '' : `console http://127.0.0.1:${m.console}   `;
    console.log(
      `  ${m.name}  ${web}DOCKER_HOST=tcp://127.0.0.1:${m.engine}   cluster 127.0.0.1:${m.cluster}   data ${m.dataDir}`,
    );
  }
  console.log('  try: DOCKER_HOST=tcp://127.0.0.1:2385 docker node ls\n');
} catch (err) {
  console.error(`swarmdeck cluster: ${err.message}`);
  stopAll('SIGKILL');
  process.exit(1);
}
