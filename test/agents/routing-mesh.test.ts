// The routing mesh on real processes: a manager and three `swarmdeck agent`
// processes on 127.0.0.2/3/4 (each binds its published ports on its own
// advertise address), a service of the built-in HTTP server published with
// -p <port>:80, driven by the real docker CLI. A request to the published port
// on any node reaches tasks on every node (through the mutually authenticated
// node-to-node tunnel); the tunnel refuses a peer without a node certificate of
// this swarm; and a rolling update under a bounded load loop drops nothing.
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../server/api/types';
import { createCSR, createRootCA, signCSR } from '../../server/ca';
import {
  dockerBinary,
  dockerCli,
  freePorts,
  startServer,
  tempDir,
  waitFor,
  type RunningServer,
} from '../integration/harness';
import { engineRequest } from '../manager-http';
import { killTaskProcesses, startAgent, type RunningAgent } from './agent-harness';
import { getIdentity, sampleThrough } from './task-identity';

if (!dockerBinary()) throw new Error('the docker CLI is required for the Engine API tests (.ci/run installs it)');

const ADDRS = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];

describe('routing mesh across agent processes', () => {
  const data = tempDir('swarmdeck-mesh-');
  const config = tempDir('swarmdeck-mesh-config-');
  let server: RunningServer;
  let docker: ReturnType<typeof dockerCli>;
  let engine: string;
  let published = 0;
  let dataPort = 0;
  const agents: RunningAgent[] = [];

  const api = async <T>(path: string): Promise<T> => {
    const r = await engineRequest(engine, 'GET', path);
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json as T;
  };
  const tasksOf = (service: string) =>
    api<Task[]>(`/tasks?filters=${encodeURIComponent(JSON.stringify({ service: [service] }))}`);
  const running = (ts: Task[]) => ts.filter((t) => t.Status.State === 'running' && t.DesiredState === 'running');

  beforeAll(async () => {
    const ports = await freePorts();
    [published, dataPort] = [(await freePorts()).engine, (await freePorts()).cluster];
    server = await startServer({
      dataDir: `${data.path}/manager`,
      ports,
      simWorkers: 0,
      extraArgs: ['--dispatcher-heartbeat', '1s'],
    });
    engine = `http://127.0.0.1:${ports.engine}`;
    docker = dockerCli(ports.engine, config.path);
    const token = (await api<{ JoinTokens: { Worker: string } }>('/swarm')).JoinTokens.Worker;
    agents.push(
      ...(await Promise.all(
        ADDRS.map((addr, i) =>
          startAgent({
            join: `127.0.0.1:${ports.cluster}`,
            token,
            dataDir: `${data.path}/w${i + 1}`,
            hostname: `w${i + 1}`,
            advertiseAddr: addr,
            // a short drain delay keeps the update quick; the retries cover what it does not
            extraArgs: ['--data-path-port', String(dataPort), '--drain-delay', '500ms'],
          }),
        ),
      )),
    );
    const r = await docker([
      'service',
      'create',
      '-d',
      '--name',
      'web',
      '--replicas',
      '6',
      '--constraint',
      'node.role==worker',
      '--update-parallelism',
      '2',
      '-p',
      `${published}:80`,
      'nginx',
    ]);
    expect(r.code, r.stderr).toBe(0);
    await waitFor('6 web tasks running', async () => running(await tasksOf('web')).length === 6, {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop(5_000)));
    killTaskProcesses(agents.map((a) => a.nodeID()));
    await server?.stop();
    data.remove();
    config.remove();
  });

  it('answers on every node’s address from tasks on other nodes (≥3 distinct tasks)', async () => {
    const nodes = new Set((await tasksOf('web')).map((t) => t.NodeID));
    expect(nodes.size).toBeGreaterThanOrEqual(2);
    for (const [i, addr] of ADDRS.entries()) {
      const self = agents[i]!.nodeID();
      // the node's listener opens once its view arrives
      const seen = await sampleThrough(addr, published);
      expect(new Set(seen.map((s) => s.task)).size, `tasks answering on ${addr}`).toBeGreaterThanOrEqual(3);
      expect(
        seen.some((s) => s.nodeID !== self),
        `${addr} reaches other nodes`,
      ).toBe(true);
    }
  }, 90_000);

  it('refuses a tunnel peer without a node certificate of this swarm', async () => {
    const opens = (opts: { cert?: string; key?: string }) =>
      new Promise<string>((resolve) => {
        const s = tlsConnect({ host: ADDRS[0], port: dataPort, rejectUnauthorized: false, ...opts });
        let got = '';
        s.on('secureConnect', () => s.write(Buffer.from('\x00\x00\x00\x2a{"task":"x","port":80,"proto":"tcp"}')));
        s.on('data', (d: Buffer) => (got += d.toString()));
        s.on('error', () => resolve(`error:${got}`));
        s.on('close', () => resolve(`closed:${got}`));
        setTimeout(() => {
          s.destroy();
          resolve(`timeout:${got}`);
        }, 5_000);
      });
    // no certificate at all: the handshake fails, nothing is answered
    expect(await opens({})).toMatch(/^(error|closed):$/);
    // a certificate from another swarm's CA, claiming a node role
    const other = await createRootCA();
    const { key, csr } = await createCSR();
    const cert = await signCSR(
      { cert: other.cert, key: other.key, intermediates: '' },
      csr,
      { nodeID: 'intruder', role: 'swarm-worker', clusterID: 'other' },
      3_600_000,
    );
    expect(await opens({ cert, key })).toMatch(/^(error|closed):$/);
  }, 30_000);

  it('drops no request while a rolling update replaces every task, parallelism 2', async () => {
    const before = new Set((await tasksOf('web')).map((t) => t.ID));
    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    const images = new Set<string>();
    // bounded: 4 workers, each one request at a time, until the update is done (and at most 120 s)
    const deadline = Date.now() + 120_000;
    const worker = async (w: number) => {
      for (let n = w; !stop && Date.now() < deadline; n++) {
        const addr = ADDRS[n % ADDRS.length]!;
        try {
          images.add((await getIdentity(addr, published)).image);
          ok++;
        } catch (err) {
          failures.push(`${addr}: ${(err as Error).message}`);
        }
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(worker));
    const r = await docker(['service', 'update', '-d', '--image', 'nginx:1.27', 'web']);
    expect(r.code, r.stderr).toBe(0);
    await waitFor(
      'every web task replaced and running',
      async () => {
        const now = running(await tasksOf('web'));
        return now.length === 6 && now.every((t) => !before.has(t.ID));
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    // and the new tasks answer through the mesh
    await waitFor('new image answering', () => images.has('nginx:1.27'), { timeoutMs: 10_000, intervalMs: 100 });
    stop = true;
    await load;
    expect(failures, `${failures.length} of ${ok + failures.length} requests failed`).toEqual([]);
    expect(ok).toBeGreaterThan(50);
  }, 150_000);
});
