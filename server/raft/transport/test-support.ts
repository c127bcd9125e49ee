// Helpers for the transport tests: real TLS servers on 127.0.0.1, port 0, and
// certificates from one test root CA per process.

import type { Server } from 'node:https';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import type { RootCA } from '../../api/types';
import {
  createCSR,
  createRootCA,
  rootCAFrom,
  signCSR,
  signerOf,
  MANAGER_ROLE,
  WORKER_ROLE,
  type CertRole,
} from '../../ca';
import { ClusterTransport, type ClusterTransportOptions } from './cluster-transport';
import type { TlsMaterial, TransportSecurity } from './handshake';
import type { TransportLogger } from './logger';
import { createClusterServer } from './tls-server';

export const CLUSTER_ID = 'testcluster0000000000000a';
export const MANAGER_TOKEN = `SWMTKN-1-${'1'.repeat(50)}-${'m'.repeat(25)}`;
export const WORKER_TOKEN = `SWMTKN-1-${'1'.repeat(50)}-${'w'.repeat(25)}`;

let testRoot: Promise<RootCA> | undefined;
/** The one root the test members trust (made once per test process). */
export function testRootCA(): Promise<RootCA> {
  testRoot ??= createRootCA().then((pair) => rootCAFrom(pair));
  return testRoot;
}

/** A certificate chain and key for `id`, from the test root (or `root`). */
export async function testCertificate(
  id: string,
  o: { role?: 'manager' | 'worker'; cluster?: string; root?: RootCA; expiryMs?: number } = {},
): Promise<{ cert: string; key: string; ca: string }> {
  const root = o.root ?? (await testRootCA());
  const { csr, key } = await createCSR();
  const role: CertRole = o.role === 'worker' ? WORKER_ROLE : MANAGER_ROLE;
  const subject = { nodeID: id, role, clusterID: o.cluster ?? CLUSTER_ID };
  const cert = await signCSR(signerOf(root), csr, subject, o.expiryMs ?? 3_600_000);
  return { cert, key, ca: root.CACert };
}

export type TestSecurity = TransportSecurity & {
  removed: Set<string>;
  /** Nodes whose manager certificates grant no member rights (demoted, never added). */
  notMembers: Set<string>;
  /** Replace what this member presents and trusts (listeners are told, as a renewal would). */
  setMaterial(m: TlsMaterial | undefined): void;
};

/**
 * The security of member `id`: a manager certificate from the test root unless `role` says otherwise
 * (`'none'`: no certificate, e.g. a joiner holding `joinToken`, trusting the test root).
 */
export async function testSecurity(
  id: string,
  o: { role?: 'manager' | 'worker' | 'none'; joinToken?: string; cluster?: string } = {},
): Promise<TestSecurity> {
  let material: TlsMaterial | undefined =
    o.role === 'none'
      ? { ca: (await testRootCA()).CACert }
      : await testCertificate(id, { role: o.role ?? 'manager', cluster: o.cluster });
  const removed = new Set<string>();
  const notMembers = new Set<string>();
  const listeners = new Set<() => void>();
  return {
    removed,
    notMembers,
    material: () => material,
    setMaterial(m) {
      material = m;
      for (const l of listeners) l();
    },
    onChange(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    clusterId: () => CLUSTER_ID,
    isRemoved: (nodeID) => removed.has(nodeID),
    isMember: (nodeID) => !notMembers.has(nodeID) && !removed.has(nodeID),
    validateToken: (t) => (t === MANAGER_TOKEN ? 'manager' : t === WORKER_TOKEN ? 'worker' : undefined),
    joinToken: () => o.joinToken,
  };
}

/** A logger that keeps every line, to check what gets logged (and that secrets never are). */
export function recordingLogger(): TransportLogger & { lines: string[] } {
  const lines: string[] = [];
  const rec = (m: string) => void lines.push(m);
  return { lines, debug: rec, info: rec, warn: rec, error: rec };
}

export async function startClusterServer(port = 0): Promise<{ server: Server; port: number; addr: string }> {
  const server = createClusterServer((req, res) => {
    res.writeHead(req.url === '/healthz' ? 200 : 404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(req.url === '/healthz' ? { status: 'ok' } : { message: 'page not found' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return { server, port: actual, addr: `127.0.0.1:${actual}` };
}

export function stopServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export interface Member<M extends object> {
  id: string;
  addr: string;
  port: number;
  server: Server;
  transport: ClusterTransport<M>;
  logger: ReturnType<typeof recordingLogger>;
  received: { from: string; message: M }[];
  stop(): Promise<void>;
}

/** Fast timings so reconnect and health tests finish quickly. */
export const FAST = { backoff: { baseMs: 20, capMs: 200 }, dialTimeoutMs: 1_000 };

export async function startMember<M extends object = { type: string; from: string; n: number }>(
  id: string,
  opts: Partial<ClusterTransportOptions> & { port?: number } = {},
): Promise<Member<M>> {
  const { server, port, addr } = await startClusterServer(opts.port);
  const logger = recordingLogger();
  const transport = new ClusterTransport<M>({
    selfId: id,
    selfAddr: addr,
    security: await testSecurity(id),
    logger,
    ...opts,
    limits: { ...FAST, ...opts.limits },
  });
  transport.attach(server);
  const received: { from: string; message: M }[] = [];
  transport.onMessage((from, message) => received.push({ from, message }));
  return {
    id,
    addr,
    port,
    server,
    transport,
    logger,
    received,
    async stop() {
      await transport.close();
      await stopServer(server);
    },
  };
}

/** Bounded poll: resolves when `pred` holds, fails after `timeoutMs`. */
export async function waitFor(pred: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A TCP relay to `port` on 127.0.0.1 that records the bytes the client sends (what a sniffer would see). */
export async function startTap(port: number) {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createTcpServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (c: Buffer) => {
      chunks.push(c);
      upstream.write(c);
    });
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const tapPort = (server.address() as AddressInfo).port;
  return {
    port: tapPort,
    addr: `127.0.0.1:${tapPort}`,
    captured: () => Buffer.concat(chunks),
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A startMember for one test file: each member it starts is stopped by `cleanup` (run in afterEach). */
export function memberStarter<M extends object>(cleanup: (() => Promise<void>)[]) {
  return async (id: string, opts: Parameters<typeof startMember>[1] = {}): Promise<Member<M>> => {
    const m = await startMember<M>(id, opts);
    cleanup.push(() => m.stop());
    return m;
  };
}
