// Real sockets against a real listener; distinct peers are distinct 127.0.0.x
// source addresses.
import { createServer, request } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createHttpListener,
  holdResources,
  httpServerOptions,
  type HttpListener,
  type HttpListenerLimits,
} from './http-listener';

const LIMITS: HttpListenerLimits = {
  headersTimeoutMs: 1_000,
  requestTimeoutMs: 2_000,
  keepAliveTimeoutMs: 500,
  maxConnections: 6,
  maxPerPeer: 3,
};

const cleanup: (() => void)[] = [];
afterEach(() => {
  while (cleanup.length) cleanup.pop()!();
});

async function start(limits = LIMITS): Promise<HttpListener & { port: number; log: string[] }> {
  const log: string[] = [];
  const l = createHttpListener(
    'test',
    limits,
    (req, res) => {
      if (req.url === '/hold') return; // answers never
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"ok":true}');
    },
    { log: (line) => log.push(line) },
  );
  await new Promise<void>((r) => l.server.listen(0, '127.0.0.1', () => r()));
  cleanup.push(() => {
    l.server.closeAllConnections();
    l.server.close();
  });
  return { ...l, port: (l.server.address() as AddressInfo).port, log };
}

interface Raw {
  socket: Socket;
  /** Everything received so far. */
  text(): string;
  closed: Promise<number>;
}

/** A raw TCP client from `from`; `closed` resolves with the ms it stayed open. */
async function raw(port: number, from: string, send?: string): Promise<Raw> {
  const t0 = Date.now();
  const socket = connect({ host: '127.0.0.1', port, localAddress: from });
  cleanup.push(() => socket.destroy());
  let got = '';
  socket.on('data', (c: Buffer) => (got += c.toString()));
  socket.on('error', () => {});
  const closed = new Promise<number>((r) => socket.on('close', () => r(Date.now() - t0)));
  await new Promise<void>((r, j) => {
    socket.once('connect', () => r());
    socket.once('error', j);
  });
  if (send) socket.write(send);
  return { socket, text: () => got, closed };
}

function get(port: number, from: string, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, localAddress: from, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const until = async (cond: () => boolean, ms = 3_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('connection limits', () => {
  it('refuses a peer over its limit with a 503 JSON answer, while other peers get in', async () => {
    const l = await start();
    const held = await Promise.all(
      [1, 2, 3].map(() => raw(l.port, '127.0.0.2', 'GET /hold HTTP/1.1\r\nHost: x\r\n\r\n')),
    );
    await until(() => l.gate.open().total === 3);
    const fourth = await raw(l.port, '127.0.0.2');
    await fourth.closed;
    expect(fourth.text()).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(fourth.text()).toContain('Content-Type: application/json\r\n');
    expect(JSON.parse(fourth.text().split('\r\n\r\n')[1]!)).toEqual({
      message: 'too many connections from 127.0.0.2 (3); try again later',
    });
    // another address is another peer
    expect(await get(l.port, '127.0.0.3')).toEqual({ status: 200, body: '{"ok":true}' });
    expect(l.log.join('\n')).toMatch(/test port refused 1 connection\(s\), the last from 127\.0\.0\.2/);
    // a closed connection frees its slot
    held[0]!.socket.destroy();
    await until(() => l.gate.open().total === 2);
    expect((await get(l.port, '127.0.0.2')).status).toBe(200);
  });

  it('refuses everyone over the total, and admits again once connections close', async () => {
    const l = await start();
    const held: Raw[] = [];
    for (const from of ['127.0.0.2', '127.0.0.3']) for (let i = 0; i < 3; i++) held.push(await raw(l.port, from));
    await until(() => l.gate.open().total === 6);
    const r = await raw(l.port, '127.0.0.4');
    await r.closed;
    expect(r.text()).toContain('"message":"too many connections (6); try again later"');
    for (const h of held) h.socket.destroy();
    await until(() => l.gate.open().total === 0);
    expect((await get(l.port, '127.0.0.4')).status).toBe(200);
    expect(l.gate.open().refused).toBe(1);
  });
});

describe('holdResources', () => {
  it('closes refused connections unanswered when plain text would not do (a TLS listener)', async () => {
    const server = createServer(httpServerOptions(LIMITS), (_req, res) => res.end('ok'));
    const gate = holdResources(
      server,
      'tls',
      { ...LIMITS, maxPerPeer: 1 },
      { plaintextRefusals: false, log: () => {} },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanup.push(() => {
      server.closeAllConnections();
      server.close();
    });
    const port = (server.address() as AddressInfo).port;
    await raw(port, '127.0.0.2');
    await until(() => gate.open().total === 1);
    const refused = await raw(port, '127.0.0.2');
    await refused.closed;
    expect(refused.text()).toBe('');
    expect(gate.open().refused).toBe(1);
  });
});

describe('timeouts', () => {
  it('closes a half-sent request at the header deadline with a 408 JSON answer', async () => {
    const l = await start();
    const half = await raw(l.port, '127.0.0.2', 'GET /hold HT');
    const silent = await raw(l.port, '127.0.0.2');
    const [a, b] = await Promise.all([half.closed, silent.closed]);
    for (const ms of [a, b]) {
      expect(ms).toBeGreaterThanOrEqual(LIMITS.headersTimeoutMs - 50);
      expect(ms).toBeLessThan(LIMITS.headersTimeoutMs + 2_500);
    }
    expect(half.text()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n[^]*\r\n\r\n\{"message":"request timed out/);
  });

  it('closes a request whose body trickles past the request deadline', async () => {
    const l = await start();
    const slow = await raw(l.port, '127.0.0.2', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n');
    const drip = setInterval(() => slow.socket.write('x'), 200);
    cleanup.push(() => clearInterval(drip));
    const ms = await slow.closed;
    expect(ms).toBeGreaterThanOrEqual(LIMITS.requestTimeoutMs - 50);
    expect(ms).toBeLessThan(LIMITS.requestTimeoutMs + 2_500);
  });

  it('closes an idle keep-alive connection after its timeout', async () => {
    const l = await start();
    const c = await raw(l.port, '127.0.0.2', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => c.text().includes('{"ok":true}'));
    const ms = await c.closed;
    expect(ms).toBeLessThan(LIMITS.keepAliveTimeoutMs + 1_500);
  });

  it('answers a malformed request line with a 400 JSON answer', async () => {
    const l = await start();
    const c = await raw(l.port, '127.0.0.2', 'GET /a b c HTTP/1.1\r\n\r\n');
    await c.closed;
    expect(c.text()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(c.text()).toContain('{"message":"malformed HTTP request');
  });

  it('answers a malformed HEAD request without a body (a client would read it as the next answer)', async () => {
    const l = await start();
    const c = await raw(l.port, '127.0.0.2', 'HEAD /_ping/\u00fcn HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.closed;
    expect(c.text()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[^]*Content-Length: \d+\r\n/);
    expect(c.text().endsWith('\r\n\r\n')).toBe(true);
  });
});
