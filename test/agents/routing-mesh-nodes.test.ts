// The routing mesh on every kind of node, not only `swarmdeck agent`: a
// manager running its own tasks as real processes, and a process that
// `docker swarm join`ed as a worker (advertising 127.0.0.6). TCP through the
// manager's own published port reaches tasks on both nodes; UDP datagrams
// through either node's published port reach a python3 echo task on both
// nodes and come back; a host-mode port shows in `docker service ps` PORTS.
import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node, Service, Task } from '../../server/api/types';
import { newManager, until, type ManagerProc } from '../cluster-harness';
import { dockerBinary, dockerCli, freePort, tempDir } from '../integration/harness';
import { killTaskProcesses } from './agent-harness';
import { getIdentity } from './task-identity';

if (!dockerBinary()) throw new Error('the docker CLI is required for the Engine API tests (.ci/run installs it)');

const MANAGER_ADDR = '127.0.0.1';
const WORKER_ADDR = '127.0.0.6';

/**
 * A UDP echo server: answers each datagram with `<task ID> <datagram>` on the port the executor gave it,
 * on every address (a netns task, like a container, is reached on its own address, not its loopback).
 */
const UDP_ECHO = [
  'import os, socket',
  's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
  "s.bind(('0.0.0.0', int(os.environ['SWARMDECK_PORT_9999_UDP'])))",
  "tid = os.environ['SWARMDECK_TASK_ID'].encode()",
  'while True:',
  '    d, a = s.recvfrom(65535)',
  "    s.sendto(tid + b' ' + d, a)",
].join('\n');

/** One datagram from a fresh socket (a new flow, so a new round-robin pick); the echo or an error. */
function udpEcho(host: string, port: number, text: string, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      reject(new Error(`no echo from ${host}:${port} in ${timeoutMs} ms`));
    }, timeoutMs);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(m.toString());
    });
    s.on('error', (err) => {
      clearTimeout(timer);
      s.close();
      reject(err);
    });
    s.send(text, port, host);
  });
}

