// Issue #10's overlay scenario on real processes, driven by the real docker CLI:
// a manager and three `swarmdeck agent` processes on 127.0.0.2/3/4 in netns mode
// (each task in its own network namespace), `docker network create -d overlay
// appnet`, `docker service create --name web --replicas 6 --network appnet -p
// <port>:80 nginx`. The published port answers on every node from tasks on other
// nodes; a task on appnet resolves `web` to its VIP and `tasks.web` to the six task
// addresses with glibc (getent) through the node's DNS, and fetches http://web/
// through the VIP; a task on another network resolves nothing and reaches neither
// the VIP nor a task address; and the DNS answers follow a scale down and up
// within a second. Names the DNS does not know go to a fake upstream on 127.0.0.9,
// never to the host's resolver.
import { chmodSync, chownSync, mkdirSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service, Task } from '../../server/api/types';
import { replyTo, startFakeUpstream, type FakeUpstream } from '../../server/dns/fake-upstream';
import { dockerBinary, dockerCli, freePorts, startServer, tempDir, type RunningServer } from '../integration/harness';
import { engineRequest } from '../manager-http';
import { until } from '../until';
import { killTaskProcesses, startAgent, type RunningAgent } from './agent-harness';
import { sampleThrough, type TaskIdentity } from './task-identity';

if (!dockerBinary()) throw new Error('the docker CLI is required for the Engine API tests (.ci/run installs it)');

const ADDRS = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
/**
 * Run as root (CI), the agents drop to uid 65534 (setpriv): netns mode, the DNS
 * and the VIPs must work for an unprivileged agent, and root would hide it.
 */
const AGENT_UID = process.getuid?.() === 0 ? 65534 : undefined;
/** The tasks' DNS forwards unknown names here (a fake that answers NXDOMAIN). */
const UPSTREAM_HOST = '127.0.0.9';

const addrOf = (cidr: string) => cidr.split('/')[0]!;

