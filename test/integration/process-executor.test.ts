// The manager's own node with the process executor: `docker service create`
// runs a real OS process; its failures are restarted per the policy and show
// as ` \_ ` rows; removing the service ends the process.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerBinary, dockerCli, freePorts, startServer, tempDir, waitFor, type RunningServer } from './harness';

if (!dockerBinary()) throw new Error('the docker CLI is required for the Engine API tests (.ci/run installs it)');

/** Live processes whose command line contains `needle` (ps, not our own grep). */
function processesWith(needle: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(needle));
}

describe('process executor through the docker CLI', () => {
  const data = tempDir('swarmdeck-px-data-');
  const config = tempDir('swarmdeck-px-config-');
  const marker = `swarmdeck-px-${process.pid}-${Date.now()}`;
  let server: RunningServer | undefined;
  let docker: ReturnType<typeof dockerCli>;

  beforeAll(async () => {
    const ports = await freePorts();
    server = await startServer({ dataDir: data.path, ports, simWorkers: 0, extraArgs: ['--executor', 'process'] });
    docker = dockerCli(ports.engine, config.path);
  });
  afterAll(async () => {
    await server?.stop();
    data.remove();
    config.remove();
  });

  it('runs a task as a real process and stops it when the service is removed', async () => {
    const script = `while true; do echo ${marker}; sleep 1; done`;
    const r = await docker(['service', 'create', '-d', '--name', 'hello', 'alpine', '/bin/sh', '-c', script]);
    expect(r.code, r.stderr).toBe(0);
    await waitFor('the task to run as a process', async () => (processesWith(marker).length > 0 ? true : undefined), {
      timeoutMs: 30_000,
    });
    const ps = await docker(['service', 'ps', '--format', '{{.Name}} {{.CurrentState}}', 'hello']);
    expect(ps.stdout).toMatch(/^hello\.1 Running/m);
    expect((await docker(['service', 'rm', 'hello'])).code).toBe(0);
    await waitFor('the process to end', async () => (processesWith(marker).length === 0 ? true : undefined), {
      timeoutMs: 30_000,
    });
  }, 60_000);

  it('restarts a process that exits 3 and records each failure as a \\_ row', async () => {
    const r = await docker([
      'service',
      'create',
      '-d',
      '--name',
      'crash',
      '--restart-delay',
      '200ms',
      'alpine',
      '/bin/sh',
      '-c',
      'echo bye; exit 3',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rows = await waitFor(
      'two failed attempts',
      async () => {
        const ps = await docker(['service', 'ps', '--no-trunc', 'crash']);
        const failed = ps.stdout
          .split('\n')
          .filter((l) => l.includes(' \\_ crash.1') && l.includes('"task: non-zero exit (3)"'));
        return failed.length >= 2 ? failed : undefined;
      },
      { timeoutMs: 45_000 },
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect((await docker(['service', 'rm', 'crash'])).code).toBe(0);
  }, 60_000);
});
