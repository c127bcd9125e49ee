// Secret and config files in netns mode with real namespaces (PROCESS.md,
// "Secrets and configs"): /run/secrets and a config under /etc through
// overlays; a config directly under / through a new root, with the task's
// working and state directories still the host's (its exit status reaches the
// agent); nothing of it on the host, and a /dev/shm of the task's own.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config, Secret, Task } from '../../server/api/types';
import { startTaskNetworking } from '../../server/agent/executor/netns/detect';
import type { NetnsRouter } from '../../server/agent/executor/netns/router-client';
import { ProcessExecutor } from '../../server/agent/executor/process';
import { until } from '../until';
import { NET_A, netTask } from './netns-support';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const meta = { Version: { Index: 1 }, CreatedAt: '', UpdatedAt: '' };
const secret: Secret = { ID: 'sx', ...meta, Spec: { Name: 'db_pass', Labels: {}, Data: b64('netns-secret-value') } };
const configs: Config[] = [
  {
    ID: 'c1',
    ...meta,
    Spec: { Name: 'app', Labels: {}, Data: b64('app={{.Service.Name}}'), Templating: { Name: 'golang' } },
  },
  { ID: 'c2', ...meta, Spec: { Name: 'rootcfg', Labels: {}, Data: b64('at-the-root') } },
];
const deps = {
  secret: (id: string) => (id === secret.ID ? secret : undefined),
  config: (id: string) => configs.find((c) => c.ID === id),
};

let dir: string;
let router: NetnsRouter | undefined;
let reason: string | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sdnf-'));
  const net = await startTaskNetworking(join(dir, 'net'));
  router = net.router;
  reason = net.reason;
});
afterAll(async () => {
  await router?.stop();
  await rm(dir, { recursive: true, force: true });
});

function withFiles(t: Task, rootConfig: boolean): Task {
  t.Spec.ContainerSpec.Secrets = [
    { SecretID: 'sx', SecretName: 'db_pass', File: { Name: 'db_pass', UID: '0', GID: '0', Mode: 0o400 } },
  ];
  t.Spec.ContainerSpec.Configs = [
    {
      ConfigID: 'c1',
      ConfigName: 'app',
      File: { Name: '/etc/swarmdeck-test/app.conf', UID: '0', GID: '0', Mode: 0o444 },
    },
    ...(rootConfig
      ? [{ ConfigID: 'c2', ConfigName: 'rootcfg', File: { Name: 'rootcfg', UID: '0', GID: '0', Mode: 0o444 } }]
      : []),
  ];
  return t;
}

describe('netns mode: secret and config files', () => {
  it('mounts /run/secrets and the config read-only in the task only; a config under / gets a new root', async () => {
    if (!router) {
      console.warn(`netns mode unavailable (${reason}): skipped`);
      return;
    }
    const ex = new ProcessExecutor({
      node: { ID: 'node1' },
      netns: router,
      workRoot: join(dir, 'work'),
      stateDir: join(dir, 'state'),
    });
    ex.useDependencies(deps);
    const script =
      'cat /run/secrets/db_pass; echo; cat /etc/swarmdeck-test/app.conf; echo; cat /rootcfg; echo; ' +
      'ls /dev/shm | wc -l; (echo x > /run/secrets/db_pass) 2>/dev/null || echo ro; ' +
      'echo kept > here.txt; echo done; exit 3';
    const t = withFiles(
      netTask({ image: 'busybox', args: ['/bin/sh', '-c', script], nets: [[NET_A, '10.0.1.21/24']] }),
      true,
    );
    await ex.prepare(t);
    await ex.start(t);
    // its exit status is written through the new root to the host's state directory
    expect(await ex.wait(t)).toBe(3);
    const out = ex.logs(t.ID).map((l) => l.line);
    expect(out).toEqual(['netns-secret-value', 'app=web', 'at-the-root', '0', 'ro', 'done']);
    // its working directory is the host's; nothing else of it is
    expect(readFileSync(join(dir, 'state', t.ID, 'work', 'here.txt'), 'utf8')).toBe('kept\n');
    expect(existsSync('/rootcfg')).toBe(false);
    expect(existsSync('/etc/swarmdeck-test')).toBe(false);
    expect(existsSync('/run/secrets/db_pass')).toBe(false);
    await ex.remove(t);
  }, 30_000);

  it('a health probe (nsenter) sees the same files, and they are gone with the task', async () => {
    if (!router) return;
    const ex = new ProcessExecutor({ node: { ID: 'node1' }, netns: router, workRoot: join(dir, 'work2') });
    ex.useDependencies(deps);
    const t = withFiles(netTask({ image: 'busybox', args: ['sleep', '30'], nets: [[NET_A, '10.0.1.22/24']] }), false);
    await ex.prepare(t);
    await ex.start(t);
    const r = await ex.exec(t, ['cat', '/run/secrets/db_pass'], { timeoutMs: 5_000 });
    expect(r).toEqual({ exitCode: 0, output: 'netns-secret-value' });
    await ex.shutdown(t);
    await until('the task to end', () => ex.status(t.ID)?.ExitCode !== undefined);
    await ex.remove(t);
  }, 30_000);
});
