// Secrets and configs delivered to real task processes (issue #11), driven by the
// real docker CLI: a manager and two `swarmdeck agent` processes, one in host
// mode and one in netns mode (run as uid 65534 when the test is root). On each
// node a task of service alpha reads its secret from its secrets path and its
// templated config at its target, and never sees the secret of service bravo on
// the same node; once the services are removed the files are gone, and no value
// reached an agent's data dir or any process output.
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../server/api/types';
import { taskFilesDir, taskFilesRoot } from '../../server/agent/executor/task-files-dir';
import { dockerBinary, dockerCli, freePorts, startServer, tempDir, type RunningServer } from '../integration/harness';
import { engineRequest } from '../manager-http';
import { until } from '../until';
import { killTaskProcesses, startAgent, taskProcesses, type RunningAgent } from './agent-harness';

if (!dockerBinary()) throw new Error('the docker CLI is required for the Engine API tests (.ci/run installs it)');

/** Run as root (CI), the agents drop to uid 65534: root would read every file and hide what a task cannot. */
const AGENT_UID = process.getuid?.() === 0 ? 65534 : undefined;

const ALPHA = `alpha-${createHash('sha256').update(String(process.pid)).digest('hex').slice(0, 24)}`;
const BRAVO = `bravo-${createHash('sha256').update(`b${process.pid}`).digest('hex').slice(0, 24)}`;
const CONFIG = 'name={{.Service.Name}} slot={{.Task.Slot}} node={{.Node.Hostname}}';
const digest = (s: string) => createHash('sha256').update(s).digest('hex');

/** What every alpha task prints: digests only, so no value reaches its output. */
const report = (secrets: string, config: string, extra = '') =>
  [
    `echo "secret $(sha256sum "${secrets}/alpha_pass" | cut -c1-64)"`,
    `echo "config $(cat "${config}")"`,
    `echo "mine $(ls "${secrets}" | tr '\\n' ' ')"`,
    // every file it can find in memory-backed places and its own trees, by digest
    `echo "seen $(find /dev/shm /run "${secrets}" -type f -readable -exec sha256sum {} + 2>/dev/null | cut -c1-64 | sort -u | tr '\\n' ' ')"`,
    extra,
    'echo done',
    'exec sleep 3600',
  ]
    .filter(Boolean)
    .join('; ');

/**
 * Every regular file under `dir` (recursively), read as bytes. The agents keep running: a file listed may be
 * gone when it is read (a state file's `.tmp`, renamed over the file once written; CI caught one), and that
 * content is then in the file it was renamed to, which is read too.
 */
