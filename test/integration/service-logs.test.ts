// `docker service logs` with the real CLI against a real server whose own
// node runs tasks as processes: known lines come back with the CLI's
// `name.slot.taskid@node |` prefix, with --tail, --timestamps, for one task,
// and live with -f (bounded: the CLI is killed after a while).
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerBinary, dockerCli, freePorts, startServer, tempDir, waitFor, type RunningServer } from './harness';

const bin = dockerBinary();
if (!bin) throw new Error('the docker CLI is required for the Engine API tests (.ci/run installs it)');

describe('docker service logs', () => {
  const data = tempDir('swarmdeck-logs-data-');
  const config = tempDir('swarmdeck-logs-config-');
  let server: RunningServer | undefined;
  let docker: ReturnType<typeof dockerCli>;
  let enginePort = 0;

  beforeAll(async () => {
    const ports = await freePorts();
    enginePort = ports.engine;
    server = await startServer({ dataDir: data.path, ports, simWorkers: 0, extraArgs: ['--executor', 'process'] });
    docker = dockerCli(ports.engine, config.path);
    // a line every half second: "line N" on stdout, and "oops 3" once on stderr (so --tail 2 needs line 5 on)
    const script =
      'echo starting; i=0; while true; do i=$((i+1)); echo "line $i"; [ $i -eq 3 ] && echo "oops $i" >&2; sleep 0.5; done';
    const r = await docker(['service', 'create', '-d', '--name', 'talk', 'alpine', '/bin/sh', '-c', script]);
    expect(r.code, r.stderr).toBe(0);
    await waitFor(
      'a few lines',
      async () => {
        const out = await docker(['service', 'logs', 'talk'], 15_000);
        return out.stdout.includes('line 6') ? out : undefined;
      },
      { timeoutMs: 45_000 },
    );
  }, 120_000);
  afterAll(async () => {
    await docker?.(['service', 'rm', 'talk']).catch(() => undefined);
    await server?.stop();
    data.remove();
    config.remove();
  });

  it('prints every line with the task prefix; stderr lines go to stderr', async () => {
    const r = await docker(['service', 'logs', 'talk'], 15_000);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^talk\.1\.[a-z0-9]{12}@\S+\s+\| starting$/);
    expect(lines[1]).toMatch(/^talk\.1\.[a-z0-9]{12}@\S+\s+\| line 1$/);
    expect(r.stderr).toMatch(/^talk\.1\.[a-z0-9]{12}@\S+\s+\| oops 3$/m);
    expect(r.stdout).not.toContain('oops');
  });

  it('--tail, --timestamps, --raw and --no-trunc', async () => {
    const tail = await docker(['service', 'logs', '--tail', '2', 'talk'], 15_000);
    expect(tail.code, tail.stderr).toBe(0);
    const t = tail.stdout.trim().split('\n');
    expect(t).toHaveLength(2);
    const last = Number(/line (\d+)$/.exec(t[1]!)?.[1]);
    expect(t[0]).toMatch(new RegExp(`\\| line ${last - 1}$`));

    const ts = await docker(['service', 'logs', '--tail', '1', '--timestamps', 'talk'], 15_000);
    expect(ts.stdout.trim()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z talk\.1\.\S+@\S+\s+\| line \d+$/);

    const raw = await docker(['service', 'logs', '--raw', '--tail', '1', 'talk'], 15_000);
    expect(raw.stdout.trim()).toMatch(/^line \d+$/);

    const full = await docker(['service', 'logs', '--no-trunc', '--tail', '1', 'talk'], 15_000);
    expect(full.stdout.trim()).toMatch(/^talk\.1\.[a-z0-9]{25}@\S+\s+\| line \d+$/);
  });

  it('a task ID gives that task’s logs; an unknown name is an error', async () => {
    const ps = await docker(['service', 'ps', '-q', '--no-trunc', 'talk']);
    const taskID = ps.stdout.trim().split('\n')[0]!;
    const r = await docker(['service', 'logs', '--tail', '1', taskID], 15_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(new RegExp(`^talk\\.1\\.${taskID.slice(0, 12)}@\\S+\\s+\\| line \\d+$`));
    const missing = await docker(['service', 'logs', 'nosuch'], 15_000);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('nosuch');
  });

  it('-f keeps streaming new lines until the CLI is stopped', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: config.path, DOCKER_CONFIG: config.path };
    env.DOCKER_HOST = `tcp://127.0.0.1:${enginePort}`;
    for (const k of ['DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_API_VERSION']) delete env[k];
    const proc = spawn(bin, ['service', 'logs', '-f', '--tail', '1', 'talk'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<void>((r) => proc.once('close', () => r()));
    try {
      const seen = () => [...out.matchAll(/\| line (\d+)$/gm)].map((m) => Number(m[1]));
      await waitFor('three followed lines', () => (seen().length >= 3 ? true : undefined), {
        timeoutMs: 20_000,
        intervalMs: 100,
      });
      const nums = seen();
      // consecutive: the tail line, then each new one as it is printed
      for (let i = 1; i < nums.length; i++) expect(nums[i]).toBe(nums[i - 1]! + 1);
      expect(proc.exitCode).toBeNull(); // still following
    } finally {
      proc.kill('SIGKILL');
      await exited;
    }
  });
});
