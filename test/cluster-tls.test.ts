// The cluster port as an attacker meets it: real manager and agent processes
// on loopback, and a fake manager on 127.0.0.2 that records what joiners send
// it. Plaintext is refused; a token pins the root, so a joiner talking to the
// wrong swarm aborts before any secret leaves; a worker's certificate reaches
// no manager RPC; a removed node's certificate and replayed bytes get nowhere.

import { spawn } from 'node:child_process';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCSR, createRootCA, MANAGER_ROLE, parseJoinToken, rootCAFrom, signCSR, signerOf } from '../server/ca';
import { NodeCredentials, nodeSecurity } from '../server/node-tls';
import { ClusterTransport, silentTransportLogger } from '../server/raft/transport';
import { startTap } from '../server/raft/transport/test-support';
import { startAgent, type RunningAgent } from './agents/agent-harness';
import { newManager, type ManagerProc } from './cluster-harness';
import { REPO_ROOT, tempDir } from './integration/harness';
import { until } from './until';

/** A process run to its end (a join that must fail), with everything it printed. */
function runToExit(args: string[], timeoutMs = 30_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', CHECKPOINT_DISABLE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/**
 * A manager of another swarm (its own root CA) on 127.0.0.2: it serves its root at /ca like any
 * manager, and records every byte its TLS connections carry, decrypted, and every request.
 */
async function startFakeManager() {
  const root = rootCAFrom(await createRootCA());
  const { csr, key } = await createCSR();
  const cert = await signCSR(
    signerOf(root),
    csr,
    { nodeID: 'fake', role: MANAGER_ROLE, clusterID: 'fakeswarm' },
    3_600_000,
  );
  const received: Buffer[] = [];
  const requests: { method?: string; url?: string; headers: IncomingMessage['headers'] }[] = [];
  const server: HttpsServer = createHttpsServer(
    { key, cert, ca: root.CACert, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      requests.push({ method: req.method, url: req.url, headers: req.headers });
      if (req.url === '/ca') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ Certificate: root.CACert }));
      } else {
        res.writeHead(404).end();
      }
    },
  );
  server.on('secureConnection', (s: TLSSocket) => s.on('data', (c: Buffer) => received.push(c)));
  server.on('upgrade', (req: IncomingMessage, s: Socket) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers });
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.2', () => r()));
  return {
    addr: `127.0.0.2:${(server.address() as AddressInfo).port}`,
    requests,
    received: () => Buffer.concat(received).toString('latin1'),
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A transport in this test process presenting the certificate kept in `dataDir`. */
async function transportAs(dataDir: string, selfId: string) {
  const tls = await NodeCredentials.load(dataDir);
  const t = new ClusterTransport({
    selfId,
    selfAddr: '127.0.0.1:1',
    security: nodeSecurity(tls),
    logger: silentTransportLogger,
  });
  return { t, tls };
}

describe('cluster port: mutual TLS against attackers', () => {
  const data = tempDir('swarmdeck-tls-');
  let m1: ManagerProc;
  let agent: RunningAgent | undefined;
  let tokens: { Worker: string; Manager: string };
  const cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    m1 = await newManager('m1', `${data.path}/m1`, ['--dispatcher-heartbeat', '1s']);
    await m1.start();
    tokens = ((await m1.api('GET', '/swarm')).json as { JoinTokens: typeof tokens }).JoinTokens;
    agent = await startAgent({
      join: m1.clusterAddr,
      token: '',
      env: { SWARMDECK_AGENT_TOKEN: tokens.Worker },
      dataDir: `${data.path}/agent`,
      hostname: 'edge-1',
      executor: 'sim',
    });
  }, 120_000);

  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    await agent?.stop();
    await m1?.kill9();
    data.remove();
  }, 30_000);

  it('refuses a plaintext connection: no upgrade, no health, nothing read', async () => {
    const port = Number(m1.clusterAddr.split(':')[1]);
    const raw = await new Promise<string>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      let got = '';
      s.on('data', (c: Buffer) => (got += c.toString('latin1')));
      s.on('error', () => {});
      s.on('close', () => resolve(got));
      s.write(
        'GET /cluster HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: swarmdeck-cluster/1\r\n' +
          `x-swarmdeck-raft-id: x\r\nx-swarmdeck-addr: 127.0.0.1:1\r\nauthorization: Swarm-Join ${tokens.Worker}\r\n\r\n`,
      );
    });
    expect(raw).not.toContain('HTTP/1.1');
    const plainHealth = await new Promise<string>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/healthz' }, () => resolve('answered'));
      req.on('error', (e) => resolve(`error: ${e.message}`));
      req.end();
    });
    expect(plainHealth).toMatch(/^error: /);
  });

  it('aborts a join whose token pins another root, before sending anything secret', async () => {
    const fake = await startFakeManager();
    cleanup.push(fake.stop);
    // the real swarm's worker token, but the manager at that address is another swarm's
    const r = await runToExit([
      'server/agent-process/main.ts',
      '--join',
      fake.addr,
      '--token',
      tokens.Worker,
      '--data-dir',
      `${data.path}/victim`,
      '--executor',
      'sim',
    ]);
    expect(r.code).toBe(1);
    const hex = parseJoinToken(tokens.Worker).rootDigest;
    expect(r.out).toContain(`remote CA does not match fingerprint. Expected: ${hex}`);
    // all the fake got: one unauthenticated GET for its root; no token, no CSR, no upgrade
    expect(fake.requests.map((q) => `${q.method} ${q.url}`)).toEqual(['GET /ca']);
    expect(fake.requests[0]!.headers.authorization).toBeUndefined();
    const seen = fake.received();
    expect(seen).toContain('GET /ca');
    const secret = tokens.Worker.split('-')[3]!;
    for (const leak of [secret, 'Swarm-Join', 'CERTIFICATE REQUEST', 'agentJoin']) expect(seen).not.toContain(leak);

    // the same for a manager joining with the manager token
    const m = await runToExit([
      'server/main.ts',
      '--no-console',
      '--engine-port',
      String(await freeLoopbackPort()),
      '--cluster-port',
      String(await freeLoopbackPort()),
      '--console-port',
      String(await freeLoopbackPort()),
      '--data-dir',
      `${data.path}/victim-manager`,
      '--join',
      fake.addr,
      '--token',
      tokens.Manager,
    ]).catch((e: unknown) => ({ code: -1, out: String(e) }));
    expect(m.out).toContain('remote CA does not match fingerprint');
    expect(fake.requests.filter((q) => q.url !== '/ca')).toEqual([]);
    expect(fake.received()).not.toContain(tokens.Manager.split('-')[3]!);
  }, 60_000);

  it('gives a worker certificate no manager RPC', async () => {
    const { t } = await transportAs(`${data.path}/agent`, agent!.nodeID());
    cleanup.push(() => t.close());
    t.addPeer(m1.nodeID, m1.clusterAddr);
    // what a worker may do: ask where the managers are
    await expect(t.request(m1.nodeID, { managers: 1 }, 5_000)).resolves.toMatchObject({ leader: m1.nodeID });
    // what it may not: a forwarded control write, a manager join
    const write = await t
      .request(m1.nodeID, { control: 'removeNode', args: [m1.nodeID, true] }, 5_000)
      .catch((e: unknown) => e);
    expect(write).toMatchObject({
      kind: 'remote',
      code: 'PermissionDenied',
      message: 'Permission denied: remote certificate not part of OUs: [swarm-manager]',
    });
    // raft traffic from a worker certificate closes its connection with the same refusal
    t.send(m1.nodeID, { type: 'MsgVote', from: agent!.nodeID(), term: 999 } as never);
    await until('the connection refused', () => !t.peerStatus()[0]?.connected || undefined, 10_000);
    const h = await m1.health();
    expect(h?.term).toBeLessThan(999);
    expect(h?.role).toBe('leader');
    expect((await m1.api('GET', `/nodes/${m1.nodeID}`)).status).toBe(200);
  }, 30_000);

  it('captured bytes replayed on a new connection get nowhere', async () => {
    // a manager's own connection through a tap: one forwarded service create
    const tap = await startTap(Number(m1.clusterAddr.split(':')[1]));
    cleanup.push(tap.stop);
    const { t } = await transportAs(`${data.path}/m1`, m1.nodeID);
    const spec = {
      Name: 'replayed',
      TaskTemplate: { ContainerSpec: { Image: 'busybox' } },
      Mode: { Replicated: { Replicas: 0 } },
    };
    await t.request({ addr: tap.addr }, { control: 'createService', args: [spec] }, 10_000);
    await t.close();
    const count = async () =>
      ((await m1.api('GET', '/services')).json as { Spec: { Name: string } }[]).filter(
        (s) => s.Spec.Name === 'replayed',
      ).length;
    expect(await count()).toBe(1);
    const captured = tap.captured();
    expect(captured.toString('latin1')).not.toContain('replayed');
    expect(captured.toString('latin1')).not.toContain('swarmdeck-cluster');
    for (let i = 0; i < 3; i++) {
      const answer = await new Promise<string>((resolve) => {
        const s = connect({ host: '127.0.0.1', port: Number(m1.clusterAddr.split(':')[1]) });
        let got = '';
        s.on('data', (c: Buffer) => (got += c.toString('latin1')));
        s.on('error', () => {});
        s.on('close', () => resolve(got));
        s.write(captured);
      });
      expect(answer).not.toContain('101 Switching Protocols');
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(await count()).toBe(1);
  }, 30_000);

  it("refuses a removed node's certificate with swarm's message, and never names the swarm to strangers", async () => {
    const nodeID = agent!.nodeID();
    await agent!.stop();
    agent = undefined;
    await until('the agent node down', async () => {
      const n = (await m1.api('GET', `/nodes/${nodeID}`)).json as { Status: { State: string } };
      return n.Status.State === 'down' || undefined;
    });
    expect((await m1.api('DELETE', `/nodes/${nodeID}`)).status).toBe(200);
    const { t } = await transportAs(`${data.path}/agent`, nodeID);
    cleanup.push(() => t.close());
    const err = await t.request({ addr: m1.clusterAddr }, { managers: 1 }, 5_000).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`Permission denied: node ${nodeID} was removed from swarm`);
    // the agent itself, restarted, says it was removed and gets no session
    const again = await runToExit(
      ['server/agent-process/main.ts', '--data-dir', `${data.path}/agent`, '--executor', 'sim'],
      8_000,
    );
    expect(again.out).toContain('this node was removed from the swarm');

    // callers without a certificate learn nothing about the swarm from a refusal
    const clusterID = ((await m1.api('GET', '/swarm')).json as { ID: string }).ID;
    const creds = new NodeCredentials(undefined);
    creds.beginJoin(
      (await NodeCredentials.load(`${data.path}/m1`)).trustRoot!,
      `SWMTKN-1-${'0'.repeat(50)}-${'1'.repeat(25)}`,
    );
    const joiner = new ClusterTransport({
      selfId: 'joiner',
      selfAddr: '127.0.0.1:1',
      security: nodeSecurity(creds),
      logger: silentTransportLogger,
    });
    cleanup.push(() => joiner.close());
    const refusal = (await joiner
      .request({ addr: m1.clusterAddr }, { join: {} }, 5_000)
      .catch((e: unknown) => e)) as Error;
    expect(refusal.message).toBe('A valid join token is necessary to join this cluster');
    expect(refusal.message).not.toContain(clusterID);
    expect(refusal.message).not.toContain(m1.nodeID);
  }, 60_000);
});

async function freeLoopbackPort(): Promise<number> {
  const srv = createTcpServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
