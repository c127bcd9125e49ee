// The seeds' first steps on a bare manager: `swarm init` on a process started with no
// --executor flag, then `docker service create … ubuntu /bin/sh -c "echo hello world; sleep 3600"`
// and `docker service logs`: the manager's own node runs the task as a real process, so the
// log is the command's real output, and `docker node inspect self` says which executor it is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskProcesses } from './agents/agent-harness';
import { dockerBinary, dockerCli, freePorts, spawnUntilReady, tempDir, type ReadyProcess } from './integration/harness';
import { until } from './until';

const bin = dockerBinary();
if (!bin) throw new Error('the docker CLI is required for this test (.ci/run installs it)');

const data = tempDir('seed-logs-');
const config = tempDir('seed-logs-cli-');
let manager: ReadyProcess;
let docker: ReturnType<typeof dockerCli>;
let nodeID = '';

beforeAll(async () => {
  const ports = await freePorts();
  // no --executor and no --sim-workers: what a newcomer starts
  manager = await spawnUntilReady(
    [
      'server/main.ts',
      '--no-console',
      '--no-init',
      '--engine-port',
      String(ports.engine),
      '--cluster-port',
      String(ports.cluster),
      '--console-port',
      String(ports.console),
      '--data-dir',
      data.path,
    ],
    'swarmdeck waiting',
    'manager',
    90_000,
  );
  docker = dockerCli(ports.engine, config.path, bin);
  const init = await docker(['swarm', 'init']);
  expect(init.code, init.stderr).toBe(0);
  nodeID = (await docker(['node', 'inspect', 'self', '--format', '{{.ID}}'])).stdout.trim();
}, 120_000);

afterAll(async () => {
  // the task's processes end with the service (and with the manager, which stops them on SIGTERM)
  await docker?.(['service', 'rm', 'hello']);
  if (nodeID) await until('the task processes to end', () => taskProcesses(nodeID).size === 0, 20_000).catch(() => {});
  await manager?.stop();
  data.remove();
  config.remove();
});

describe('a bare manager runs its own tasks as real processes', () => {
  it('says so on the node: engine label com.swarmdeck.executor=process', async () => {
    const r = await docker(['node', 'inspect', 'self', '--format', '{{json .Description.Engine.Labels}}']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ 'com.swarmdeck.executor': 'process' });
  });

  it('shows the real output of the seed-style service in `docker service logs`', async () => {
    const create = await docker(
      ['service', 'create', '--name', 'hello', 'ubuntu', '/bin/sh', '-c', 'echo hello world; sleep 3600'],
      90_000,
    );
    expect(create.code, create.stderr).toBe(0);
    const logs = await until(
      'the hello world line in docker service logs',
      async () => {
        const r = await docker(['service', 'logs', '--raw', 'hello']);
        return r.stdout.split('\n').includes('hello world') ? r : undefined;
      },
      60_000,
      500,
    );
    // the one line the command printed, and nothing made up around it
    expect(logs.stdout.trim()).toBe('hello world');
    const pretty = await docker(['service', 'logs', 'hello']);
    expect(pretty.stdout).toMatch(/^hello\.1\.\w+@\S+\s+\| hello world$/m);
    // and it is a real process of this node, still sleeping
    expect(taskProcesses(nodeID).size).toBeGreaterThan(0);
  }, 120_000);
});
