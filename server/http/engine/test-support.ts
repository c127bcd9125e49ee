// An Engine API on a real store and a real HTTP server on 127.0.0.1, for route
// tests: a swarm with this manager and the given workers, and a raw client.
import type { AuditNote } from '../../api/audit';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { initCluster } from '../../manager/bootstrap';
import type { ManagerContext } from '../../manager/context';
import { createControlApi } from '../../manager/controlapi';
import { raftHealth } from '../../manager/raft-health';
import type { DispatcherApi } from '../../manager/dispatcher/api';
import { makeNode, openTempStore } from '../../store/test-support';
import { ManualClock } from '../../util/clock';
import { createEngineHandler } from './server';

export const SELF = 'selfmanager00000000000001';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

export interface TestEngine {
  opened: Awaited<ReturnType<typeof openTempStore>>;
  port: number;
  /** What the Engine API handed ctx.audit (refused writes) */
  notes: AuditNote[];
  /** The manager context the handler serves (to serve it on another listener too) */
  ctx: ManagerContext;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  close(): Promise<void>;
}

export async function startTestEngine(workers: string[] = []): Promise<TestEngine> {
  const opened = await openTempStore();
  const { store } = opened;
  await initCluster(store, {
    nodeID: SELF,
    description: makeNode({ hostname: 'manager1' }).Description,
    addr: '127.0.0.1',
  });
  if (workers.length) await store.update((tx) => workers.forEach((h) => tx.create('node', makeNode({ hostname: h }))));
  const clock = new ManualClock();
  const notes: AuditNote[] = [];
  const ctx: ManagerContext = {
    store,
    control: createControlApi(store, { selfNodeID: SELF, managerAddr: '127.0.0.1:2377', isLeader: () => true, clock }),
    dispatcher: {} as DispatcherApi, // not used by the Engine API
    clock,
    selfNodeID: SELF,
    advertiseAddr: '127.0.0.1',
    clusterAddr: '127.0.0.1:2377',
    startedAt: clock.now(),
    raftHealth: () => raftHealth(opened.log),
    audit: { note: (n) => notes.push(n) },
  };
  const server: Server = createServer(createEngineHandler(ctx));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    new Promise<Reply>((resolve, reject) => {
      const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          headers: payload !== undefined ? { 'Content-Type': 'application/json', ...headers } : headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
          });
        },
      );
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  return {
    opened,
    port,
    notes,
    ctx,
    call,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await opened.close();
    },
  };
}
