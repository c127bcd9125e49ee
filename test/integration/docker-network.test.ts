// Overlay networks as the leader allocates them, and on a follower, seen with the real docker CLI
// (28.2.2) against real manager processes. The command-by-command conformance of `docker network`
// (flags, tables, texts, exit codes) is in test/cli/network.test.ts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyLeader, startThreeManagers, type ManagerProc } from '../cluster-harness';
import { until } from '../until';
import { dockerBinary, dockerCli, freePorts, startServer, tempDir, type RunningServer } from './harness';

const bin = dockerBinary();
if (!bin) throw new Error('the docker CLI is required for the Engine API tests (.ci/run installs it)');

// The seams between the allocator loop, the /networks routes and the service
// endpoint, seen with the real CLI on a fresh swarm (ingress holds 10.0.0.0/24).
describe('overlay networks allocated by the leader, seen through the docker CLI', () => {
  const data = tempDir('swarmdeck-netalloc-data-');
  const config = tempDir('swarmdeck-netalloc-config-');
  let server: RunningServer | undefined;
  let docker: ReturnType<typeof dockerCli>;

  const ok = async (args: string[]): Promise<string> => {
    const r = await docker(args);
    if (r.code !== 0)
      throw new Error(
        `docker ${args.join(' ')} → ${r.timedOut ? 'timed out' : `exit ${r.code}`}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nserver:\n${server?.output().slice(-3000)}`,
      );
    return r.stdout;
  };
  const json = async <T>(args: string[]): Promise<T> => JSON.parse(await ok(args)) as T;
  interface NetInspect {
    Id: string;
    IPAM: { Config: { Subnet?: string; Gateway?: string }[] };
    Options: Record<string, string> | null;
    Services?: Record<string, { VIP: string; Tasks: { Name: string; EndpointIP: string }[] }>;
  }
  interface TaskInspect {
    ID: string;
    DesiredState: string;
    Status: { State: string };
    NetworksAttachments?: { Network: { ID: string }; Addresses: string[] }[];
  }
  const network = async (name: string, verbose = false) =>
    (await json<NetInspect[]>(['network', 'inspect', ...(verbose ? ['-v'] : []), name]))[0]!;
  /** Once the allocator gave the network its subnet. */
  const allocated = (name: string) =>
    until(`${name} allocated`, async () => {
      const n = await network(name);
      return n.IPAM.Config[0]?.Gateway && n.Options?.['com.docker.network.driver.overlay.vxlanid_list'] ? n : undefined;
    });
  const vips = async (service: string) =>
    await json<{ NetworkID: string; Addr: string }[] | null>([
      'service',
      'inspect',
      '--format',
      '{{json .Endpoint.VirtualIPs}}',
      service,
    ]);
  /** The service's tasks meant to run, once each is RUNNING (the sim workers run them). */
  const runningTasks = (service: string, replicas: number) =>
    until(
      `${replicas} running tasks of ${service}`,
      async () => {
        const ids = (await ok(['service', 'ps', '-q', '--filter', 'desired-state=running', service]))
          .trim()
          .split('\n');
        if (ids.length !== replicas || !ids[0]) return undefined;
        const tasks = await json<TaskInspect[]>(['inspect', '--type', 'task', ...ids]);
        return tasks.every((t) => t.Status.State === 'running') ? tasks : undefined;
      },
      60_000,
      250,
    );
  const addressOn = (t: TaskInspect, networkID: string) =>
    t.NetworksAttachments?.find((a) => a.Network.ID === networkID)?.Addresses ?? [];
  const lastOctet = (cidr: string) => Number(cidr.split('/')[0]!.split('.')[3]);

  beforeAll(async () => {
    const ports = await freePorts();
    docker = dockerCli(ports.engine, config.path, bin);
    server = await startServer({ dataDir: data.path, ports, simWorkers: 2 });
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
    data.remove();
    config.remove();
  }, 30_000);

  let appID = '';

  it('a network created without --subnet gets the first free /24 after ingress, its gateway and VXLAN ID', async () => {
    const ingress = await allocated('ingress');
    expect(ingress.IPAM.Config).toEqual([{ Subnet: '10.0.0.0/24', Gateway: '10.0.0.1' }]);
    expect(ingress.Options).toEqual({ 'com.docker.network.driver.overlay.vxlanid_list': '4096' });
    appID = (await ok(['network', 'create', '-d', 'overlay', 'appnet'])).trim();
    const app = await allocated('appnet');
    expect(app.Id).toBe(appID);
    expect(app.IPAM.Config).toEqual([{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }]);
    expect(app.Options).toEqual({ 'com.docker.network.driver.overlay.vxlanid_list': '4097' });
  }, 60_000);

  it('service create --network: a VIP on the network, tasks addressed in its subnet, network inspect -v shows both', async () => {
    await ok(['service', 'create', '-d', '--name', 'web', '--replicas', '2', '--network', 'appnet', 'nginx:alpine']);
    const tasks = await runningTasks('web', 2);
    const vip = await vips('web');
    expect(vip).toEqual([{ NetworkID: appID, Addr: expect.stringMatching(/^10\.0\.1\.\d+\/24$/) }]);
    const addrs = tasks.map((t) => addressOn(t, appID));
    for (const a of addrs) expect(a).toEqual([expect.stringMatching(/^10\.0\.1\.\d+\/24$/)]);
    // one address each, none shared with the VIP or the gateway
    const all = [vip![0]!.Addr, ...addrs.flat()];
    expect(new Set(all).size).toBe(3);
    expect(all.map(lastOctet)).not.toContain(1);

    const v = await network('appnet', true);
    expect(v.Services?.['web']?.VIP).toBe(vip![0]!.Addr.split('/')[0]);
    expect(v.Services?.['web']?.Tasks.map((t) => t.EndpointIP).sort()).toEqual(
      addrs
        .flat()
        .map((a) => a.split('/')[0])
        .sort(),
    );
  }, 90_000);

  it('a replaced task gets a new address (serial), not the one just freed', async () => {
    const before = (await runningTasks('web', 2)).map((t) => addressOn(t, appID)[0]!);
    await ok(['service', 'update', '-d', '--force', 'web']);
    const after = await until(
      'web replaced by tasks with new addresses',
      async () => {
        const tasks = await runningTasks('web', 2);
        const a = tasks.map((t) => addressOn(t, appID)[0]!);
        return a.every((x) => !before.includes(x)) ? a : undefined;
      },
      60_000,
      250,
    );
    // handed out after every address used so far
    expect(Math.min(...after.map(lastOctet))).toBeGreaterThan(Math.max(...before.map(lastOctet)));
  }, 90_000);

  it('--endpoint-mode dnsrr gives no VIP, yet its tasks are addressed on the network', async () => {
    await ok(['service', 'create', '-d', '--name', 'rr', '--endpoint-mode', 'dnsrr', '--network', 'appnet', 'nginx']);
    const [task] = await runningTasks('rr', 1);
    expect(addressOn(task!, appID)).toEqual([expect.stringMatching(/^10\.0\.1\.\d+\/24$/)]);
    expect(await vips('rr')).toBeNull();
    expect((await network('appnet', true)).Services?.['rr']?.VIP).toBe('');
  }, 90_000);

  it('service update --network-add/--network-rm: VIPs follow the spec, new tasks get the new attachments', async () => {
    const backID = (await ok(['network', 'create', '-d', 'overlay', 'backnet'])).trim();
    expect((await allocated('backnet')).IPAM.Config).toEqual([{ Subnet: '10.0.2.0/24', Gateway: '10.0.2.1' }]);
    const [appVIP] = (await vips('web'))!;
    await ok(['service', 'update', '-d', '--network-add', 'backnet', 'web']);
    const both = await until(
      'web on appnet and backnet',
      async () => {
        const tasks = await runningTasks('web', 2);
        return tasks.every((t) => addressOn(t, appID).length === 1 && addressOn(t, backID).length === 1)
          ? tasks
          : undefined;
      },
      60_000,
      250,
    );
    // the VIP on appnet is kept, one is added on backnet
    expect(await vips('web')).toEqual([
      appVIP,
      { NetworkID: backID, Addr: expect.stringMatching(/^10\.0\.2\.\d+\/24$/) },
    ]);
    for (const t of both) expect(addressOn(t, backID)).toEqual([expect.stringMatching(/^10\.0\.2\.\d+\/24$/)]);

    await ok(['service', 'update', '-d', '--network-rm', 'appnet', 'web']);
    const onBack = await until(
      'web on backnet only',
      async () => {
        const tasks = await runningTasks('web', 2);
        return tasks.every((t) => addressOn(t, appID).length === 0 && t.NetworksAttachments?.length === 1)
          ? tasks
          : undefined;
      },
      60_000,
      250,
    );
    const vipsNow = (await vips('web'))!;
    expect(vipsNow.map((v) => v.NetworkID)).toEqual([backID]);
    expect((await network('appnet', true)).Services?.['web']).toBeUndefined();
    expect(onBack.map((t) => addressOn(t, backID).length)).toEqual([1, 1]);
  }, 120_000);

  it('service update --publish-add/--publish-rm: Endpoint.Ports follow, an ingress VIP is added and dropped', async () => {
    const ingressID = (await network('ingress')).Id;
    const before = (await vips('web'))!;
    await ok(['service', 'update', '-d', '--publish-add', 'published=18080,target=80', 'web']);
    const ports = () => json<unknown[] | null>(['service', 'inspect', '--format', '{{json .Endpoint.Ports}}', 'web']);
    await until('web publishes 18080', async () => (await ports())?.length === 1, 30_000, 250);
    expect(await ports()).toEqual([{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 18080, PublishMode: 'ingress' }]);
    // swarmkit appends the ingress VIP to an existing service's list
    expect(await vips('web')).toEqual([
      ...before,
      { NetworkID: ingressID, Addr: expect.stringMatching(/^10\.0\.0\.\d+\/24$/) },
    ]);
    // the replacements are attached to ingress first, then to the spec's networks
    await until(
      'web tasks on ingress',
      async () => {
        const tasks = await runningTasks('web', 2);
        return tasks.every(
          (t) => t.NetworksAttachments?.map((a) => a.Network.ID).join() === `${ingressID},${before[0]!.NetworkID}`,
        );
      },
      60_000,
      250,
    );
    await ok(['service', 'update', '-d', '--publish-rm', '80', 'web']);
    await until('web publishes nothing', async () => !(await ports())?.length, 30_000, 250);
    expect(await vips('web')).toEqual(before);
    await until(
      'web tasks off ingress',
      async () => (await runningTasks('web', 2)).every((t) => t.NetworksAttachments?.length === 1),
      60_000,
      250,
    );
  }, 120_000);

  it('network rm is refused while a service uses it, then succeeds, and the subnet is reused first-fit', async () => {
    const webID = (await ok(['service', 'inspect', '--format', '{{.ID}}', 'web'])).trim();
    const rrID = (await ok(['service', 'inspect', '--format', '{{.ID}}', 'rr'])).trim();
    const refused = await docker(['network', 'rm', 'appnet']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^Error response from daemon: rpc error: code = FailedPrecondition desc = network ${appID} is in use by service (${webID}|${rrID})\n`,
      ),
    );
    await ok(['service', 'rm', 'web', 'rr']);
    await ok(['network', 'rm', 'backnet']);
    await until('appnet removable', async () => (await docker(['network', 'rm', 'appnet'])).code === 0, 60_000, 250);
    await ok(['network', 'create', '-d', 'overlay', 'nextnet']);
    const next = await allocated('nextnet');
    expect(next.IPAM.Config).toEqual([{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }]);
    // VXLAN IDs are serial too: past backnet's 4098, not the freed 4097
    expect(next.Options).toEqual({ 'com.docker.network.driver.overlay.vxlanid_list': '4099' });
  }, 90_000);
});

// The same CLI against a follower of a three-manager swarm: reads answer from its own replicated
// store, writes are forwarded to the leader, whose allocator fills what both then show.
describe('docker network and service --network on a follower of three managers', () => {
  const data = tempDir('swarmdeck-netfollow-');
  const config = tempDir('swarmdeck-netfollow-config-');
  const managers: ManagerProc[] = [];

  afterAll(async () => {
    await Promise.all(managers.map((m) => m.stop()));
    data.remove();
    config.remove();
  }, 60_000);

  it('network create/ls/inspect/rm and service inspect --pretty answer the same as on the leader', async () => {
    await startThreeManagers(managers, data.path);
    const leader = (await until('a leader', () => readyLeader(managers)))!.m;
    const follower = managers.find((m) => m !== leader)!;
    const cli = (m: ManagerProc) => dockerCli(Number(m.engine.split(':').pop()), config.path, bin);
    const [onLeader, onFollower] = [cli(leader), cli(follower)];
    const ok = async (docker: ReturnType<typeof dockerCli>, args: string[]) => {
      const r = await docker(args);
      if (r.code !== 0)
        throw new Error(`docker ${args.join(' ')} → exit ${r.code}\n${r.stderr}\n${follower.out.slice(-2000)}`);
      return r.stdout;
    };
    /** Both managers print the same, once the follower has caught up. */
    const same = (args: string[], what: string) =>
      until(
        what,
        async () => {
          const [a, b] = [await ok(onLeader, args), await ok(onFollower, args)];
          return a === b ? b : undefined;
        },
        30_000,
        250,
      );

    const appID = (
      await ok(onFollower, ['network', 'create', '-d', 'overlay', '--label', 'tier=web', 'appnet'])
    ).trim();
    expect(appID).toMatch(/^[0-9a-z]{25}$/);
    const ls = await same(
      ['network', 'ls', '--filter', 'scope=swarm', '--format', '{{.Name}} {{.Driver}} {{.Scope}}'],
      'network ls',
    );
    expect(ls).toBe('appnet overlay swarm\ningress overlay swarm\n');
    const ipam = await until(
      'appnet allocated, seen from the follower',
      async () => {
        const out = (
          await ok(onFollower, ['network', 'inspect', '--format', '{{json .IPAM.Config}}', 'appnet'])
        ).trim();
        return out.includes('Gateway') ? JSON.parse(out) : undefined;
      },
      30_000,
      250,
    );
    expect(ipam).toEqual([{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }]);
    await same(['network', 'inspect', 'appnet'], 'network inspect');

    await ok(onFollower, [
      'service',
      'create',
      '-d',
      '--name',
      'web',
      '--network',
      'appnet',
      '-p',
      '8080:80',
      'nginx:alpine',
    ]);
    const pretty = await until(
      'web allocated, the same on both',
      async () => {
        const vips = (
          await ok(onFollower, ['service', 'inspect', '--format', '{{len .Endpoint.VirtualIPs}}', 'web'])
        ).trim();
        if (vips !== '2') return undefined;
        const [a, b] = [
          await ok(onLeader, ['service', 'inspect', '--pretty', 'web']),
          await ok(onFollower, ['service', 'inspect', '--pretty', 'web']),
        ];
        return a === b ? b : undefined;
      },
      30_000,
      250,
    );
    expect(pretty).toMatch(/^Networks:\s*appnet\s*$/m);
    expect(pretty).toMatch(/^Endpoint Mode:\s*vip$/m);
    expect(pretty).toMatch(
      /Ports:\n\s+PublishedPort = 8080\n\s+Protocol = tcp\n\s+TargetPort = 80\n\s+PublishMode = ingress/,
    );

    const webID = (await ok(onFollower, ['service', 'inspect', '--format', '{{.ID}}', 'web'])).trim();
    const refused = await onFollower(['network', 'rm', 'appnet']);
    expect([refused.code, refused.stderr]).toEqual([
      1,
      `Error response from daemon: rpc error: code = FailedPrecondition desc = network ${appID} is in use by service ${webID}\nexit status 1\n`,
    ]);
    await ok(onFollower, ['service', 'rm', 'web']);
    await until(
      'appnet removed through the follower',
      async () => (await onFollower(['network', 'rm', 'appnet'])).code === 0,
      60_000,
      250,
    );
    expect(
      await same(['network', 'ls', '--filter', 'scope=swarm', '--format', '{{.Name}}'], 'network ls after rm'),
    ).toBe('ingress\n');
  }, 240_000);
});
