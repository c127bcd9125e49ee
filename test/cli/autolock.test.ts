// Encryption at rest and autolock with the real docker CLI against one
// swarmdeck manager, restarted on its data dir: `swarm init --autolock`,
// `swarm unlock-key [-q] [--rotate]`, a locked restart answering swarm's text
// until `docker swarm unlock` (wrong and malformed keys refused), state intact
// after unlocking, a rotated key leaving the old one useless, `swarm update
// --autolock=false|true`; and no secret value, join token, env value or unlock
// key in the raw bytes of any file under the data dir, with autolock on and off.

import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dockerBinary,
  dockerCli,
  freePorts,
  startServer,
  tempDir,
  type DockerResult,
  type RunningServer,
  type ServerPorts,
} from '../integration/harness';

const bin = dockerBinary();
if (!bin) throw new Error('the docker CLI is required for the CLI conformance tests (.ci/run installs it)');

const LOCKED =
  'Error response from daemon: Swarm is encrypted and needs to be unlocked before it can be used. Please use "docker swarm unlock" to unlock it.\n';
const SECRET_VALUE = 'atrest-secret-value-5d1e8b';
const ENV_VALUE = 'atrest-env-value-93c0f2';
const KEY = /SWMKEY-1-[A-Za-z0-9+/]{43}/;

const data = tempDir('swarmdeck-autolock-data-');
const config = tempDir('swarmdeck-autolock-config-');
let ports: ServerPorts;
let server: RunningServer | undefined;
let docker: (args: string[], timeoutMs?: number, input?: string) => Promise<DockerResult>;

async function start(ready: string): Promise<void> {
  server = await startServer({ dataDir: data.path, ports, simWorkers: 1, extraArgs: ['--no-init'], ready });
}

async function restart(ready: 'swarmdeck ready' | 'swarmdeck locked'): Promise<void> {
  await server?.stop();
  await start(ready);
}

async function ok(args: string[], input?: string): Promise<string> {
  const r = await docker(args, 30_000, input);
  if (r.code !== 0)
    throw new Error(
      `docker ${args.join(' ')} → exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nserver:\n${server?.output().slice(-3000)}`,
    );
  return r.stdout;
}

async function fails(args: string[], stderr: string, input?: string): Promise<void> {
  const r = await docker(args, 30_000, input);
  expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 1, stderr });
}

/** What `swarm init --autolock`, `swarm update --autolock=true` and `unlock-key` print around the key. */
const unlockText = (key: string) =>
  'To unlock a swarm manager after it restarts, run the `docker swarm unlock`\n' +
  'command and provide the following key:\n\n' +
  `    ${key}\n\n` +
  'Remember to store this key in a password manager, since without it you\n' +
  'will not be able to restart the manager.\n';

/** Every regular file under `dir`, recursively (the admin socket is no file and holds nothing). */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) return files(p);
    return st.isFile() ? [p] : [];
  });
}

/** The needles found in the raw bytes of every file under the data dir: file → needles. */
function plaintextOnDisk(needles: string[]): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const f of files(data.path)) {
    const bytes = readFileSync(f);
    const hits = needles.filter((n) => bytes.includes(n));
    if (hits.length > 0) found[f.slice(data.path.length)] = hits;
  }
  return found;
}

let unlockKey = '';
let needles: string[] = [];

beforeAll(async () => {
  ports = await freePorts();
  docker = dockerCli(ports.engine, config.path, bin);
  await start('swarmdeck waiting');
}, 90_000);

afterAll(async () => {
  await server?.stop();
  data.remove();
  config.remove();
});