describe('routing mesh on a manager’s own node and a swarm-joined worker', () => {
  const data = tempDir('swarmdeck-mesh-nodes-');
  const config = tempDir('swarmdeck-mesh-nodes-config-');
  let manager: ManagerProc;
  let worker: ManagerProc;
  let docker: ReturnType<typeof dockerCli>;
  let dataPort = 0;
  let webPort = 0;
  let udpPort = 0;
  let hostPort = 0;
  let heldPort = 0;
  let heldHostPort = 0;
  let workerID = '';
  const holders: Server[] = [];

  /** Another program on the worker's host holding WORKER_ADDR:port. */
  const hold = (port: number) =>
    new Promise<void>((resolve, reject) => {
      const srv = createServer().once('error', reject);
      srv.listen({ host: WORKER_ADDR, port, exclusive: true }, () => resolve());
      holders.push(srv);
    });

  const tasks = async (service: string) =>
    (await manager.api('GET', `/tasks?filters=${encodeURIComponent(JSON.stringify({ service: [service] }))}`))
      .json as Task[];
  const runningOn = async (service: string) =>
    new Set((await tasks(service)).filter((t) => t.Status.State === 'running').map((t) => t.NodeID));

  beforeAll(async () => {
    [dataPort, webPort, udpPort, hostPort, heldPort, heldHostPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const mesh = ['--data-path-port', String(dataPort), '--drain-delay', '300ms'];
    manager = await newManager('m1', `${data.path}/m1`, [
      '--executor',
      'process',
      '--sim-workers',
      '0',
      '--dispatcher-heartbeat',
      '1s',
      ...mesh,
    ]);
    worker = await newManager('w', `${data.path}/w`, [
      '--executor',
      'process',
      '--advertise-addr',
      WORKER_ADDR,
      ...mesh,
    ]);
    await manager.start();
    await worker.start(['--no-init'], 60_000, /swarmdeck waiting: not in a swarm/);
    docker = dockerCli(manager.ports.engine, config.path);
    const token = ((await manager.api('GET', '/swarm')).json as { JoinTokens: { Worker: string } }).JoinTokens.Worker;
    const joined = await dockerCli(
      worker.ports.engine,
      config.path,
    )(['swarm', 'join', '--token', token, manager.clusterAddr]);
    expect(joined.code, joined.stderr).toBe(0);
    const node = await until(
      'the worker ready',
      async () =>
        ((await manager.api('GET', '/nodes')).json as Node[]).find(
          (n) => n.Spec.Role === 'worker' && n.Status.State === 'ready',
        ),
      30_000,
    );
    workerID = node.ID;
    worker.nodeID = node.ID;
  }, 120_000);

  afterAll(async () => {
    for (const h of holders) h.close();
    await Promise.all([manager?.stop(), worker?.stop()]);
    killTaskProcesses([manager?.nodeID, workerID].filter(Boolean));
    data.remove();
    config.remove();
  });

  it('routes TCP from the manager’s own published port to tasks on both nodes', async () => {
    const r = await docker([
      'service',
      'create',
      '-d',
      '--name',
      'web',
      '--replicas',
      '4',
      '-p',
      `${webPort}:80`,
      'nginx',
    ]);
    expect(r.code, r.stderr).toBe(0);
    await until('web running on both nodes', async () => (await runningOn('web')).size === 2, 60_000, 250);
    for (const addr of [MANAGER_ADDR, WORKER_ADDR]) {
      const nodes = await until(
        `requests to ${addr}:${webPort} answered from both nodes`,
        async () => {
          const seen = new Set<string>();
          for (let i = 0; i < 8; i++) seen.add((await getIdentity(addr, webPort)).nodeID);
          return seen.size === 2 ? seen : undefined;
        },
        30_000,
        200,
      );
      expect(nodes).toEqual(new Set([manager.nodeID, workerID]));
    }
  }, 120_000);

  it('carries UDP both ways through the mesh to an echo task on each node', async () => {
    const r = await docker([
      'service',
      'create',
      '-d',
      '--name',
      'echo',
      '--replicas',
      '2',
      '-p',
      `${udpPort}:9999/udp`,
      'ubuntu',
      '/usr/bin/python3',
      '-c',
      UDP_ECHO,
    ]);
    expect(r.code, r.stderr).toBe(0);
    await until('echo running on both nodes', async () => (await runningOn('echo')).size === 2, 60_000, 250);
    const echoTasks = new Map((await tasks('echo')).map((t) => [t.ID, t.NodeID]));
    for (const addr of [MANAGER_ADDR, WORKER_ADDR]) {
      const nodes = await until(
        `datagrams to ${addr}:${udpPort} echoed from both nodes`,
        async () => {
          const seen = new Set<string>();
          for (let i = 0; i < 6; i++) {
            const reply = await udpEcho(addr, udpPort, `ping ${i}`);
            const [task, ...rest] = reply.split(' ');
            expect(rest.join(' ')).toBe(`ping ${i}`);
            seen.add(echoTasks.get(task!) ?? `unknown task ${task}`);
          }
          return seen.size === 2 ? seen : undefined;
        },
        30_000,
        200,
      );
      expect(nodes).toEqual(new Set([manager.nodeID, workerID]));
    }
  }, 120_000);

  it('shows a host-mode port in service ps PORTS and serves it only on the task’s node', async () => {
    const r = await docker([
      'service',
      'create',
      '-d',
      '--name',
      'hosted',
      '--constraint',
      'node.role==worker',
      '--publish',
      `mode=host,published=${hostPort},target=80`,
      'nginx',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const ports = await until(
      'hosted running with its port',
      async () => {
        const ps = await docker(['service', 'ps', '--format', '{{.CurrentState}}|{{.Ports}}', 'hosted']);
        const line = ps.stdout.trim();
        return line.startsWith('Running') ? line.split('|')[1] : undefined;
      },
      60_000,
      250,
    );
    expect(ports).toBe(`*:${hostPort}->80/tcp`);
    const answer = await until(
      `the worker serving ${WORKER_ADDR}:${hostPort}`,
      () => getIdentity(WORKER_ADDR, hostPort).catch(() => undefined),
      30_000,
      200,
    );
    expect(answer.nodeID).toBe(workerID);
    await expect(getIdentity(MANAGER_ADDR, hostPort)).rejects.toThrow();
  }, 120_000);

  it('shows on the service which node cannot bind which published port; a host-mode port that cannot be bound fails the task with the reason', async () => {
    await hold(heldPort);
    await hold(heldHostPort);
    let r = await docker(['service', 'create', '-d', '--name', 'blocked', '-p', `${heldPort}:80`, 'nginx']);
    expect(r.code, r.stderr).toBe(0);
    // the Engine API's raw JSON (curl, SDKs); the docker CLI decodes into its own struct and drops unknown fields
    const inspect = async (name: string) => (await manager.api('GET', `/services/${name}`)).json as Service;
    const errors = await until(
      'blocked’s MeshErrors from the worker',
      async () => {
        const e = (await inspect('blocked')).MeshErrors;
        return e?.length ? e : undefined;
      },
      30_000,
      250,
    );
    // only the worker: the manager's node binds its own address
    expect(errors).toEqual([
      {
        NodeID: workerID,
        Hostname: expect.any(String) as string,
        PublishedPort: heldPort,
        Protocol: 'tcp',
        PublishMode: 'ingress',
        Message: `routing mesh: cannot listen on ${WORKER_ADDR}:${heldPort}/tcp for service blocked: EADDRINUSE`,
      },
    ]);
    // the rest of the service is untouched: the manager's node serves the port
    expect(
      (
        await until(
          'blocked answering on the manager',
          () => getIdentity(MANAGER_ADDR, heldPort).catch(() => undefined),
          30_000,
          200,
        )
      ).task,
    ).toBeTruthy();

    r = await docker([
      'service',
      'create',
      '-d',
      '--name',
      'hostblocked',
      '--constraint',
      'node.role==worker',
      '--publish',
      `mode=host,published=${heldHostPort},target=80`,
      'nginx',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const failed = await until(
      'a hostblocked task failed with the bind error',
      async () =>
        (await tasks((await inspect('hostblocked')).ID)).find((t) => t.Status.State === 'failed' && t.Status.Err),
      60_000,
      250,
    );
    expect(failed.NodeID).toBe(workerID);
    expect(failed.Status.Err).toBe(
      `routing mesh: cannot listen on ${WORKER_ADDR}:${heldHostPort}/tcp for service hostblocked: EADDRINUSE`,
    );
    const ps = await docker(['service', 'ps', '--no-trunc', '--format', '{{.Error}}', 'hostblocked']);
    expect(ps.stdout).toContain(
      `cannot listen on ${WORKER_ADDR}:${heldHostPort}/tcp for service hostblocked: EADDRINUSE`,
    );
    // and the node is not blamed in its health: it stays ready
    const node = (await manager.api('GET', `/nodes/${workerID}`)).json as Node;
    expect(node.Status.State).toBe('ready');
    expect((node as Node & { MeshErrors?: unknown }).MeshErrors).toBeUndefined();
  }, 120_000);
});
