// Helpers for the transport tests: real http.Servers on 127.0.0.1, port 0.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClusterTransport, type ClusterTransportOptions } from './cluster-transport';
import type { DialCredentials, TransportCredentials } from './handshake';
import type { TransportLogger } from './logger';

export const CLUSTER_ID = 'testcluster0000000000000a';
export const MANAGER_TOKEN = 'SWMTKN-1-testdigest-managersecret0000000000';
export const WORKER_TOKEN = 'SWMTKN-1-testdigest-workersecret00000000000';
export const MEMBER_KEY = 'member-key-0123456789abcdef';
export const NODE_KEY = 'node-key-0123456789abcdef';

/** Credentials of an admitted member; `dial` can be overridden (e.g. a joiner holding only a token). */
export function testCredentials(dial: DialCredentials = { clusterId: CLUSTER_ID, memberKey: MEMBER_KEY }) {
  const removed = new Set<string>();
  const creds: TransportCredentials & { removed: Set<string> } = {
    removed,
    clusterId: () => CLUSTER_ID,
    validateToken: (t) => (t === MANAGER_TOKEN ? 'manager' : t === WORKER_TOKEN ? 'worker' : undefined),
    validateMember: (id, key) => key === MEMBER_KEY && !removed.has(id),
    validateNode: (id, key) => key === NODE_KEY && !removed.has(id),
    dial: () => dial,
  };
  return creds;
}

/** A logger that keeps every line, to check what gets logged (and that secrets never are). */
export function recordingLogger(): TransportLogger & { lines: string[] } {
  const lines: string[] = [];
  const rec = (m: string) => void lines.push(m);
  return { lines, debug: rec, info: rec, warn: rec, error: rec };
}

export async function startClusterServer(port = 0): Promise<{ server: Server; port: number; addr: string }> {
  const server = createServer((req, res) => {
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
    credentials: testCredentials(),
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
