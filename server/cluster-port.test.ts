import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterPortHandler } from './cluster-port';

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer(clusterPortHandler());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('the cluster port without an upgrade', () => {
  it('/healthz says only that the process is up', async () => {
    const r = await fetch(`${base}/healthz`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(await r.text()).toBe('{"status":"ok"}');
  });

  it('anything else is a plain 404', async () => {
    for (const path of ['/', '/healthz/raft', '/v1.50/info']) {
      const r = await fetch(`${base}${path}`);
      expect(r.status, path).toBe(404);
      expect(await r.text()).toBe('{"message":"page not found"}');
    }
  });
});
