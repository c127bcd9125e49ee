import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config, ContainerSpec, Secret, Task } from '../../api/types';
import { ProcessExecutor } from './process';
import { until } from './process-test-support';
import { CONFIGS_DIR_ENV, SECRETS_DIR_ENV, taskFilesDir } from './task-files-dir';

const node = { ID: 'node9', Description: { Hostname: 'worker-1' } };
const b64 = (s: string) => Buffer.from(s).toString('base64');
const SECRET_A = 'alpha-secret-value-7f3e';
const SECRET_B = 'bravo-secret-value-91cd';
const CONFIG = 'listen=8080 slot={{.Task.Slot}}';

const secrets: Secret[] = [
  {
    ID: 'sa',
    Version: { Index: 1 },
    CreatedAt: '',
    UpdatedAt: '',
    Spec: { Name: 'a_pass', Labels: {}, Data: b64(SECRET_A) },
  },
  {
    ID: 'sb',
    Version: { Index: 1 },
    CreatedAt: '',
    UpdatedAt: '',
    Spec: { Name: 'b_pass', Labels: {}, Data: b64(SECRET_B) },
  },
];
const configs: Config[] = [
  {
    ID: 'cf',
    Version: { Index: 1 },
    CreatedAt: '',
    UpdatedAt: '',
    Spec: { Name: 'app', Labels: {}, Data: b64(CONFIG), Templating: { Name: 'golang' } },
  },
];
const deps = {
  secret: (id: string) => secrets.find((s) => s.ID === id),
  config: (id: string) => configs.find((c) => c.ID === id),
};

let seq = 0;
function makeTask(service: string, cs: Partial<ContainerSpec>): Task {
  return {
    ID: `ftask${process.pid}x${++seq}`,
    Version: { Index: 1 },
    CreatedAt: '',
    UpdatedAt: '',
    Spec: { ContainerSpec: { Image: 'alpine', ...cs }, ForceUpdate: 0 },
    ServiceID: `svc-${service}`,
    Slot: 4,
    NodeID: 'node9',
    Status: { Timestamp: '', State: 'assigned', Message: '' },
    DesiredState: 'running',
    ServiceAnnotations: { Name: service, Labels: {} },
  } as Task;
}

let root: string;
let filesRoot: string;
const executors: ProcessExecutor[] = [];
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'swarmdeck-files-test-'));
  filesRoot = join(existsSync('/dev/shm') ? '/dev/shm' : root, `swarmdeck-files-test-${process.pid}`);
});
afterEach(async () => {
  for (const ex of executors.splice(0)) await ex.shutdownAll(0);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(filesRoot, { recursive: true, force: true });
});

function executor(stateDir?: string): ProcessExecutor {
  const ex = new ProcessExecutor({ node, workRoot: join(root, 'work'), ports: 'ephemeral', filesRoot, stateDir });
  ex.useDependencies(deps);
  executors.push(ex);
  return ex;
}