function filesUnder(dir: string): { path: string; text: string }[] {
  if (!existsSync(dir)) return [];
  const read = (path: string): string | undefined => {
    try {
      return readFileSync(path, 'latin1');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  };
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .flatMap((e) => {
      const path = join(e.parentPath, e.name);
      const text = read(path);
      return text === undefined ? [] : [{ path, text }];
    });
}

describe('secrets and configs on real task processes', () => {
  const data = tempDir('swarmdeck-secrets-');
  const config = tempDir('swarmdeck-secrets-config-');
  let server: RunningServer;
  let docker: ReturnType<typeof dockerCli>;
  let engine: string;
  const agents: Record<'host' | 'netns', RunningAgent | undefined> = { host: undefined, netns: undefined };
  let netnsMode = false;

  const cli = async (args: string[], input?: string) => {
    const r = await docker(args, 30_000, input);
    expect(r.code, `docker ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const tasksOf = async (service: string) => {
    const r = await engineRequest(
      engine,
      'GET',
      `/tasks?filters=${encodeURIComponent(JSON.stringify({ service: [service] }))}`,
    );
    return r.json as Task[];
  };
  const logs = async (service: string) =>
    (await cli(['service', 'logs', '--no-task-ids', '--raw', service])).split('\n').filter(Boolean);
  const reported = async (service: string) => {
    const lines: string[] = await until(`${service} to report`, async () => {
      const ls = await logs(service);
      return ls.includes('done') ? ls : undefined;
    });
    const field = (k: string) => lines.find((l) => l.startsWith(`${k} `))?.slice(k.length + 1) ?? '';
    return { lines, field };
  };
  const service = (name: string, host: string, secret: string, script: string, more: string[] = []) =>
    cli([
      'service',
      'create',
      '-d',
      '--name',
      name,
      '--restart-condition',
      'none',
      '--constraint',
      `node.hostname==${host}`,
      '--secret',
      secret,
      ...more,
      'busybox',
      '/bin/sh',
      '-c',
      script,
    ]);
  const rootOf = (a: RunningAgent) => taskFilesRoot(join(a.opts.dataDir, 'tasks'), AGENT_UID ?? process.getuid?.());
  /** Whether each task's files directory is on its node (by path: the root cannot be listed but by root). */
  const filesDirs = async (a: RunningAgent, services: string[]) => {
    const ids = (await Promise.all(services.map(tasksOf))).flat().map((t) => t.ID);
    expect(ids.length).toBe(services.length);
    return ids.map((id) => existsSync(taskFilesDir(rootOf(a), id)));
  };
  const seenDirs: { agent: RunningAgent; ids: string[] }[] = [];

  beforeAll(async () => {
    const ports = await freePorts();
    server = await startServer({
      dataDir: `${data.path}/manager`,
      ports,
      simWorkers: 0,
      extraArgs: ['--dispatcher-heartbeat', '1s'],
    });
    engine = `http://127.0.0.1:${ports.engine}`;
    docker = dockerCli(ports.engine, config.path);
    const token = ((await engineRequest(engine, 'GET', '/swarm')).json as { JoinTokens: { Worker: string } }).JoinTokens
      .Worker;
    if (AGENT_UID !== undefined) {
      chmodSync(data.path, 0o711);
      for (const d of ['w-host', 'w-ns']) {
        mkdirSync(`${data.path}/${d}`, { mode: 0o700 });
        chownSync(`${data.path}/${d}`, AGENT_UID, AGENT_UID);
      }
    }
    const start = (hostname: string, extraArgs: string[]) =>
      startAgent({
        ...(AGENT_UID !== undefined ? { as: { uid: AGENT_UID } } : {}),
        join: `127.0.0.1:${ports.cluster}`,
        token,
        dataDir: `${data.path}/${hostname}`,
        hostname,
        extraArgs,
      });
    [agents.host, agents.netns] = await Promise.all([
      start('w-host', ['--network-mode', 'host']),
      start('w-ns', ['--data-path-port', String((await freePorts()).cluster)]),
    ]);
    netnsMode = agents.netns.output().includes('network=netns');

    const dir = data.path;
    writeFileSync(`${dir}/alpha.txt`, ALPHA);
    writeFileSync(`${dir}/app.tmpl`, CONFIG);
    writeFileSync(`${dir}/plain.txt`, 'plain config');
    await cli(['secret', 'create', 'alpha_pass', `${dir}/alpha.txt`]);
    await cli(['secret', 'create', 'bravo_pass', '-'], BRAVO);
    await cli(['config', 'create', '--template-driver', 'golang', 'app_conf', `${dir}/app.tmpl`]);
    await cli(['config', 'create', 'plain_conf', `${dir}/plain.txt`]);
    await cli(['network', 'create', '-d', 'overlay', 'secnet']);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([server?.stop(), agents.host?.stop(), agents.netns?.stop()]);
    killTaskProcesses([agents.host, agents.netns].filter((a): a is RunningAgent => !!a).map((a) => a.nodeID()));
    data.remove();
    config.remove();
  });

  it('host mode: the task reads its files through SWARMDECK_SECRETS_DIR/SWARMDECK_CONFIGS_DIR and sees no other', async () => {
    const cfg = { target: '/etc/app/app.conf', mode: '0440' };
    await service('bravo', 'w-host', 'bravo_pass', 'exec sleep 3600');
    await until('bravo running', async () => (await tasksOf('bravo')).some((t) => t.Status.State === 'running'));
    await service(
      'alpha',
      'w-host',
      'source=alpha_pass,mode=0400',
      report(
        '$SWARMDECK_SECRETS_DIR',
        '$SWARMDECK_CONFIGS_DIR/etc/app/app.conf',
        // its directory's parent is the node's files root, which it cannot list to find bravo's
        'R=$(dirname "$(dirname "$(dirname "$(dirname "$SWARMDECK_SECRETS_DIR")")")"); ' +
          'ls "$R" >/dev/null 2>&1 && echo "root listable" || echo "root unlistable"; ' +
          'echo "mode $(stat -c %a "$SWARMDECK_SECRETS_DIR/alpha_pass") $(stat -c %a "$SWARMDECK_CONFIGS_DIR/etc/app/app.conf")"',
      ),
      ['--config', `source=app_conf,target=${cfg.target},mode=${cfg.mode}`],
    );
    const { lines, field } = await reported('alpha');
    expect(field('secret')).toBe(digest(ALPHA));
    expect(field('config')).toBe('name=alpha slot=1 node=w-host');
    expect(field('mine').trim()).toBe('alpha_pass');
    expect(field('mode')).toBe('400 440');
    expect(lines).toContain('root unlistable');
    expect(field('seen')).toContain(digest(ALPHA));
    expect(field('seen')).not.toContain(digest(BRAVO));
    // bravo's and alpha's directories are on the node while they run
    expect(await filesDirs(agents.host!, ['alpha', 'bravo'])).toEqual([true, true]);
    seenDirs.push({
      agent: agents.host!,
      ids: (await tasksOf('alpha')).concat(await tasksOf('bravo')).map((t) => t.ID),
    });
  }, 90_000);

  it('netns mode: the task reads /run/secrets/<target> and its config at its target, read-only, and sees no other', async () => {
    if (!netnsMode) {
      console.warn('netns mode is not available here: the netns half is skipped');
      return;
    }
    await service('bravo-ns', 'w-ns', 'bravo_pass', 'exec sleep 3600', ['--network', 'secnet']);
    await until('bravo-ns running', async () => (await tasksOf('bravo-ns')).some((t) => t.Status.State === 'running'));
    await service(
      'alpha-ns',
      'w-ns',
      'alpha_pass',
      report(
        '/run/secrets',
        '/etc/app/app.conf',
        // a config's default target is under / itself
        'echo "plain $(cat /plain_conf)"; echo "cwd $(pwd)"; echo "env ${SWARMDECK_SECRETS_DIR:-none}"; ' +
          '(echo x > /run/secrets/alpha_pass) 2>/dev/null && echo "secret writable" || echo "secret read-only"; ' +
          '(echo x > /etc/app/app.conf) 2>/dev/null && echo "config writable" || echo "config read-only"',
      ),
      ['--network', 'secnet', '--config', 'source=app_conf,target=/etc/app/app.conf', '--config', 'plain_conf'],
    );
    const { lines, field } = await reported('alpha-ns');
    expect(field('secret')).toBe(digest(ALPHA));
    expect(field('config')).toBe('name=alpha-ns slot=1 node=w-ns');
    expect(field('mine').trim()).toBe('alpha_pass');
    expect(field('env')).toBe('none');
    expect(field('plain')).toBe('plain config');
    expect(field('cwd')).toMatch(/\/w-ns\/tasks\/\w+\/work$/);
    expect(lines).toEqual(expect.arrayContaining(['secret read-only', 'config read-only']));
    expect(field('seen')).toContain(digest(ALPHA));
    expect(field('seen')).not.toContain(digest(BRAVO));
    // the host holds no copy: the files live in the tasks' own namespaces
    expect(await filesDirs(agents.netns!, ['alpha-ns', 'bravo-ns'])).toEqual([false, false]);
    expect(existsSync('/etc/app/app.conf')).toBe(false);
    expect(existsSync('/plain_conf')).toBe(false);
  }, 90_000);

  it('removes the files once the tasks stop, and no value reached a data dir or a log', async () => {
    const names = ['alpha', 'bravo', ...(netnsMode ? ['alpha-ns', 'bravo-ns'] : [])];
    await cli(['service', 'rm', ...names]);
    const nodes = [agents.host!, agents.netns!].map((a) => a.nodeID());
    await until('the task processes to end', () => nodes.every((n) => taskProcesses(n).size === 0), 30_000);
    expect(seenDirs.length).toBe(1);
    for (const { agent, ids } of seenDirs)
      await until(
        `${agent.opts.hostname}'s files gone`,
        () => ids.every((id) => !existsSync(taskFilesDir(rootOf(agent), id))),
        10_000,
      );
    // as root the test can list the roots too: nothing at all is left
    if (process.getuid?.() === 0)
      for (const a of [agents.host!, agents.netns!])
        expect(existsSync(rootOf(a)) ? readdirSync(rootOf(a)) : []).toEqual([]);

    const values = [ALPHA, BRAVO].flatMap((v) => [v, Buffer.from(v).toString('base64')]);
    const leaks = [agents.host!, agents.netns!]
      .flatMap((a) => filesUnder(a.opts.dataDir))
      .filter((f) => values.some((v) => f.text.includes(v)))
      .map((f) => f.path);
    expect(leaks).toEqual([]);
    for (const out of [server.output(), agents.host!.output(), agents.netns!.output()])
      for (const v of values) expect(out).not.toContain(v);
  }, 90_000);
});