describe('autolock with the docker CLI', () => {
  it('swarm init --autolock shows the key once; unlock-key and unlock-key -q read it again', async () => {
    const out = await ok(['swarm', 'init', '--autolock']);
    unlockKey = KEY.exec(out)?.[0] ?? '';
    expect(unlockKey).not.toBe('');
    expect(out.endsWith(unlockText(unlockKey))).toBe(true);
    expect(await ok(['swarm', 'unlock-key', '-q'])).toBe(`${unlockKey}\n`);
    expect(await ok(['swarm', 'unlock-key'])).toBe(unlockText(unlockKey));
    expect(await ok(['info', '--format', '{{.Swarm.Cluster.Spec.EncryptionConfig.AutoLockManagers}}'])).toBe('true\n');
    // the key stays out of what the swarm shows otherwise
    expect(await ok(['swarm', 'ca'])).not.toMatch(KEY);
    expect(await ok(['info', '--format', '{{json .Swarm}}'])).not.toMatch(KEY);
  }, 60_000);

  it('no secret, token, env value or unlock key in any file under the data dir (autolock on)', async () => {
    await ok(['secret', 'create', 'db_pass', '-'], SECRET_VALUE);
    await ok([
      'service',
      'create',
      '-d',
      '--name',
      'app',
      '--secret',
      'db_pass',
      '--env',
      `PASS=${ENV_VALUE}`,
      'busybox',
    ]);
    const worker = (await ok(['swarm', 'join-token', '-q', 'worker'])).trim();
    const manager = (await ok(['swarm', 'join-token', '-q', 'manager'])).trim();
    expect(worker).toMatch(/^SWMTKN-1-/);
    // the secret travels base64-encoded in the spec: both forms are looked for
    needles = [SECRET_VALUE, Buffer.from(SECRET_VALUE).toString('base64'), ENV_VALUE, worker, manager, unlockKey];
    needles.push(unlockKey.slice('SWMKEY-1-'.length));
    // the needles are really there to find: the running manager serves them
    expect(
      await ok(['service', 'inspect', 'app', '--format', '{{json .Spec.TaskTemplate.ContainerSpec.Env}}']),
    ).toContain(ENV_VALUE);
    expect(files(data.path).some((f) => f.endsWith('swarmdeck.db-wal'))).toBe(true);
    expect(plaintextOnDisk(needles)).toEqual({});
  }, 60_000);

  it('a restarted manager is locked: info says so, every swarm command gets swarm text', async () => {
    await restart('swarmdeck locked');
    expect(await ok(['info', '--format', '{{.Swarm.LocalNodeState}}'])).toBe('locked\n');
    await fails(['service', 'ls'], LOCKED);
    await fails(['node', 'ls'], LOCKED);
    await fails(['secret', 'ls'], LOCKED);
    await fails(['swarm', 'unlock-key'], `could not fetch unlock key: ${LOCKED}`);
    const res = await fetch(`http://127.0.0.1:${ports.engine}/v1.50/swarm`);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ message: LOCKED.slice('Error response from daemon: '.length, -1) });
    await fails(
      ['swarm', 'leave'],
      'Error response from daemon: Swarm is encrypted and locked. Please unlock it first or use `--force` to ignore this message.\n',
    );
    // the data at rest is the same ciphertext it was
    expect(plaintextOnDisk(needles)).toEqual({});
  }, 90_000);

  it('a wrong key and a malformed one are refused; the right one unlocks with the state intact', async () => {
    const wrong = `SWMKEY-1-${Buffer.alloc(32, 7).toString('base64').replace(/=+$/, '')}`;
    await fails(
      ['swarm', 'unlock'],
      'Error response from daemon: swarm could not be unlocked: invalid key provided\n',
      `${wrong}\n`,
    );
    await fails(['swarm', 'unlock'], 'Error response from daemon: invalid key string\n', 'not-a-key\n');
    expect(await ok(['info', '--format', '{{.Swarm.LocalNodeState}}'])).toBe('locked\n');

    expect(await ok(['swarm', 'unlock'], `${unlockKey}\n`)).toBe('');
    expect(await ok(['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}'])).toBe(
      'active true\n',
    );
    expect(await ok(['service', 'ls', '--format', '{{.Name}}'])).toBe('app\n');
    expect(await ok(['secret', 'ls', '--format', '{{.Name}}'])).toBe('db_pass\n');
    expect(await ok(['service', 'inspect', 'app', '--format', '{{json .Spec.TaskTemplate.ContainerSpec.Env}}'])).toBe(
      `["PASS=${ENV_VALUE}"]\n`,
    );
    await fails(['swarm', 'unlock'], 'Error: swarm is not locked\n', `${unlockKey}\n`);
    // the endpoint itself, as dockerd answers an unlocked manager
    const res = await fetch(`http://127.0.0.1:${ports.engine}/v1.50/swarm/unlock`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ UnlockKey: unlockKey }),
    });
    expect([res.status, await res.json()]).toEqual([409, { message: 'swarm is not locked' }]);
  }, 90_000);

  it('unlock-key --rotate: the old key is useless after a restart, the new one works', async () => {
    const rotationsBefore = logCount('data key rotated');
    const out = await ok(['swarm', 'unlock-key', '--rotate']);
    const rotated = KEY.exec(out)?.[0] ?? '';
    expect(rotated).not.toBe('');
    expect(rotated).not.toBe(unlockKey);
    expect(out).toBe(`Successfully rotated manager unlock key.\n${unlockText(rotated)}`);
    expect(await ok(['swarm', 'unlock-key', '-q'])).toBe(`${rotated}\n`);
    // the manager re-wraps its keys and retires the data key in the background, while it keeps serving writes
    await ok(['service', 'scale', '-d', 'app=2']);
    await waitForLog('data key rotated', rotationsBefore + 1);

    await restart('swarmdeck locked');
    await fails(
      ['swarm', 'unlock'],
      'Error response from daemon: swarm could not be unlocked: invalid key provided\n',
      `${unlockKey}\n`,
    );
    expect(await ok(['swarm', 'unlock'], `${rotated}\n`)).toBe('');
    expect(await ok(['service', 'ls', '--format', '{{.Name}} {{.Replicas}}'])).toMatch(/^app \d\/2\n$/);
    unlockKey = rotated;
    needles.push(rotated, rotated.slice('SWMKEY-1-'.length));
  }, 120_000);

  it('update --autolock=false: a restart needs no key; no plaintext on disk (autolock off); --autolock=true locks again', async () => {
    expect(await ok(['swarm', 'update', '--autolock=false'])).toBe('Swarm updated.\n');
    await fails(['swarm', 'unlock-key'], 'no unlock key is set\n');
    await fails(['swarm', 'unlock-key', '--rotate'], 'cannot rotate because autolock is not turned on\n');
    await restart('swarmdeck ready');
    expect(await ok(['service', 'ls', '--format', '{{.Name}}'])).toBe('app\n');
    // the KEK sits in the key file now, as swarm's does beside the node key: the data is still encrypted
    expect(plaintextOnDisk(needles)).toEqual({});

    const out = await ok(['swarm', 'update', '--autolock=true']);
    const key = KEY.exec(out)?.[0] ?? '';
    expect(out).toBe(`Swarm updated.\n${unlockText(key)}`);
    expect(key).not.toBe(unlockKey);
    await restart('swarmdeck locked');
    expect(await ok(['swarm', 'unlock'], `${key}\n`)).toBe('');
    expect(await ok(['secret', 'ls', '--format', '{{.Name}}'])).toBe('db_pass\n');
    expect(plaintextOnDisk([...needles, key, key.slice('SWMKEY-1-'.length)])).toEqual({});
  }, 120_000);
});

const logCount = (text: string) => server!.output().split(text).length - 1;

/** Until the server has printed `text` at least `times` times (background work it reports). */
async function waitForLog(text: string, times: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (logCount(text) < times) {
    if (Date.now() > deadline) throw new Error(`server did not print "${text}" ${times} times:\n${server!.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
