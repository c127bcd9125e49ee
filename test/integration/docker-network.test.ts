// `docker network …` and the service network flags with the real docker CLI
// (28.2.2) against a real manager process.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../until';
import {
  dockerBinary,
  dockerCli,
  freePorts,
  startServer,
  tempDir,
  type DockerResult,
  type RunningServer,
  type ServerPorts,
} from './harness';

const bin = dockerBinary();
if (!bin) throw new Error('the docker CLI is required for the Engine API tests (.ci/run installs it)');

describe('docker network against swarmdeck', () => {
  const data = tempDir('swarmdeck-net-data-');
  const config = tempDir('swarmdeck-net-config-');
  let ports: ServerPorts;
  let server: RunningServer | undefined;
  let docker: ReturnType<typeof dockerCli>;

  const ok = async (args: string[], timeoutMs?: number): Promise<DockerResult> => {
    const r = await docker(args, timeoutMs);
    if (r.code !== 0)
      throw new Error(
        `docker ${args.join(' ')} → ${r.timedOut ? 'timed out' : `exit ${r.code}`}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nserver:\n${server?.output().slice(-3000)}`,
      );
    return r;
  };
  /** A refusal as the CLI prints it. */
  const fails = async (args: string[], message: string) => {
    const r = await docker(args);
    expect([r.code, r.stderr.trim()]).toEqual([1, `Error response from daemon: ${message}`]);
  };
  const raw = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${ports.engine}/v1.50${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, contentType: res.headers.get('content-type'), json: await res.json() };
  };

  beforeAll(async () => {
    ports = await freePorts();
    docker = dockerCli(ports.engine, config.path, bin);
    server = await startServer({ dataDir: data.path, ports, simWorkers: 2 });
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
    data.remove();
    config.remove();
  }, 30_000);

  let appID = '';

  it('network create -d overlay with every flag, then ls (filters, -q) and inspect show it', async () => {
    const created = await ok([
      'network',
      'create',
      '-d',
      'overlay',
      '--subnet',
      '10.20.0.0/24',
      '--gateway',
      '10.20.0.1',
      '--ip-range',
      '10.20.0.128/25',
      '--attachable',
      '--internal',
      '--label',
      'tier=web',
      '--opt',
      'encrypted',
      'appnet',
    ]);
    appID = created.stdout.trim();
    expect(appID).toMatch(/^[0-9a-z]{25}$/);
    const ls = await ok(['network', 'ls', '--format', '{{.ID}} {{.Name}} {{.Driver}} {{.Scope}}']);
    const rows = ls.stdout.trim().split('\n');
    expect(rows.map((r) => r.split(' ').slice(1).join(' '))).toEqual([
      'appnet overlay swarm',
      'bridge bridge local',
      'host host local',
      'none null local',
    ]);
    expect(rows[0]!.split(' ')[0]).toBe(appID.slice(0, 12));
    expect((await ok(['network', 'ls', '-q', '--filter', 'driver=overlay'])).stdout.trim()).toBe(appID.slice(0, 12));
    expect((await ok(['network', 'ls', '-q', '--filter', 'label=tier=web', '--no-trunc'])).stdout.trim()).toBe(appID);
    expect((await ok(['network', 'ls', '--filter', 'type=builtin', '--format', '{{.Name}}'])).stdout.trim()).toBe(
      'bridge\nhost\nnone',
    );
    await fails(['network', 'ls', '--filter', 'colour=red'], "invalid filter 'colour'");
    const [inspected] = JSON.parse((await ok(['network', 'inspect', 'appnet'])).stdout) as Record<string, unknown>[];
    expect(inspected).toMatchObject({
      Name: 'appnet',
      Id: appID,
      Scope: 'swarm',
      Driver: 'overlay',
      Internal: true,
      Attachable: true,
      Ingress: false,
      Labels: { tier: 'web' },
      Options: expect.objectContaining({ encrypted: '' }),
      IPAM: {
        Driver: 'default',
        Options: null,
        Config: [{ Subnet: '10.20.0.0/24', IPRange: '10.20.0.128/25', Gateway: '10.20.0.1' }],
      },
    });
    // -v adds what the store knows of the services on it (none yet)
    const [verbose] = JSON.parse((await ok(['network', 'inspect', '-v', appID.slice(0, 8)])).stdout) as Record<
      string,
      unknown
    >[];
    expect(verbose!.Id).toBe(appID);
  }, 60_000);

  it('refuses what dockerd refuses, in its words, as 4xx JSON', async () => {
    await fails(['network', 'create', '-d', 'overlay', 'appnet'], 'network with name appnet already exists');
    await fails(
      ['network', 'create', '-d', 'overlay', 'bridge'],
      'operation is not permitted on predefined bridge network',
    );
    await fails(
      ['network', 'create', '-d', 'overlay', '--subnet', '10.30.0.1/24', 'x'],
      'invalid network config:\ninvalid subnet 10.30.0.1/24: it should be 10.30.0.0/24',
    );
    await fails(
      ['network', 'create', '-d', 'overlay', '--subnet', '10.20.0.0/16', 'x'],
      `rpc error: code = InvalidArgument desc = invalid pool request: Pool overlaps with other one on this address space: subnet 10.20.0.0/16 overlaps 10.20.0.0/24 of network appnet (${appID})`,
    );
    // network rm prints each failure, then its exit status
    const rm = await docker(['network', 'rm', 'bridge']);
    expect([rm.code, rm.stderr]).toEqual([
      1,
      'Error response from daemon: bridge is a pre-defined network and cannot be removed\nexit status 1\n',
    ]);
    await fails(['network', 'inspect', 'nonet'], 'network nonet not found');
    await fails(['network', 'connect', 'appnet', 'c1'], 'No such container: c1');
    await fails(['network', 'disconnect', 'appnet', 'c1'], 'No such container: c1');
    await fails(['network', 'disconnect', '--force', 'appnet', 'c1'], 'endpoint c1 not found');
    const e = await raw('POST', '/networks/create', { Name: 'b', Driver: 'bridge' });
    expect([e.status, e.contentType]).toEqual([400, 'application/json']);
    expect(e.json.message).toMatch(/^network driver "bridge" would create a network local to one daemon/);
    const p = await raw('POST', '/networks/create', { Name: 'none' });
    expect([p.status, p.contentType, p.json]).toEqual([
      403,
      'application/json',
      { message: 'operation is not permitted on predefined none network ' },
    ]);
  }, 60_000);

  it('service create --network (with an alias) and update --network-add/--network-rm round-trip; rm refuses while in use', async () => {
    await ok(['network', 'create', '-d', 'overlay', 'backnet']);
    const backID = (await ok(['network', 'inspect', '--format', '{{.Id}}', 'backnet'])).stdout.trim();
    await ok(['service', 'create', '-d', '--name', 'web', '--network', 'name=appnet,alias=www', 'nginx:alpine']);
    const nets = async () =>
      JSON.parse((await ok(['service', 'inspect', '--format', '{{json .Spec.TaskTemplate.Networks}}', 'web'])).stdout);
    expect(await nets()).toEqual([{ Target: appID, Aliases: ['www'] }]);
    expect((await ok(['service', 'inspect', '--pretty', 'web'])).stdout).toMatch(/^Networks:\s*appnet\s*$/m);
    const svcID = (await ok(['service', 'inspect', '--format', '{{.ID}}', 'web'])).stdout.trim();
    const inUse = await docker(['network', 'rm', 'appnet']);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toContain(
      `Error response from daemon: rpc error: code = FailedPrecondition desc = network ${appID} is in use by service ${svcID}`,
    );

    await ok(['service', 'update', '-d', '--network-add', 'backnet', '--network-rm', 'appnet', 'web']);
    expect(await nets()).toEqual([{ Target: backID }]);
    expect((await ok(['service', 'inspect', '--pretty', 'web'])).stdout).toMatch(/^Networks:\s*backnet\s*$/m);
    const again = await docker(['service', 'update', '-d', '--network-add', 'backnet', 'web']);
    expect(again.stderr.trim()).toBe('service is already attached to network backnet');
    await fails(['service', 'create', '-d', '--name', 'w2', '--network', 'nonet', 'nginx'], 'network nonet not found');

    // appnet is free once no task of the old spec is meant to run on it
    await until(
      'appnet removable once the old tasks stopped',
      async () => (await docker(['network', 'rm', 'appnet'])).code === 0,
      60_000,
      500,
    );
    await fails(['network', 'inspect', 'appnet'], 'network appnet not found');
  }, 120_000);

  it('network prune removes the unused swarm networks only, and prints them', async () => {
    await ok(['network', 'create', '-d', 'overlay', 'spare1']);
    await ok(['network', 'create', '-d', 'overlay', '--label', 'keep=1', 'spare2']);
    const r = await ok(['network', 'prune', '-f', '--filter', 'label!=keep']);
    expect(r.stdout).toBe('Deleted Networks:\nspare1\n\n');
    const names = (await ok(['network', 'ls', '--format', '{{.Name}}'])).stdout.trim().split('\n');
    expect(names).toEqual(['backnet', 'bridge', 'host', 'none', 'spare2']);
    await ok(['service', 'rm', 'web']);
    await until(
      'backnet pruned once web is gone',
      async () => (await ok(['network', 'prune', '-f'])).stdout.includes('backnet'),
      60_000,
      500,
    );
    expect((await ok(['network', 'ls', '--filter', 'scope=swarm', '-q'])).stdout.trim()).toBe('');
  }, 120_000);
});
