import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Server as IoServer } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { guardSocketMethods, refuseOtherUpgrades } from './socket-path-guard';

let server: Server | undefined;
let io: IoServer | undefined;
afterEach(async () => {
  io?.engine.close();
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
});

async function start(): Promise<number> {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('app');
  });
  io = new IoServer(server, { serveClient: false, destroyUpgrade: false });
  guardSocketMethods(server);
  refuseOtherUpgrades(server);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}

function call(port: number, method: string, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A raw upgrade request; what came back before the server closed it. */
function upgrade(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let got = '';
    socket.on('data', (c: Buffer) => (got += c.toString()));
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
    socket.setTimeout(3_000, () => socket.destroy(new Error(`no answer to an upgrade on ${path}`)));
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
  });
}

describe('the console socket path', () => {
  it('answers a polling request with another method than GET or POST with a 405 JSON, not a bare 500', async () => {
    const port = await start();
    const open = await call(port, 'GET', '/socket.io/?EIO=4&transport=polling');
    expect(open.status).toBe(200);
    const sid = (JSON.parse(open.body.slice(1)) as { sid: string }).sid;
    for (const method of ['PATCH', 'PUT', 'DELETE']) {
      const r = await call(port, method, `/socket.io/?EIO=4&transport=polling&sid=${sid}`);
      expect([method, r.status, r.type]).toEqual([method, 405, 'application/json']);
      expect(JSON.parse(r.body)).toEqual({ message: `method ${method} is not allowed on /socket.io/` });
    }
    // everything else still reaches the app
    expect((await call(port, 'PATCH', '/elsewhere')).body).toBe('app');
  });

  it('answers an upgrade on any other path with a 404 and closes it', async () => {
    const port = await start();
    for (const path of ['/other', '//socket.io/', '/socket.io']) {
      const got = await upgrade(port, path);
      expect(got, path).toMatch(
        /^HTTP\/1\.1 404 Not Found\r\n[^]*\{"message":"no WebSocket is served on this path"\}$/,
      );
    }
  });
});