describe('overlay networks, names and VIPs across agent processes (netns mode)', () => {
  const data = tempDir('swarmdeck-overlay-');
  const config = tempDir('swarmdeck-overlay-config-');
  let server: RunningServer;
  let upstream: FakeUpstream;
  let docker: ReturnType<typeof dockerCli>;
  let engine: string;
  let published = 0;
  let appnetID = '';
  let vip = '';
  const agents: RunningAgent[] = [];

  const api = async <T>(path: string): Promise<T> => {
    const r = await engineRequest(engine, 'GET', path);
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json as T;
  };
  const tasksOf = (service: string) =>
    api<Task[]>(`/tasks?filters=${encodeURIComponent(JSON.stringify({ service: [service] }))}`);
  const running = (ts: Task[]) => ts.filter((t) => t.Status.State === 'running' && t.DesiredState === 'running');
  const cli = async (args: string[]) => {
    const r = await docker(args);
    expect(r.code, `docker ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  /** The service's log lines (task output only, without the `name.slot.id@node |` prefix). */
  const logs = async (service: string) =>
    (await cli(['service', 'logs', '--no-task-ids', '--raw', service])).split('\n').filter(Boolean);
  const webAddrs = async () =>
    running(await tasksOf('web'))
      .map((t) => t.NetworksAttachments?.find((a) => a.Network.ID === appnetID)?.Addresses?.[0])
      .filter((a): a is string => !!a)
      .map(addrOf)
      .sort();

  beforeAll(async () => {
    upstream = await startFakeUpstream(UPSTREAM_HOST, (q) => replyTo(q, 3));
    const ports = await freePorts();
    [published] = [(await freePorts()).engine];
    const dataPort = (await freePorts()).cluster;
    server = await startServer({
      dataDir: `${data.path}/manager`,
      ports,
      simWorkers: 0,
      extraArgs: ['--dispatcher-heartbeat', '1s'],
    });
    engine = `http://127.0.0.1:${ports.engine}`;
    docker = dockerCli(ports.engine, config.path);
    const token = (await api<{ JoinTokens: { Worker: string } }>('/swarm')).JoinTokens.Worker;
    if (AGENT_UID !== undefined) {
      chmodSync(data.path, 0o711); // the agents' own directories below are theirs alone
      for (const i of [1, 2, 3]) {
        mkdirSync(`${data.path}/w${i}`, { mode: 0o700 });
        chownSync(`${data.path}/w${i}`, AGENT_UID, AGENT_UID);
      }
    }
    agents.push(
      ...(await Promise.all(
        ADDRS.map((addr, i) =>
          startAgent({
            ...(AGENT_UID !== undefined ? { as: { uid: AGENT_UID } } : {}),
            join: `127.0.0.1:${ports.cluster}`,
            token,
            dataDir: `${data.path}/w${i + 1}`,
            hostname: `w${i + 1}`,
            advertiseAddr: addr,
            extraArgs: ['--data-path-port', String(dataPort), '--dns-upstream', upstream.addr],
          }),
        ),
      )),
    );
    for (const a of agents) expect(a.output()).toContain('network=netns');
    if (AGENT_UID !== undefined)
      for (const a of agents)
        expect(statSync(`/proc/${a.proc.pid}`).uid, 'the agent runs unprivileged').toBe(AGENT_UID);
    await cli(['network', 'create', '-d', 'overlay', 'appnet']);
    await cli(['network', 'create', '-d', 'overlay', 'othernet']);
    // the Engine API names a network's ID `Id`
    appnetID = (await api<{ Id: string }>('/networks/appnet')).Id;
    await cli([
      'service',
      'create',
      '-d',
      '--name',
      'web',
      '--replicas',
      '6',
      '--constraint',
      'node.role==worker',
      '--network',
      'appnet',
      '-p',
      `${published}:80`,
      'nginx',
    ]);
    await until('6 web tasks running', async () => running(await tasksOf('web')).length === 6, 60_000, 250);
    const svc = await api<Service>('/services/web');
    const onApp = svc.Endpoint.VirtualIPs?.find((v) => v.NetworkID === appnetID);
    if (!onApp) throw new Error(`no VIP on appnet ${appnetID}: ${JSON.stringify(svc.Endpoint)}`);
    vip = addrOf(onApp.Addr);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop(5_000)));
    killTaskProcesses(agents.map((a) => a.nodeID()));
    await server?.stop();
    await upstream?.close();
    data.remove();
    config.remove();
  });

  it('all six RUNNING, and the published port on every node reaches tasks on other nodes', async () => {
    expect(running(await tasksOf('web'))).toHaveLength(6);
    for (const [i, addr] of ADDRS.entries()) {
      const self = agents[i]!.nodeID();
      const seen = await sampleThrough(addr, published);
      expect(new Set(seen.map((s) => s.task)).size, `tasks answering on ${addr}`).toBeGreaterThanOrEqual(3);
      expect(
        seen.some((s) => s.nodeID !== self),
        `${addr} reaches other nodes`,
      ).toBe(true);
    }
  }, 90_000);

  it('a task on appnet resolves web to the VIP and tasks.web to six addresses (getent), and fetches http://web/', async () => {
    const script = [
      'echo "hosts: $(getent hosts web)"',
      `echo "tasks: $(getent ahosts tasks.web | cut -d' ' -f1 | sort -u | tr '\\n' ' ')"`,
      // six fetches through the VIP on fresh connections: round robin over every node's tasks
      'for i in 1 2 3 4 5 6; do echo "fetch: $(/usr/bin/curl -s -m 5 "http://web/?format=json")"; done',
      'echo done',
      'sleep 3600',
    ].join('; ');
    await cli([
      'service',
      'create',
      '-d',
      '--name',
      'probe',
      '--constraint',
      'node.role==worker',
      '--network',
      'appnet',
      'ubuntu',
      '/bin/sh',
      '-c',
      script,
    ]);
    const lines = await until(
      'probe output',
      async () => {
        const l = await logs('probe');
        return l.some((x) => x.includes('done')) ? l : undefined;
      },
      60_000,
      250,
    );
    const hosts = lines.find((l) => l.startsWith('hosts: '))!;
    expect(hosts.split(/\s+/).slice(1)).toEqual([vip, 'web']);
    const tasks = lines.find((l) => l.startsWith('tasks: '))!;
    expect(tasks.slice('tasks: '.length).trim().split(' ').sort()).toEqual(await webAddrs());
    const fetched = lines.filter((l) => l.startsWith('fetch: ')).map((l) => l.slice('fetch: '.length));
    expect(fetched).toHaveLength(6);
    const ids = fetched.map((f) => (JSON.parse(f) as TaskIdentity).task);
    const webIDs = new Set((await tasksOf('web')).map((t) => t.ID));
    for (const id of ids) expect(webIDs.has(id), `${id} is a web task`).toBe(true);
    // the VIP balances over the service's tasks on every node, not only the probe's own
    const nodes = new Set(fetched.map((f) => (JSON.parse(f) as TaskIdentity).nodeID));
    expect(nodes.size).toBeGreaterThanOrEqual(2);
  }, 90_000);

  it('a task on another network resolves nothing and reaches neither the VIP nor a task address', async () => {
    const [sameHostWeb] = await webAddrs();
    const script = [
      'getent hosts web; echo "name: $?"',
      `/usr/bin/curl -s -m 2 -o /dev/null http://${vip}/; echo "vip: $?"`,
      `/usr/bin/curl -s -m 2 -o /dev/null http://${sameHostWeb}/; echo "task: $?"`,
      'echo done',
      'sleep 3600',
    ].join('; ');
    await cli([
      'service',
      'create',
      '-d',
      '--name',
      'stranger',
      '--replicas',
      '3',
      '--replicas-max-per-node',
      '1',
      '--constraint',
      'node.role==worker',
      '--network',
      'othernet',
      'ubuntu',
      '/bin/sh',
      '-c',
      script,
    ]);
    const lines = await until(
      'stranger output',
      async () => {
        const l = await logs('stranger');
        return l.filter((x) => x.includes('done')).length === 3 ? l : undefined;
      },
      60_000,
      250,
    );
    // getent: 2 = not found (the fake upstream says NXDOMAIN); curl: 28 = timed out (no route: dropped)
    expect(lines.filter((l) => l.startsWith('name: '))).toEqual(['name: 2', 'name: 2', 'name: 2']);
    expect(lines.filter((l) => l.startsWith('vip: '))).toEqual(['vip: 28', 'vip: 28', 'vip: 28']);
    expect(lines.filter((l) => l.startsWith('task: '))).toEqual(['task: 28', 'task: 28', 'task: 28']);
    expect(upstream.queries.some((q) => q.name === 'web')).toBe(true);
  }, 90_000);

  it('tasks.web answers follow a scale down and up within a second', async () => {
    // a watcher on appnet prints the number of tasks.web addresses and its clock every 100 ms
    const script =
      'while :; do echo "n=$(getent ahosts tasks.web | cut -d\' \' -f1 | sort -u | wc -l) t=$(date +%s%3N)"; sleep 0.1; done';
    await cli([
      'service',
      'create',
      '-d',
      '--name',
      'watch',
      '--constraint',
      'node.role==worker',
      '--network',
      'appnet',
      'ubuntu',
      '/bin/sh',
      '-c',
      script,
    ]);
    const samples = async () =>
      (await logs('watch'))
        .map((l) => /^n=(\d+) t=(\d+)$/.exec(l.trim()))
        .filter((m): m is RegExpExecArray => !!m)
        .map((m) => ({ n: Number(m[1]), t: Number(m[2]) }));
    let seen: { n: number; t: number }[] = [];
    const firstAfter = (want: number, since: number) =>
      until(
        `tasks.web with ${want} addresses after ${since}`,
        async () => {
          seen = await samples();
          return seen.find((s) => s.t >= since && s.n === want);
        },
        20_000,
        250,
      ).catch((err: Error) => {
        throw new Error(`${err.message}; samples since: ${JSON.stringify(seen.filter((s) => s.t >= since - 500))}`);
      });
    await firstAfter(6, 0);

    // from the moment the scale is committed (the CLI has its answer): the stopping tasks leave at once
    await cli(['service', 'scale', '-d', 'web=4']);
    const down = Date.now();
    const four = await firstAfter(4, down);
    // one sample every ~100 ms: a change within 1 s shows by 1.1 s
    expect(four.t - down, 'the stopped tasks left the answers').toBeLessThan(1_100);

    const up = Date.now();
    await cli(['service', 'scale', '-d', 'web=6']);
    await until('6 web tasks running again', async () => running(await tasksOf('web')).length === 6, 60_000, 100);
    const started = Math.max(
      ...running(await tasksOf('web'))
        .map((t) => Date.parse(t.Status.Timestamp))
        .filter((t) => t >= up - 1_000),
    );
    const six = await firstAfter(6, up);
    expect(six.t - started, 'the started tasks joined the answers').toBeLessThan(1_100);
  }, 120_000);
});
