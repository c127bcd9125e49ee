// The network allocator through the unmodified docker CLI: `docker swarm
// init` with its address-pool flags makes the ingress network from that pool,
// published ports (given and dynamic) show in `service ls` and `service
// inspect`, clashes and dnsrr-with-ingress are refused with swarmkit's
// texts, and after a leader change the new leader's allocator, rebuilt from
// the store, hands no address out twice.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node, Service, Task } from '../../server/api/types';
import { newManager, readyLeader, startThreeManagers, until, type ManagerProc } from '../cluster-harness';
import { dockerBinary, dockerCli, tempDir, type DockerResult } from './harness';

const bin = dockerBinary();
if (!bin) throw new Error('the docker CLI is required for the Engine API tests (.ci/run installs it)');

const ip = (cidr: string) => cidr.split('/')[0]!;
const UP: string[] = ['new', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting', 'running'];

describe('swarm init address pools, published ports and VIPs', () => {
  const data = tempDir('swarmdeck-net-');
  const config = tempDir('swarmdeck-net-config-');
  let m: ManagerProc;
  let docker: ReturnType<typeof dockerCli>;

  const ok = async (args: string[], timeoutMs?: number): Promise<DockerResult> => {
    const r = await docker(args, timeoutMs);
    if (r.code !== 0)
      throw new Error(
        `docker ${args.join(' ')} → exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\n${m.out.slice(-2000)}`,
      );
    return r;
  };
  const service = async (name: string) => (await m.api('GET', `/services/${name}`)).json as Service;

  beforeAll(async () => {
    m = await newManager('m', `${data.path}/m`, ['--no-init', '--sim-workers', '2']);
    await m.start([], 60_000, /swarmdeck waiting: not in a swarm/);
    docker = dockerCli(Number(m.engine.split(':').pop()), config.path, bin);
  }, 90_000);

  afterAll(async () => {
    await m?.kill9();
    data.remove();
    config.remove();
  }, 30_000);

  it('refuses what it cannot honour, in dockerd words, and stays out of a swarm', async () => {
    const mask = await docker(['swarm', 'init', '--default-addr-pool-mask-length', '30']);
    expect(mask.code).not.toBe(0);
    expect(mask.stderr).toContain('subnet size is out of range: 30');
    const small = await docker([
      'swarm',
      'init',
      '--default-addr-pool',
      '10.20.0.0/16',
      '--default-addr-pool-mask-length',
      '12',
    ]);
    expect(small.stderr).toContain('invalid CIDR: "10.20.0.0/16". Subnet size is too small for pool: 12');
    const port = await docker(['swarm', 'init', '--data-path-port', '80']);
    expect(port.stderr).toContain('Datapath port number is not in valid range (1024-49151) : 80');
    const info = await ok(['info', '--format', '{{.Swarm.LocalNodeState}}']);
    expect(info.stdout.trim()).toBe('inactive');
  }, 60_000);

  it('swarm init --default-addr-pool 10.20.0.0/16 --default-addr-pool-mask-length 26: ingress gets 10.20.0.0/26', async () => {
    await ok([
      'swarm',
      'init',
      '--default-addr-pool',
      '10.20.0.0/16',
      '--default-addr-pool-mask-length',
      '26',
      '--data-path-port',
      '7789',
      '--task-history-limit',
      '3',
      '--availability',
      'active',
    ]);
    const info = (await ok(['info'])).stdout;
    expect(info).toMatch(/Default Address Pool: 10\.20\.0\.0\/16/);
    expect(info).toMatch(/SubnetSize: 26/);
    expect(info).toMatch(/Data Path Port: 7789/);
    const swarm = JSON.parse((await ok(['info', '--format', '{{json .Swarm.Cluster}}'])).stdout) as {
      DefaultAddrPool: string[];
      SubnetSize: number;
      DataPathPort: number;
      Spec: { Orchestration: { TaskHistoryRetentionLimit: number } };
    };
    expect(swarm).toMatchObject({ DefaultAddrPool: ['10.20.0.0/16'], SubnetSize: 26, DataPathPort: 7789 });
    expect(swarm.Spec.Orchestration.TaskHistoryRetentionLimit).toBe(3);
    // every node gets an address on ingress, from its /26
    const nodes = await until('every node on ingress', async () => {
      const list = (await m.api('GET', '/nodes')).json as Node[];
      return list.length === 3 && list.every((n) => n.Attachments?.length) ? list : undefined;
    });
    for (const n of nodes) {
      const [a] = n.Attachments!;
      expect(a!.Network.Spec.Ingress).toBe(true);
      expect(a!.Network.IPAMOptions?.Configs).toEqual([{ Subnet: '10.20.0.0/26', Gateway: '10.20.0.1' }]);
      expect(a!.Addresses![0]).toMatch(/^10\.20\.0\.\d+\/26$/);
    }
  }, 90_000);

  it('published ports: given and dynamic in PORTS, VIPs on ingress in inspect, one address per task', async () => {
    await ok(['service', 'create', '--detach', '--name', 'web', '--replicas', '3', '-p', '8080:80', 'nginx']);
    await ok(['service', 'create', '--detach', '--name', 'dyn', '-p', '80', 'nginx']);
    await ok([
      'service',
      'create',
      '--detach',
      '--name',
      'hosted',
      '-p',
      'mode=host,published=9091,target=80',
      'nginx',
    ]);
    const ports = await until('PORTS in service ls', async () => {
      const r = await ok(['service', 'ls', '--format', '{{.Name}} {{.Ports}}']);
      const rows = Object.fromEntries(
        r.stdout
          .trim()
          .split('\n')
          .map((l) => l.split(' ') as [string, string]),
      );
      return rows.web && rows.dyn ? rows : undefined;
    });
    expect(ports.web).toBe('*:8080->80/tcp');
    expect(ports.dyn).toBe('*:30000->80/tcp');
    expect(ports.hosted).toBe(''); // the CLI lists ingress ports only

    const web = await service('web');
    const ingressID = web.Endpoint.VirtualIPs![0]!.NetworkID;
    expect(web.Endpoint.VirtualIPs).toHaveLength(1);
    expect(web.Endpoint.VirtualIPs![0]!.Addr).toMatch(/^10\.20\.0\.\d+\/26$/);
    const vips = JSON.parse(
      (await ok(['service', 'inspect', 'web', '--format', '{{json .Endpoint.VirtualIPs}}'])).stdout,
    );
    expect(vips).toEqual(web.Endpoint.VirtualIPs);
    const pretty = (await ok(['service', 'inspect', '--pretty', 'web'])).stdout;
    expect(pretty).toMatch(
      /Ports:\n\s+PublishedPort = 8080\n\s+Protocol = tcp\n\s+TargetPort = 80\n\s+PublishMode = ingress/,
    );
    const hosted = await service('hosted');
    expect(hosted.Endpoint.Ports).toEqual([
      { Protocol: 'tcp', TargetPort: 80, PublishedPort: 9091, PublishMode: 'host' },
    ]);
    expect(hosted.Endpoint.VirtualIPs).toBeUndefined(); // no ingress port, no network

    // each task: one address on ingress, none twice, none a VIP's or a node's
    const tasks = await until('web tasks allocated', async () => {
      const list = (await m.api('GET', `/tasks?filters=${encodeURIComponent(JSON.stringify({ service: ['web'] }))}`))
        .json as Task[];
      return list.length === 3 && list.every((t) => t.NetworksAttachments?.length) ? list : undefined;
    });
    const nodes = (await m.api('GET', '/nodes')).json as Node[];
    const dyn = await service('dyn');
    const taken = [
      ...tasks.map((t) => t.NetworksAttachments![0]!.Addresses![0]!),
      ...[web, dyn].map((s) => s.Endpoint.VirtualIPs![0]!.Addr),
      ...nodes.map((n) => n.Attachments![0]!.Addresses![0]!),
    ];
    expect(new Set(taken.map(ip)).size).toBe(taken.length);
    for (const t of tasks) expect(t.NetworksAttachments![0]!.Network.ID).toBe(ingressID);
  }, 90_000);

  it('a clash and dnsrr with an ingress port are refused with swarmkit texts', async () => {
    const web = await service('web');
    const clash = await docker(['service', 'create', '--detach', '--name', 'clash', '-p', '8080:81', 'nginx']);
    expect(clash.code).not.toBe(0);
    expect(clash.stderr).toContain(`port '8080' is already in use by service 'web' (${web.ID}) as an ingress port`);
    const onDynamic = await docker(['service', 'create', '--detach', '--name', 'clash2', '-p', '30000:81', 'nginx']);
    expect(onDynamic.stderr).toContain(`port '30000' is already in use by service 'dyn'`);
    const hostOnIngress = await docker([
      'service',
      'create',
      '--detach',
      '--name',
      'clash3',
      '-p',
      'mode=host,published=8080,target=80',
      'nginx',
    ]);
    expect(hostOnIngress.stderr).toContain(
      `port '8080' is already in use by service 'web' (${web.ID}) as an ingress port`,
    );
    const dnsrr = await docker([
      'service',
      'create',
      '--detach',
      '--name',
      'rr',
      '--endpoint-mode',
      'dnsrr',
      '-p',
      '9090:80',
      'nginx',
    ]);
    expect(dnsrr.code).not.toBe(0);
    expect(dnsrr.stderr).toContain("EndpointSpec: port published with ingress mode can't be used with dnsrr mode");
    // dnsrr without ingress ports is fine, and has no VIP
    await ok(['service', 'create', '--detach', '--name', 'rr', '--endpoint-mode', 'dnsrr', 'nginx']);
    const rr = await until('rr allocated', async () => {
      const s = await service('rr');
      return s.Endpoint.Spec.Mode === 'dnsrr' ? s : undefined;
    });
    expect(rr.Endpoint.VirtualIPs).toBeUndefined();
    // removing a service frees its port for another
    await ok(['service', 'rm', 'dyn']);
    await until('30000 free again', async () => {
      const r = await docker(['service', 'create', '--detach', '--name', 'again', '-p', '30000:80', 'nginx']);
      return r.code === 0 || undefined;
    });
  }, 90_000);
});

describe('the allocator after a leader change', () => {
  const data = tempDir('swarmdeck-net-raft-');
  const config = tempDir('swarmdeck-net-raft-config-');
  const managers: ManagerProc[] = [];

  afterAll(async () => {
    await Promise.all(managers.map((x) => x.kill9()));
    data.remove();
    config.remove();
  }, 30_000);

  /** Every address in use (live tasks, VIPs, nodes), as the leader's store shows it. */
  async function addressesInUse(m: ManagerProc): Promise<string[]> {
    const tasks = (await m.api('GET', '/tasks')).json as Task[];
    const services = (await m.api('GET', '/services')).json as Service[];
    const nodes = (await m.api('GET', '/nodes')).json as Node[];
    // swarmkit taskDead: told to stop and stopped; its addresses are free again
    const dead = (t: Task) => !UP.includes(t.DesiredState) && !UP.includes(t.Status.State);
    const live = tasks.filter((t) => !dead(t));
    return [
      ...live.flatMap((t) => (t.NetworksAttachments ?? []).flatMap((a) => a.Addresses ?? [])),
      ...services.flatMap((s) => (s.Endpoint.VirtualIPs ?? []).map((v) => v.Addr)),
      ...nodes.flatMap((n) => (n.Attachments ?? []).flatMap((a) => a.Addresses ?? [])),
    ];
  }

  it('the new leader rebuilds from the store and hands no address out twice', async () => {
    await startThreeManagers(managers, data.path, { m1Args: ['--dispatcher-heartbeat', '1s'] });
    const first = (await until('a leader', () => readyLeader(managers)))!.m;
    const docker = dockerCli(Number(first.engine.split(':').pop()), config.path, bin);
    const r = await docker([
      'service',
      'create',
      '--detach',
      '--name',
      'web',
      '--replicas',
      '4',
      '-p',
      '8080:80',
      'nginx',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const before = await until('4 tasks allocated', async () => {
      const tasks = (await first.api('GET', '/tasks')).json as Task[];
      return tasks.filter((t) => t.NetworksAttachments?.length).length === 4 ? addressesInUse(first) : undefined;
    });
    expect(new Set(before).size).toBe(before.length);
    const webVIPs = ((await first.api('GET', '/services/web')).json as Service).Endpoint.VirtualIPs;
    expect(webVIPs).toHaveLength(1);

    await first.kill9();
    const next = (await until(
      'a new leader',
      async () =>
        readyLeader(
          managers.filter((x) => x !== first),
          3,
        ),
      60_000,
    ))!.m;
    const cli = dockerCli(Number(next.engine.split(':').pop()), config.path, bin);
    const scaled = await cli(['service', 'scale', '--detach', 'web=8']);
    expect(scaled.code, scaled.stderr).toBe(0);
    await cli(['service', 'create', '--detach', '--name', 'dyn', '-p', '80', 'nginx']);
    const after = await until(
      '8 live tasks allocated, dyn with a VIP',
      async () => {
        const tasks = ((await next.api('GET', '/tasks')).json as Task[]).filter(
          (t) => t.DesiredState === 'running' && t.NetworksAttachments?.length,
        );
        const dyn = ((await next.api('GET', '/services/dyn')).json as Service).Endpoint;
        return tasks.length >= 8 && dyn.VirtualIPs?.length ? addressesInUse(next) : undefined;
      },
      60_000,
    );
    expect(new Set(after).size).toBe(after.length);
    // the service keeps its VIP across the change
    expect(((await next.api('GET', '/services/web')).json as Service).Endpoint.VirtualIPs).toEqual(webVIPs);
    const dyn = (await next.api('GET', '/services/dyn')).json as Service;
    expect(dyn.Endpoint.Ports?.[0]?.PublishedPort).toBe(30000);
  }, 180_000);
});