/** Every file under `dir`, read whole. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(readFileSync(join(e.parentPath, e.name), 'latin1'));
  return out;
}

describe('ProcessExecutor: secrets and configs in host mode', () => {
  it('gives a task its own files in a private in-memory directory, and removes them when it stops', async () => {
    const stateDir = join(root, 'state');
    const ex = executor(stateDir);
    // the task proves what it read by digests, so no value reaches its output
    const a = makeTask('alpha', {
      Args: [
        '/bin/sh',
        '-c',
        'sha256sum "$SWARMDECK_SECRETS_DIR/a_pass" | cut -c1-64; cat "$SWARMDECK_CONFIGS_DIR/etc/app/app.conf"; echo; ' +
          'ls "$SWARMDECK_SECRETS_DIR"; stat -c %a "$SWARMDECK_SECRETS_DIR/a_pass"; echo ready; sleep 60',
      ],
      Secrets: [{ SecretID: 'sa', SecretName: 'a_pass', File: { Name: 'a_pass', UID: '0', GID: '0', Mode: 0o400 } }],
      Configs: [
        { ConfigID: 'cf', ConfigName: 'app', File: { Name: '/etc/app/app.conf', UID: '0', GID: '0', Mode: 0o444 } },
      ],
    });
    const b = makeTask('bravo', {
      Args: ['/bin/sh', '-c', 'sleep 60'],
      Secrets: [{ SecretID: 'sb', SecretName: 'b_pass', File: { Name: 'b_pass', UID: '0', GID: '0', Mode: 0o444 } }],
    });
    for (const t of [a, b]) {
      await ex.prepare(t);
      await ex.start(t);
    }
    const out = () => ex.logs(a.ID).map((e) => e.line);
    await until(() => out().includes('ready'), 10_000, 'the task to read its files');
    const digest = (await import('node:crypto')).createHash('sha256').update(SECRET_A).digest('hex');
    expect(out()).toEqual([digest, 'listen=8080 slot=4', 'a_pass', '400', 'ready']);

    // its own directory holds its own secret only; the root cannot be listed (d-wx------)
    const dirA = taskFilesDir(filesRoot, a.ID);
    expect(filesUnder(join(dirA, 'tree'))).not.toContain(SECRET_B);
    expect(statSync(filesRoot).mode & 0o777).toBe(0o300);
    expect(statSync(dirA).mode & 0o777).toBe(0o700);
    // the environment names paths, never values
    const env = readFileSync(join(stateDir, a.ID, 'state.json'), 'utf8');
    expect(env).toContain(SECRETS_DIR_ENV);
    expect(env).toContain(CONFIGS_DIR_ENV);

    for (const t of [a, b]) {
      await ex.shutdown(t);
      await ex.wait(t).catch(() => {});
    }
    await until(() => !existsSync(dirA) && !existsSync(taskFilesDir(filesRoot, b.ID)), 5_000, 'the files to go');
    // no value reached the state directory (records, logs, scratch dirs)
    for (const text of filesUnder(stateDir)) {
      expect(text).not.toContain(SECRET_A);
      expect(text).not.toContain(SECRET_B);
    }
    for (const t of [a, b]) await ex.remove(t);
  });

  it('rejects a task whose secret the node does not hold', async () => {
    const ex = executor();
    const t = makeTask('alpha', { Args: ['/bin/true'], Secrets: [{ SecretID: 'nope', SecretName: 'gone' }] });
    await expect(ex.prepare(t)).rejects.toThrow('secret gone not found');
  });

  it('a restarted agent keeps the files of a task it adopts, and removes them when that task ends', async () => {
    const stateDir = join(root, 'state-adopt');
    const ex1 = executor(stateDir);
    const t = makeTask('alpha', {
      Args: ['/bin/sh', '-c', 'sleep 60'],
      Secrets: [{ SecretID: 'sa', SecretName: 'a_pass', File: { Name: 'a_pass', UID: '0', GID: '0', Mode: 0o400 } }],
    });
    await ex1.prepare(t);
    await ex1.start(t);
    const file = join(taskFilesDir(filesRoot, t.ID), 'tree', 'run', 'secrets', 'a_pass');
    expect(readFileSync(file, 'utf8')).toBe(SECRET_A);
    await ex1.detach();
    executors.splice(executors.indexOf(ex1), 1);

    const ex2 = executor(stateDir);
    await ex2.recover();
    expect(ex2.status(t.ID)?.PID).toBeGreaterThan(0);
    expect(existsSync(file)).toBe(true);
    await ex2.shutdown(t);
    await ex2.wait(t).catch(() => {});
    await until(() => !existsSync(taskFilesDir(filesRoot, t.ID)), 5_000, 'the adopted task’s files to go');
    await ex2.remove(t);
  });

  it('a restarted agent removes the files a task that no longer runs left behind', async () => {
    const stateDir = join(root, 'state-restart');
    await mkdir(filesRoot, { recursive: true, mode: 0o300 });
    const ghost = taskFilesDir(filesRoot, 'ghost-task');
    await mkdir(join(ghost, 'tree'), { recursive: true });
    const ex = executor(stateDir);
    await ex.recover();
    expect(existsSync(ghost)).toBe(false);
  });
});
